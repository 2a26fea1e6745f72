"""The CPU priority of a background process that shares the cores with the public site.

On Linux with session autogroups (``/proc/sys/kernel/sched_autogroup_enabled`` = 1, most
distributions' default), the scheduler first shares the CPU equally between sessions and only then,
inside one session, by nice value (sched(7), "The autogroup feature"). A process started in a session
of its own — a daemon, a systemd service, ``deploy/local/layout.py``'s processes — that only calls
``nice(2)`` (``nice -n 10 egov intake work``) therefore still takes a full session's share against
the web server's session: measured on this 2-core machine, the intake worker at ``nice 10`` took
~0.5 of a core during a burst of submissions and the answers fell from 0.38× to 0.30× of ``/health``
(bench/README.md). Lowering the priority of the process's autogroup too (writing the nice value to
``/proc/self/autogroup``) makes it yield the cores as meant. Only a process that leads its session
does so: one started from a shell shares the shell's session (and autogroup) with whatever else
runs there, where ``nice(2)`` already acts, and the whole session must not be slowed for it.
"""

import contextlib
import os
import re
import time
from pathlib import Path

AUTOGROUP = Path("/proc/self/autogroup")
# The kernel takes one autogroup write per 100 ms from all unprivileged processes together: tries this
# far apart, as many as several workers started at once need.
AUTOGROUP_RETRY_SECONDS = 0.11
AUTOGROUP_TRIES = 20


def lower_cpu_priority(niceness: int) -> dict:
    """Run the calling process at CPU niceness ``niceness`` (0–19; higher yields more), and, when it
    leads its session (``setsid``: a daemon, a systemd service, a process started with a session of
    its own), its session's autogroup at the same niceness where Linux has autogroups.

    Every thread of the process is lowered (on Linux each has its own niceness). Only lowers: a
    thread or autogroup already nicer is left alone (raising priority needs privileges).

    Returns ``{"nice": <the process's niceness now>, "autogroup": <the autogroup's niceness now, or None
    where the process is in no autogroup of its own (autogroups disabled, the default group of init's
    session, not Linux)>}``.
    Raises ``ValueError`` when ``niceness`` is outside 0–19. An autogroup that refuses the write
    (``OSError``: a kernel or container that forbids it) is left as it was and reported as it is; one
    refused for the kernel's rate limit (EAGAIN: another process wrote one less than 100 ms before)
    is tried again (``_autogroup_write``).
    Source: sched(7) "The autogroup feature", "The nice value and group scheduling"; nice(2).
    """
    if not 0 <= niceness <= 19:
        raise ValueError(f"niceness {niceness}: give a number from 0 to 19")
    # On Linux a niceness belongs to each thread (setpriority(2) "BUGS"): every thread already running
    # (a library's pool started at import, say) is lowered, and threads started later inherit it.
    for thread in _thread_ids():
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            if niceness > os.getpriority(os.PRIO_PROCESS, thread):
                os.setpriority(os.PRIO_PROCESS, thread, niceness)
    group = _autogroup_nice()
    if group is not None and niceness > group and os.getsid(0) == os.getpid():
        _autogroup_write(niceness)
        group = _autogroup_nice()
    return {"nice": os.getpriority(os.PRIO_PROCESS, 0), "autogroup": group}


def _autogroup_write(niceness: int) -> None:
    """Set this process's autogroup's niceness. A write refused with EAGAIN is tried again
    (``AUTOGROUP_TRIES`` times, ``AUTOGROUP_RETRY_SECONDS`` apart): an unprivileged process may write
    an autogroup only 100 ms after any other did (kernel/sched/autogroup.c,
    ``proc_sched_autogroup_set_nice``), so of two workers started at once the second was refused. Any
    other refusal (a container, a kernel that forbids it) leaves the autogroup as it was."""
    for _ in range(AUTOGROUP_TRIES):
        try:
            AUTOGROUP.write_text(str(niceness))
        except BlockingIOError:  # EAGAIN: another process's write less than 100 ms ago
            time.sleep(AUTOGROUP_RETRY_SECONDS)
        except OSError:
            return
        else:
            return


def _thread_ids() -> list[int]:
    """The ids of this process's threads (``/proc/self/task``); ``[0]`` (the caller) without /proc."""
    try:
        return [int(entry) for entry in os.listdir("/proc/self/task")]
    except OSError:
        return [0]


def _autogroup_nice() -> int | None:
    """The niceness of this process's autogroup (``/autogroup-85 nice 0`` → 0), or None without one:
    no ``/proc/self/autogroup``, or an empty one: the kernel prints nothing for a process in the
    default autogroup, whose session never had one of its own (init's session; a container or CI
    runner whose jobs run in its first process's session) (kernel/sched/autogroup.c,
    ``proc_sched_autogroup_show_task``)."""
    try:
        text = AUTOGROUP.read_text()
    except OSError:
        return None
    found = re.search(r"\bnice\s+(-?\d+)", text)
    return int(found[1]) if found else None
