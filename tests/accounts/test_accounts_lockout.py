"""The lockout after 5 failed logins: counted atomically (parallel attempts cannot pass it), 15
minutes from the 5th failure, and the same cost (one password check) for known, unknown and
locked accounts."""
import importlib
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from factories import TEST_PASSWORD
from werkzeug import security

from clausematch import create_app
from clausematch.extensions import db as _db

LOGIN_FAILED_HTML = "Adresse e-mail ou mot de passe incorrect."
WRONG = "mauvais-mot-de-passe"


class PasswordChecks:
    """Counts the password-hash verifications, wherever the accounts code makes them, and tells
    apart those against a user's real hash from those against the dummy hash."""

    def __init__(self, monkeypatch, real_hash: str):
        self.real_hash, self.real, self.other = real_hash, 0, 0
        self._lock = threading.Lock()
        for name in ("clausematch.accounts.login", "clausematch.accounts.services"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            if hasattr(module, "check_password_hash"):
                monkeypatch.setattr(module, "check_password_hash", self._check)

    def _check(self, password_hash, password):
        with self._lock:
            if password_hash == self.real_hash:
                self.real += 1
            else:
                self.other += 1
        return security.check_password_hash(password_hash, password)

    @property
    def total(self) -> int:
        return self.real + self.other


def refused(response) -> bool:
    return response.status_code == 200 and LOGIN_FAILED_HTML in response.get_data(as_text=True)


def test_the_lock_lasts_fifteen_minutes_from_the_fifth_failure(client, auth, personas):
    """Failures spread over 14 minutes: the lock must not end when the first one leaves the
    window (it used to, 31 s after the fifth failure)."""
    user = personas["facilitator"]
    start = datetime(2025, 3, 10, 9, 0)
    with time_machine.travel(start, tick=False) as traveller:
        auth.login(user, password=WRONG)
        traveller.shift(timedelta(minutes=14))
        for _ in range(4):
            traveller.shift(timedelta(seconds=10))
            assert refused(auth.login(user, password=WRONG))
        fifth_failure = datetime.now()
        traveller.move_to(fifth_failure + timedelta(minutes=1))
        assert refused(auth.login(user))  # the right password, during the lock
        traveller.move_to(fifth_failure + timedelta(minutes=14))
        assert refused(auth.login(user))
        traveller.move_to(fifth_failure + timedelta(minutes=16))
        assert auth.login(user).headers["Location"] == "/accueil"


def test_attempts_during_the_lock_do_not_extend_it(client, auth, personas):
    user = personas["company"]
    with time_machine.travel(datetime(2025, 3, 10, 9, 0), tick=False) as traveller:
        for _ in range(5):
            auth.login(user, password=WRONG)
        for _ in range(3):
            traveller.shift(timedelta(minutes=5))
            assert refused(auth.login(user, password=WRONG))
        traveller.shift(timedelta(minutes=1))  # 16 minutes after the fifth failure
        assert auth.login(user).headers["Location"] == "/accueil"


@pytest.mark.parametrize("case", ["known", "unknown", "locked"])
def test_known_unknown_and_locked_accounts_cost_one_password_check(client, auth, personas, monkeypatch, case):
    user = personas["prescriber"]
    if case == "locked":
        for _ in range(5):
            auth.login(user, password=WRONG)
    checks = PasswordChecks(monkeypatch, user.password_hash)
    email = "inconnu@exemple.fr" if case == "unknown" else user.email
    assert refused(client.post("/connexion", data={"email": email, "password": WRONG}))
    assert checks.total == 1
    assert checks.real == (1 if case == "known" else 0)


@pytest.fixture
def wide_app(database_url, referential_index):
    """An app whose pool holds a connection for each of the 30 threads at once."""
    from clausematch.referential import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 32, "max_overflow": 0}})
    app.extensions[search.EXTENSION_KEY] = referential_index
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.mark.postgres
def test_thirty_parallel_wrong_passwords_make_at_most_five_checks(wide_app, personas, monkeypatch):
    user = personas["buyer"]
    email, real_hash = user.email, user.password_hash
    checks = PasswordChecks(monkeypatch, real_hash)
    barrier = threading.Barrier(30)
    answers = []

    def attempt():
        with wide_app.app_context():
            client = wide_app.test_client()
            try:
                barrier.wait()
                answers.append(client.post("/connexion", data={"email": email, "password": WRONG}).status_code)
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == [200] * 30
    assert checks.real <= 5
    assert checks.total == 30  # the others checked the dummy hash: same cost
    assert refused(wide_app.test_client().post("/connexion", data={"email": email, "password": TEST_PASSWORD}))
