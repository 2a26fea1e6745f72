"""The one input contract for JSON request bodies (issue 17, "One input contract").

``json_loads_strict`` is what the API's parser (``egov.api.StrictJsonParser``) reads every JSON body
with, so that no endpoint has to repeat these checks and none of these values reaches an action or
the database:

- the non-standard constants ``NaN``, ``Infinity`` and ``-Infinity`` (RFC 8259 §6 has no such
  numbers; Python's ``json`` accepts them, a range check ``x <= 100`` passes for NaN, and PostgreSQL
  refuses them in a ``numeric`` or ``jsonb`` column);
- lone UTF-16 surrogates written as ``\\ud800`` escapes (RFC 8259 §8.2: such a string is not
  Unicode text; UTF-8 cannot encode it, so psycopg fails on it);
- integers outside the signed 64-bit range (PostgreSQL ``bigint``, SQLite ``INTEGER``).

Each refusal names the field as a dotted path (``form.registered_capital``, ``materials.0``).
"""

import json
import math
import re
from typing import Any

from django.utils.translation import gettext as _

from egov.core.errors import ValidationFailed

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class _Constant:
    """Stands for a NaN/Infinity constant until the walk finds where it is."""

    def __init__(self, name: str):
        self.name = name


# One scan in C (a generator over the characters cost ~70 ns each in Python: a 1 MB file sent as
# base64 took ~100 ms of CPU here before anything else looked at it).
_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def _path(parts: tuple) -> str:
    return ".".join(_printable(str(p)) for p in parts) or "body"


def value_check(value: Any, *, path: tuple = ()) -> None:
    """Check a decoded JSON value (and everything inside it) against the input contract.

    Args:
        value: what ``json.loads`` gave (dicts, lists, str, int, float, bool, None).
        path: where ``value`` sits, for naming the field (``("form",)``).

    Raises:
        ValidationFailed: ``extra == {"field": "<dotted path>", "rule": r}``, ``r`` one of
            ``finite`` (NaN or ±Infinity, also as a float that overflowed, e.g. ``1e999``),
            ``surrogate`` (a lone UTF-16 surrogate in a string or a key),
            ``int64`` (an integer outside −2⁶³ … 2⁶³−1).
    """
    stack = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                if _has_surrogate(key):
                    raise ValidationFailed(
                        _("%(field)s: a name contains a lone surrogate, which is not text.")
                        % {"field": _path((*where, key))},
                        extra={"field": _path((*where, key)), "rule": "surrogate"},
                    )
                stack.append(((*where, key), inner))
        elif isinstance(item, list):
            stack.extend(((*where, index), inner) for index, inner in enumerate(item))
        elif isinstance(item, str):
            if _has_surrogate(item):
                raise ValidationFailed(
                    _("%(field)s: the text contains a lone surrogate, which is not text.") % {"field": _path(where)},
                    extra={"field": _path(where), "rule": "surrogate"},
                )
        elif isinstance(item, _Constant) or (isinstance(item, float) and not math.isfinite(item)):
            raise ValidationFailed(
                _("%(field)s: enter a finite number (NaN and Infinity are not numbers in JSON).")
                % {"field": _path(where)},
                extra={"field": _path(where), "rule": "finite"},
            )
        elif isinstance(item, int) and not isinstance(item, bool) and not INT64_MIN <= item <= INT64_MAX:
            raise ValidationFailed(
                _("%(field)s: the number is out of range (at most 19 digits).") % {"field": _path(where)},
                extra={"field": _path(where), "rule": "int64", "min": INT64_MIN, "max": INT64_MAX},
            )


def json_loads_strict(raw: bytes | str) -> Any:
    """Decode a JSON request body and check it with ``value_check``.

    Args:
        raw: the body (UTF-8, -16 or -32 as RFC 8259 §8.1 allows ``json.loads`` to detect).

    Returns:
        The decoded value.

    Raises:
        ValidationFailed: ``rule`` ``json`` (``field`` ``body``) for text that is not JSON or not
            Unicode; otherwise as ``value_check``.
    """
    try:
        # Python's limit on digits in an int (4300) already refuses absurdly long numbers as ValueError.
        value = json.loads(raw, parse_constant=_Constant)
    except (ValueError, RecursionError) as error:
        raise ValidationFailed(
            _("The request body is not valid JSON."),
            extra={"field": "body", "rule": "json", "detail": str(error)[:200]},
        ) from None
    value_check(value)
    return value
