"""What the services API modules share: the error shape, the public session, base64 materials."""

import base64
import binascii

from django.conf import settings
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.security import SessionAuth

from egov.accounts.models import User
from egov.core.errors import ValidationFailed


class ErrorOut(Schema):
    """The one error shape of the API."""

    message: str
    extra: dict


class PublicSessionAuth(SessionAuth):
    """The public site's session of a natural or legal person (staff sessions do not count)."""

    def authenticate(self, request, key):
        user = request.user
        if user.is_authenticated and user.is_active and user.kind in (User.Kind.NATURAL, User.Kind.LEGAL):
            return user
        return None


public_session = PublicSessionAuth()


def decode_materials(materials: dict[str, str]) -> dict[int, bytes]:
    """``{material id: base64 text}`` → ``{material id: bytes}``.

    Raises:
        ValidationFailed: a key that is not an id (``unknown``), a file over
            ``EGOV_MATERIAL_MAX_BYTES`` (``max_size``), text that is not base64 (``base64``);
            ``extra["field"]`` is ``materials.<key>``.
    """
    files = {}
    for key, text in materials.items():
        if not key.isdigit():
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
