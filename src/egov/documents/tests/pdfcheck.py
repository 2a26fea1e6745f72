"""Reading a rendered PDF back for the layout tests: positions in millimetres from the page's top-left."""

import io
from collections import defaultdict
from dataclasses import dataclass

import pdfplumber
import pypdf

MM = 72 / 25.4  # PDF points per millimetre
# Noto CJK and HanaMin: the ideographic em box runs from 0.88 em above the baseline to 0.12 em below.
EM_TOP = 0.88


@dataclass(frozen=True)
class Glyph:
    text: str
    size_pt: float
    font: str
    x0: float  # mm
    x1: float  # mm
    baseline: float  # mm from the top
    color: tuple

    @property
    def em_top(self) -> float:
        return self.baseline - EM_TOP * self.size_pt / MM

    @property
    def em_bottom(self) -> float:
        return self.baseline + (1 - EM_TOP) * self.size_pt / MM


class Pdf:
    """The glyphs, rules and fonts of each page of a PDF."""

    def __init__(self, data: bytes):
        self.data = data
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            self.sizes = [(page.width / MM, page.height / MM) for page in pdf.pages]
            self.pages = [
                [Glyph(c["text"], round(c["size"], 2), c["fontname"], c["x0"] / MM, c["x1"] / MM,
                       (page.height - c["matrix"][5]) / MM, tuple(c["non_stroking_color"] or ()))
                 for c in page.chars]
                for page in pdf.pages
            ]
            self.rules = [
                [(r["x0"] / MM, r["x1"] / MM, r["top"] / MM, r["bottom"] / MM, tuple(r["non_stroking_color"] or ()))
                 for r in page.rects]
                for page in pdf.pages
            ]
            self.texts = [page.extract_text() or "" for page in pdf.pages]

    def lines(self, page: int, size_pt: float = 16) -> dict[float, list[Glyph]]:
        """The glyphs of ``size_pt`` on page ``page`` (0-based) grouped by baseline (rounded to 0.1 mm)."""
        result: dict[float, list[Glyph]] = defaultdict(list)
        for glyph in self.pages[page]:
            if abs(glyph.size_pt - size_pt) < 0.3 and glyph.text.strip():
                result[round(glyph.baseline, 1)].append(glyph)
        return dict(sorted(result.items()))

    def text(self, page: int) -> str:
        return "".join(g.text for g in self.pages[page])

    def fonts(self) -> list[dict]:
        """Every font of every page: ``{"name", "embedded"}`` (embedded: the font program is in the file)."""
        reader = pypdf.PdfReader(io.BytesIO(self.data))
        found = {}
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                font = font.get_object()
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                descriptor = descriptor.get_object() if descriptor is not None else {}
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[str(font["/BaseFont"])] = embedded
        return [{"name": name, "embedded": embedded} for name, embedded in sorted(found.items())]
