"""Schemas every part of the JSON API shares."""

from ninja import Schema


class ErrorOut(Schema):
    """The one error shape of the API: ``{"message": str, "extra": {…}}``, where ``message`` says what
    is wrong in the request's language and ``extra`` names where (``field``, ``rule``, …)."""

    message: str
    extra: dict
