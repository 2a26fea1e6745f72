"""Key files made once: every process starting at the same moment ends with the same key."""

import multiprocessing
import os
import secrets
import stat

from egov.core.keyfiles import key_file_once


def _take(path, barrier, queue):
    barrier.wait()
    queue.put(key_file_once(path, lambda: secrets.token_bytes(32)))


def test_processes_starting_together_share_one_key(tmp_path):
    path = tmp_path / "var" / "secret_key"
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(8), context.Queue()
    processes = [context.Process(target=_take, args=(path, barrier, queue)) for _ in range(8)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert len(set(keys)) == 1 and len(keys[0]) == 32
    assert path.read_bytes() == keys[0]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]  # no temporary file left


def test_an_existing_key_is_kept(tmp_path):
    path = tmp_path / "secret_key"
    path.write_bytes(b"kept")
    assert key_file_once(path, lambda: b"new") == b"kept"
