"""What the services API modules share: the public session, the pager, base64 materials."""

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from egov.accounts.models import User
from egov.core.apiauth import SessionAuth
from egov.core.errors import ValidationFailed
from egov.core.jsoninput import INT64_MAX


class PublicSessionAuth(SessionAuth):
    """The public site's session of a natural or legal person (staff sessions do not count)."""

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active and user.kind in (User.Kind.NATURAL, User.Kind.LEGAL):
            return user
        return None


public_session = PublicSessionAuth()

# The highest page number a list answers: 10⁶ pages of at most 100 rows keeps the row offset
# (page − 1) × page_size far below PostgreSQL's and SQLite's 64-bit integers, where a bigger
# number overflowed inside the database and came back as a 500.
MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100


class Pager(PageNumberPagination):
    """The one pager of the API's lists: ``?page=`` (1 … ``MAX_PAGE``) and ``?page_size=``
    (1 … the list's ``max_page_size``, larger sizes are cut to it); the answer is
    ``{"items": [...], "count": n}``, a page past the end has no items.

    A page number that is not an integer, below 1 or above ``MAX_PAGE`` is answered with 422 in
    the API's error shape (``extra["field"]`` is ``query.page``), never reaches the database; so is
    a ``page_size`` past 64 bits (``egov.core.jsoninput.INT64_MAX``).
    """

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description=f"page number, 1 to {MAX_PAGE}")
        page_size: int | None = Field(None, ge=1, le=INT64_MAX, description="rows a page, cut to the list's maximum")

    def __init__(self, page_size: int = 20, max_page_size: int = MAX_PAGE_SIZE, **kwargs) -> None:
        super().__init__(page_size=page_size, max_page_size=max_page_size, **kwargs)


def decode_materials(materials: dict[str, str]) -> dict[int, bytes]:
    """``{material id: base64 text}`` → ``{material id: bytes}``.

    Raises:
        ValidationFailed: a key that is not an id (``unknown``), a file over
            ``EGOV_MATERIAL_MAX_BYTES`` (``max_size``), text that is not base64 (``base64``);
            ``extra["field"]`` is ``materials.<key>``.
    """
    files = {}
    for key, text in materials.items():
        if not (key.isascii() and key.isdigit()):  # "²" and "١٢" are digits to str.isdigit
            raise ValidationFailed(_("Materials are keyed by their id."), extra={"field": f"materials.{key}",
                                                                                 "rule": "unknown"})
        if len(text) > (settings.EGOV_MATERIAL_MAX_BYTES * 4) // 3 + 4:
            raise ValidationFailed(_("The file is larger than allowed."),
                                   extra={"field": f"materials.{key}", "rule": "max_size"})
        try:
            files[int(key)] = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationFailed(_("The file is not valid base64."),
                                   extra={"field": f"materials.{key}", "rule": "base64"}) from None
    return files
