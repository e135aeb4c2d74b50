"""Real parallel attempts for the concurrency tests (importable as `concurrency`: tests/ is on
sys.path). Each attempt runs in its own thread, inside its own application context, so with its
own session and its own database connection, as two requests or two processes would; a
threading.Barrier releases them together.

Tests that race on the database are marked `@pytest.mark.postgres`: SQLite serialises writes
(the PostgreSQL pass runs them)."""
import threading
from collections.abc import Callable, Sequence
from typing import Any

from flask import Flask

from clausematch.extensions import db

TIMEOUT = 30


def race(apps: Sequence[Flask], attempts: Sequence[Callable[[], Any]],
         before: Sequence[Callable[[], Any]] | None = None) -> list[Any]:
    """Run attempts[i] in a thread with a context of apps[i], all released together; returns
    what each returned, or the exception it raised (a refusal is an outcome, not a failure).

    `before[i]`, when given, runs first in each thread — what the page had read before the form
    was sent (the view loads the row, then calls the service) — and every thread waits for the
    others to have read before any attempt starts, so they all act on the same state."""
    outcomes: list[Any] = [None] * len(attempts)
    start = threading.Barrier(len(attempts), timeout=TIMEOUT)
    have_read = threading.Barrier(len(attempts), timeout=TIMEOUT)

    def run(index: int) -> None:
        with apps[index].app_context():
            try:
                start.wait()
                if before is not None:
                    before[index]()
                    have_read.wait()
                outcomes[index] = attempts[index]()
            except Exception as error:  # the outcome the test asserts on
                db.session.rollback()
                outcomes[index] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "an attempt is still blocked"
    return outcomes


def messages(outcomes: list[Any]) -> list[str]:
    """The French messages of the refused attempts (DomainError, JobAlreadyRunning…)."""
    return [outcome.message for outcome in outcomes if isinstance(outcome, Exception)]


def failures(outcomes: list[Any]) -> list[Exception]:
    """Attempts that failed without a French message (an IntegrityError would become a 500)."""
    return [outcome for outcome in outcomes if isinstance(outcome, Exception) and not hasattr(outcome, "message")]
