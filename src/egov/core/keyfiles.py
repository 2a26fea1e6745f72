"""Secrets generated once into a file of the data folder, when no environment variable gives them.

Pure Python (no Django): ``settings.py`` uses it while the settings load.
"""

import os
from collections.abc import Callable
from pathlib import Path


def key_file_once(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes of the key file ``path``, made by ``make()`` when the file does not exist yet.

    The new key is written to a temporary file of mode 0600 and linked into place: when several
    processes start at once, the first link wins and every process returns that one key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.parent / f".{path.name}.{os.getpid()}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(make())
        try:
            os.link(temporary, path)  # the first process wins; the others read its key
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_bytes()
