"""Running a coroutine to completion from synchronous code, whatever loop this thread already runs."""

import asyncio
import contextvars
import threading


def outside_event_loop(function, *args, **kwargs):
    """``function(*args, **kwargs)``, run in a worker thread (in a copy of this context) when an asyncio event
    loop already runs in this thread: pyHanko's signing and validation are coroutines run with ``asyncio.run``,
    which refuses to run inside a running loop (an async server, or Playwright's sync API in a test process:
    ``RuntimeError``). Without a running loop it is a plain call. Returns what ``function`` returns; raises
    what it raises."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function(*args, **kwargs)
        except BaseException as error:  # handed to the caller's thread below
            outcome["error"] = error

    worker = threading.Thread(target=contextvars.copy_context().run, args=(run,))
    worker.start()
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
