"""``lower_cpu_priority``: the process and its session's autogroup yield the cores (sched(7)).

Each case runs in a child process, most in a session of their own (``os.setsid``: a new autogroup),
so that neither the test run nor the terminal it runs in is niced.
"""

import errno
import multiprocessing
import os
import re
import threading
from pathlib import Path

import pytest

from egov.core import processes
from egov.core.processes import lower_cpu_priority


def _autogroup_of_this_run() -> int | None:
    # "/autogroup-85 nice 0" (sched(7)); empty where the run is in the default autogroup (a CI
    # runner's jobs in its first process's session), where the shared-autogroup case does not apply.
    try:
        found = re.search(r"nice (-?\d+)", Path("/proc/self/autogroup").read_text())
    except OSError:
        return None
    return int(found[1]) if found else None


AUTOGROUPS = Path("/proc/self/autogroup").exists()


def _in_own_session(start_nice: int, niceness: int, answers, *, leader: bool = True) -> None:
    if leader:
        os.setsid()
    os.setpriority(os.PRIO_PROCESS, 0, start_nice)
    try:
        answers.put(lower_cpu_priority(niceness))
    except ValueError as error:
        answers.put(str(error))


def _run(start_nice: int, niceness: int, *, leader: bool = True):
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_in_own_session, args=(start_nice, niceness, answers),
                            kwargs={"leader": leader})
    child.start()
    answer = answers.get(timeout=30)
    child.join(timeout=30)
    assert child.exitcode == 0
    return answer


@pytest.mark.skipif(not AUTOGROUPS, reason="this kernel has no autogroups (/proc/self/autogroup)")
def test_the_process_and_its_autogroup_are_niced():
    # A new session's autogroup starts at nice 0 (sched(7)); both end at 10.
    assert _run(0, 10) == {"nice": 10, "autogroup": 10}


@pytest.mark.skipif(not AUTOGROUPS, reason="this kernel has no autogroups (/proc/self/autogroup)")
def test_a_process_already_nicer_is_left_alone_and_only_its_autogroup_is_lowered():
    assert _run(15, 5) == {"nice": 15, "autogroup": 5}


@pytest.mark.skipif(_autogroup_of_this_run() is None, reason="the test run is in no autogroup")
def test_a_process_in_another_s_session_leaves_that_session_s_autogroup_alone():
    # Not its session's leader (started from a shell, say): only the process is niced; the
    # autogroup it shares with the test run keeps the niceness it had.
    shared = _autogroup_of_this_run()
    assert _run(0, 12, leader=False) == {"nice": 12, "autogroup": shared}
    assert _autogroup_of_this_run() == shared


def test_a_process_in_no_autogroup_is_niced_and_says_so(tmp_path, monkeypatch):
    # In the default autogroup the kernel prints an empty /proc/self/autogroup (a CI runner's: this
    # failed there with an IndexError before); the process is niced, the autogroup reported as None
    # and never written.
    empty = tmp_path / "autogroup"
    empty.write_text("")
    monkeypatch.setattr(processes, "AUTOGROUP", empty)
    assert _run(0, 7) == {"nice": 7, "autogroup": None}
    assert empty.read_text() == ""


class _RateLimitedAutogroup:
    """``/proc/self/autogroup`` as an unprivileged process meets it when another process wrote an
    autogroup's niceness less than 100 ms before: the write fails with EAGAIN (kernel/sched/autogroup.c,
    ``proc_sched_autogroup_set_nice``), ``refusals`` times here."""

    def __init__(self, refusals: int):
        self.nice, self.refusals = 0, refusals

    def read_text(self) -> str:
        return f"/autogroup-85 nice {self.nice}\n"

    def write_text(self, text: str) -> None:
        if self.refusals:
            self.refusals -= 1
            raise OSError(errno.EAGAIN, "Resource temporarily unavailable")
        self.nice = int(text)


def test_an_autogroup_write_refused_for_the_kernels_rate_limit_is_tried_again(monkeypatch):
    # Found by testerB: three workers started at once as an unprivileged user (nobody), each with a
    # session of its own, reported autogroup nice 10, 0 and 0: the kernel takes one autogroup write per
    # 100 ms from all unprivileged processes together, and the refused ones were left at 0.
    monkeypatch.setattr(processes, "AUTOGROUP", _RateLimitedAutogroup(refusals=2))
    assert _run(0, 10) == {"nice": 10, "autogroup": 10}


def _with_a_thread_started_before(answers) -> None:
    # A thread running before the call (as a numerical library's pool started at import): on Linux
    # each thread has its own niceness, and setpriority(PRIO_PROCESS, 0) lowers only the caller's.
    started, finish = threading.Event(), threading.Event()
    tids = []

    def pool_thread():
        tids.append(threading.get_native_id())
        started.set()
        finish.wait(30)

    thread = threading.Thread(target=pool_thread)
    thread.start()
    started.wait(30)
    lower_cpu_priority(8)
    answers.put((os.getpriority(os.PRIO_PROCESS, 0), os.getpriority(os.PRIO_PROCESS, tids[0])))
    finish.set()
    thread.join()


def test_every_thread_running_before_is_lowered_too():
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    child = context.Process(target=_with_a_thread_started_before, args=(answers,))
    child.start()
    assert answers.get(timeout=30) == (8, 8)
    child.join(timeout=30)
    assert child.exitcode == 0


@pytest.mark.parametrize("niceness", [-1, 20])
def test_a_niceness_outside_0_to_19_is_refused(niceness):
    assert _run(0, niceness) == f"niceness {niceness}: give a number from 0 to 19"
