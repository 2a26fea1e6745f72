"""Pictures the trust app puts on paper: the round red seal and the verification mark (QR code).

The seal is drawn the usual way of Chinese organization seals: a red ring, a five-pointed star
in the middle, the organization's name around the upper arc, the seal's kind (e.g. 业务专用章)
under the star. Text uses Noto Serif CJK SC (Debian ``fonts-noto-cjk``); without that font the
seal is drawn without text and a warning is logged.
"""

import io
import logging
import math
from functools import lru_cache
from pathlib import Path

import segno
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from egov.core.errors import ValidationFailed

logger = logging.getLogger(__name__)

SEAL_RED = (214, 0, 15, 255)
SEAL_SIZE = 600  # pixels a side of the PNG (drawn at twice that, then reduced, for smooth edges)
FONT_CANDIDATES = [
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
]
MAX_UPLOAD_BYTES = 1024 * 1024


@lru_cache(maxsize=8)
def cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """The first installed simplified-Chinese face of ``FONT_CANDIDATES`` at ``size`` px, or None."""
    for path, family in FONT_CANDIDATES:
        if not Path(path).exists():
            continue
        for index in range(8):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if font.getname()[0] == family:
                return font
    return None


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382  # inner radius of a regular pentagram
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    draw.polygon(points, fill=SEAL_RED)


def _glyph(char: str, font: ImageFont.FreeTypeFont, height: float) -> Image.Image:
    """One character, red on transparent, squeezed to the narrow shape seal lettering has."""
    left, top, right, bottom = font.getbbox(char)
    tile = Image.new("RGBA", (max(1, right - left), max(1, bottom - top)), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((-left, -top), char, font=font, fill=SEAL_RED)
    return tile.resize((max(1, int(height * 0.72)), max(1, int(height))), Image.LANCZOS)


def seal_image_draw(*, name: str, kind_text: str = "") -> bytes:
    """Draw a round red seal and return it as PNG bytes (``SEAL_SIZE`` px square, transparent).

    Args:
        name: the text around the upper arc (the organization's name), 1–40 characters.
        kind_text: the line under the star (``"业务专用章"``), or "" for an organization's 公章.
    """
    scale = 2
    size = SEAL_SIZE * scale
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    ring = size * 0.035
    outer = size / 2 - ring / 2 - 2
    draw.ellipse([centre - outer, centre - outer, centre + outer, centre + outer], outline=SEAL_RED, width=int(ring))
    _star(draw, centre, centre, size * 0.17)
    char_height = size * 0.13
    font = cjk_font(int(char_height * 1.2))
    if font is None:
        logger.warning("no CJK font found (install fonts-noto-cjk): the seal of %s is drawn without text", name)
    else:
        text_radius = outer - ring / 2 - char_height * 0.62
        # The name runs clockwise over the top; the arc widens with the number of characters, up to 250°.
        span = min(250.0, 22.0 * len(name) + 20)
        for i, char in enumerate(name):
            fraction = 0.5 if len(name) == 1 else i / (len(name) - 1)
            angle = -span / 2 + fraction * span  # degrees from the top, clockwise
            glyph = _glyph(char, font, char_height).rotate(-angle, expand=True, resample=Image.BICUBIC)
            x = centre + text_radius * math.sin(math.radians(angle))
            y = centre - text_radius * math.cos(math.radians(angle))
            image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
        if kind_text:
            kind_font = cjk_font(int(size * 0.085))
            width = draw.textlength(kind_text, font=kind_font)
            draw.text((centre - width / 2, centre + size * 0.2), kind_text, font=kind_font, fill=SEAL_RED)
    image = image.resize((SEAL_SIZE, SEAL_SIZE), Image.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def seal_image_check(data: bytes) -> bytes:
    """Check an uploaded seal image and return it re-encoded as an RGBA PNG (metadata dropped).

    Raises:
        ValidationFailed: ``extra["field"] == "image"``; ``rule`` is ``max_size`` (over 1 MB),
            ``format`` (not a PNG) or ``dimensions`` (a side under 100 or over 2000 px).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed(_("The seal image is larger than 1 MB."), extra={"field": "image", "rule": "max_size"})
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError):
        image = None
    if image is None or image.format != "PNG":
        raise ValidationFailed(_("The seal image is not a PNG file."), extra={"field": "image", "rule": "format"})
    if not (100 <= image.width <= 2000 and 100 <= image.height <= 2000):
        raise ValidationFailed(_("A seal image is 100 to 2000 pixels a side."),
                               extra={"field": "image", "rule": "dimensions"})
    out = io.BytesIO()
    image.convert("RGBA").save(out, format="PNG", optimize=True)
    return out.getvalue()


def verification_mark(*, code: str, url: str) -> Image.Image:
    """A QR code of ``url`` (error correction M, segno) with ``验证码 <code>`` printed under it, in
    black on white as a grayscale image (a third of the samples of RGB to compress into each PDF)."""
    qr = segno.make(url, error="m", micro=False)
    # The modules straight from the matrix, 8 px each with a 2-module quiet zone: the pixels segno's
    # PNG writer gives (scale=8, border=2), without writing and decoding a PNG.
    rows = list(qr.matrix_iter(scale=1, border=2))
    side = len(rows)
    modules = Image.frombytes("L", (side, side), bytes(0 if dark else 255 for row in rows for dark in row))
    code_image = modules.resize((side * 8, side * 8), Image.NEAREST)
    font = cjk_font(34)
    label = f"验证码 {code}" if font is not None else code
    label_font = font or ImageFont.load_default(30)
    text_width = ImageDraw.Draw(code_image).textlength(label, font=label_font)
    width = max(code_image.width, int(text_width) + 16)
    mark = Image.new("L", (width, code_image.height + 50), 255)
    mark.paste(code_image, ((width - code_image.width) // 2, 0))
    ImageDraw.Draw(mark).text(((width - text_width) / 2, code_image.height + 4), label, font=label_font, fill=0)
    return mark


def signature_mark(*, name: str) -> Image.Image:
    """A personal signature's appearance: the signer's name over the words 电子签名, in blue ink."""
    size = (600, 300)
    mark = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)
    ink = (20, 50, 140, 255)
    draw.rectangle([4, 4, size[0] - 5, size[1] - 5], outline=ink, width=6)
    name_font = cjk_font(110)
    label_font = cjk_font(48)
    if name_font is None or label_font is None:
        logger.warning("no CJK font found (install fonts-noto-cjk): the signature mark of %s has no text", name)
        return mark
    width = draw.textlength(name, font=name_font)
    draw.text(((size[0] - width) / 2, 40), name, font=name_font, fill=ink)
    width = draw.textlength("电子签名", font=label_font)
    draw.text(((size[0] - width) / 2, 200), "电子签名", font=label_font, fill=ink)
    return mark
