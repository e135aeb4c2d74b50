"""One web process with SCHEDULER_ENABLED=1, for tests/scheduler/test_scheduler_processes.py (not a
test module: it is run as a script, one OS process each).

    python scheduler_process.py DATABASE_URL MOMENT READY_FILE GO_FILE MODE

The process's clock is set to MOMENT (ISO, with its offset) and keeps ticking (time-machine), so
that the periods of the runs are MOMENT's. It builds the app with SCHEDULER_ENABLED=1 (its
APScheduler starts with the real job list and cron triggers), creates READY_FILE, waits for
GO_FILE, then moves every job's next run to "now": APScheduler fires them all at once, through
the same call as a cron firing (clausematch.scheduler._scheduled_call). When every job has run,
it prints a JSON line: the ids of the e-mails this process delivered (log transport).

MODE "crash": only applications.stale is fired, and the process dies (os._exit) in the middle of
its unit of work, after the silent applications were closed in the session and before the commit.
"""
import json
import logging
import os
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import time_machine

CRASH_STATUS = 3
LIMIT = 60  # seconds: a safety net for a process that hangs, not a measure


def main() -> None:
    url, moment, ready, go, mode = sys.argv[1:6]
    time_machine.travel(datetime.fromisoformat(moment), tick=True).start()
    delivered = []

    class Mailbox(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.msg.startswith("E-mail #"):
                delivered.append(record.args[0])

    mail_log = logging.getLogger("clausematch.mail")
    mail_log.setLevel(logging.INFO)
    mail_log.addHandler(Mailbox())

    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    from clausematch import create_app

    if mode == "crash":
        from clausematch.applications import stale

        stale.remind_silent = lambda before: os._exit(CRASH_STATUS)

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": True, "MAIL_TRANSPORT": "log"})
    running = app.extensions["scheduler"]
    jobs = [job for job in running.get_jobs() if mode != "crash" or job.id == "applications.stale"]
    finished, all_finished = set(), threading.Event()

    def on_event(event) -> None:
        finished.add(event.job_id)
        if finished >= {job.id for job in jobs}:
            all_finished.set()

    running.add_listener(on_event, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    Path(ready).touch()
    deadline = time.monotonic() + LIMIT
    while not os.path.exists(go):
        if time.monotonic() > deadline:
            sys.exit("GO_FILE jamais créé")
        time.sleep(0.005)
    now = datetime.now(running.timezone)
    for job in jobs:
        job.modify(next_run_time=now)
    if not all_finished.wait(LIMIT):
        sys.exit(f"Tâches non terminées : {sorted({job.id for job in jobs} - finished)}")
    running.shutdown()
    print(json.dumps({"delivered": delivered}))


if __name__ == "__main__":
    main()
