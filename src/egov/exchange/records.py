"""Where a node's services find their records. Part 1 reads UTF-8 CSV files (one header row)."""

import csv
import threading
from pathlib import Path

_cache: dict[tuple[Path, str], dict[str, dict]] = {}
_lock = threading.Lock()


def csv_lookup(*, path: Path, key: str, value: str) -> dict | None:
    """The row of ``path`` whose ``key`` column equals ``value`` (as a dict of strings), or None.

    The file is read once per process and indexed by ``key``; a later duplicate key wins.
    """
    with _lock:
        index = _cache.get((path, key))
        if index is None:
            with path.open(encoding="utf-8", newline="") as handle:
                index = {row[key]: row for row in csv.DictReader(handle)}
            _cache[(path, key)] = index
    return index.get(value)
