"""``egov intake work|status``: the intake worker (内网办理) and the queue's state.

``egov intake work [--once] [--idle SECONDS] [--nice N]``: turn waiting intake records into cases,
oldest first, until stopped (SIGTERM or SIGINT: the record in hand is finished first). On PostgreSQL it sleeps in
``LISTEN egov_intake`` (the public site's ``NOTIFY`` wakes it at once) and looks anyway every
``--idle`` seconds (default 5); on SQLite it polls every 0.2 s. Each record is one transaction
(``egov.services.actions.intake.intake_process_next``): a worker killed at any moment loses nothing and
makes nothing twice. ``--once`` processes what waits and exits, printing ``{"processed": N}``.
Several workers may run side by side (``FOR UPDATE SKIP LOCKED``). ``--nice N`` (0–19) runs it at a
lower CPU priority, and its session's autogroup when it leads its session
(``egov.core.processes.lower_cpu_priority``): on cores shared with the public site the receipts are
answered first (docs/operations.md).

``egov intake status``: one JSON line ``{"waiting", "oldest_age_seconds", "failed", "done"}``.
"""

import json
import select
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Min
from django.utils import timezone

from egov.core.processes import lower_cpu_priority
from egov.services.actions.intake import INTAKE_CHANNEL, intake_process_next, intake_work
from egov.services.models import IntakeRecord


class Command(BaseCommand):
    help = "The intake worker: 'work' turns intake records into cases; 'status' prints the queue as JSON."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        work = sub.add_parser("work", help="turn waiting intake records into cases until stopped")
        work.add_argument("--once", action="store_true", help="process what waits, then exit")
        work.add_argument("--idle", type=float, default=5.0, help="seconds between looks when not woken")
        work.add_argument("--nice", type=int, default=0,
                          help="CPU niceness 0-19, and its session's autogroup's when it leads its session "
                               "(default 0: unchanged); 10 on cores shared with the public site")
        sub.add_parser("status", help="the queue as one JSON line")

    def handle(self, *args, step, **options):
        if step == "status":
            return self._status()
        if options["idle"] <= 0:
            raise CommandError("--idle: give a number of seconds above 0", returncode=2)
        if not 0 <= options["nice"] <= 19:
            raise CommandError("--nice: give a number from 0 to 19", returncode=2)
        priority = lower_cpu_priority(options["nice"]) if options["nice"] else None
        if options["once"]:
            self.stdout.write(json.dumps({"processed": intake_work()}))
            return None
        return self._loop(options["idle"], priority)

    def _status(self) -> None:
        counts = dict(IntakeRecord.objects.values_list("state").annotate(n=Count("id")).order_by())
        oldest = IntakeRecord.objects.filter(state="waiting").aggregate(t=Min("received_at"))["t"]
        self.stdout.write(json.dumps({
            "waiting": counts.get("waiting", 0), "failed": counts.get("failed", 0), "done": counts.get("done", 0),
            "oldest_age_seconds": round((timezone.now() - oldest).total_seconds(), 1) if oldest else None}))

    def _loop(self, idle: float, priority: dict | None) -> None:
        stopping = []

        def stop(_signum, _frame):
            stopping.append(True)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        listening = connection.vendor == "postgresql"
        if listening:
            self._listen()
        niced = ""
        if priority:
            group = priority["autogroup"]
            niced = f", nice {priority['nice']}, " + ("no autogroup" if group is None else f"autogroup nice {group}")
        self.stderr.write(f"intake worker ready ({'LISTEN ' + INTAKE_CHANNEL if listening else 'polling'}{niced})")
        while not stopping:
            try:
                if intake_process_next() is not None:
                    continue
                if listening:
                    self._wait_for_notify(idle)
                else:
                    time.sleep(0.2)
            except (OperationalError, InterfaceError) as error:
                # The database went away (a failover): the record in hand stayed waiting; connect
                # again (to the new primary) and LISTEN again, once a second until it answers.
                self.stderr.write(f"intake worker: database connection lost ({type(error).__name__}); reconnecting")
                connection.close()
                time.sleep(1)
                if listening:
                    try:
                        self._listen()
                    except (OperationalError, InterfaceError):
                        connection.close()
        self.stderr.write("intake worker stopped")

    @staticmethod
    def _listen() -> None:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {INTAKE_CHANNEL}")

    @staticmethod
    def _wait_for_notify(idle: float) -> None:
        """Sleep until a NOTIFY arrives on the channel or ``idle`` seconds pass; drain what came."""
        raw = connection.connection  # psycopg 3 connection, autocommit outside transactions
        if transaction.get_connection().in_atomic_block:
            return
        try:
            select.select([raw.fileno()], [], [], idle)
        except InterruptedError:
            return
        with connection.wrap_database_errors:  # a lost connection raises Django's OperationalError
            for _notify in raw.notifies(timeout=0, stop_after=100):
                pass
