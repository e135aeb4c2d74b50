"""Two delivery runs at the same moment (two gunicorn workers, two machines, a run declared dead
while still working) send each message exactly once: each claims its batch with
`FOR UPDATE SKIP LOCKED` and the other skips those rows. Real parallel connections released
together (tests/concurrency.py); the SMTP server counts what it received."""
from collections import Counter

import pytest
from concurrency import failures, race

from clausematch.notifications import deliver_outbox, queue_email

MESSAGES = 40


@pytest.mark.postgres
@pytest.mark.parametrize("workers", [2, 4])
def test_parallel_delivery_runs_send_each_message_exactly_once(smtp_app, db, mailroom, workers):
    for n in range(MESSAGES):
        queue_email(f"personne{n}@exemple.fr", f"Message {n}", "Bonjour")
    db.session.commit()

    def drain() -> int:
        sent = 0
        while (delivery := deliver_outbox(limit=3)).sent:  # small batches: the runs interleave
            sent += delivery.sent
        return sent

    outcomes = race([smtp_app] * workers, [drain] * workers)

    assert failures(outcomes) == [] and sum(outcomes) == MESSAGES
    assert Counter(mailroom.subjects()) == Counter(f"Message {n}" for n in range(MESSAGES))
