"""Canonical JSON: one byte string per value, so that hashes and signatures are reproducible."""

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialize ``value`` with sorted keys, no insignificant whitespace and UTF-8 text.

    The same subset of RFC 8785 (JCS) that matters for our values: objects, arrays, strings,
    integers, booleans and null. Floats are refused (their text form differs between
    implementations), as are NaN and infinities.

    Raises:
        TypeError: ``value`` holds a float or a type JSON cannot express.
    """
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical JSON takes no floats; store decimals as strings")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _reject_floats(item)
