"""`make serve` for real: migrations, reference data, then gunicorn (2 workers, application
preloaded) in production mode on a free port of 127.0.0.1, answering /healthz and a page; and
the refusals, in French, of a production start without its SECRET_KEY or its DATABASE_URL.

The database is a temporary SQLite file, or a throwaway PostgreSQL database on the PostgreSQL
pass (--db postgresql)."""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS_DIR = ROOT / "tests"
# Variables the suite's own environment may hold that would change what is started.
LEFT_OUT = ("CLAUSEMATCH_ENV", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT", "WORKERS", "HOST", "DATABASE_URL",
            "MAIL_TRANSPORT", "SMTP_HOST", "SCHEDULER_ENABLED", "MATCHING_WARM_START", "MAKEFLAGS", "MFLAGS",
            "MAKELEVEL")
STARTUP_LIMIT = 120  # seconds: a safety net for a start that hangs, not a measure


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(**values: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    env.update(values)
    return env


@pytest.fixture
def serve_database_url(request, tmp_path):
    if request.config.getoption("--db") == "postgresql":
        shared = request.config.pluginmanager.get_plugin(str(TESTS_DIR / "conftest.py"))
        url, drop = shared.create_postgres_database("clausematch_serve")
    else:
        url, drop = f"sqlite:///{tmp_path / 'serve.sqlite'}", lambda: None
    yield url
    drop()


def get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def wait_until_served(process: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        assert process.poll() is None, "make serve s'est arrêté"
        try:
            get(url)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("gunicorn ne répond pas")


def test_make_serve_migrates_loads_the_referentials_and_serves_with_two_gunicorn_workers(serve_database_url,
                                                                                       tmp_path):
    """With SCHEDULER_ENABLED=1, each worker runs the scheduler, the master none (it forks)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    env = environment(PORT=str(port), WORKERS="2", DATABASE_URL=serve_database_url,
                      SECRET_KEY="une-vraie-clé-longue-et-aléatoire-0123456789", PUBLIC_BASE_URL=base,
                      SMTP_HOST="127.0.0.1", SCHEDULER_ENABLED="1")
    with log_path.open("w") as log:
        process = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_served(process, f"{base}/healthz")
        status, _, body = get(f"{base}/healthz")
        health = json.loads(body)
        # As the reverse proxy terminating HTTPS forwards it (production cookies are HTTPS-only).
        page_status, headers, page = get(f"{base}/offres?q=ma%C3%A7on", {"X-Forwarded-Proto": "https"})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
    output = log_path.read_text()
    assert status == 200, output
    assert (health["status"], health["database"], health["outbox"]) == ("ok", "ok", {"pending": 0})
    assert health["matching_index"]["built"] is True  # in the master, before the workers were forked
    assert output.count("Index de rapprochement construit avant le démarrage des processus") == 1
    assert output.index("Index de rapprochement construit") < output.index("Booting worker")
    assert page_status == 200 and '<html lang="fr"' in page and "Offres" in page
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "max-age" in headers["Strict-Transport-Security"]
    assert "Référentiels chargés : codes ROME 532" in output  # the referentials, never the demo
    assert "Territoire de démonstration" not in output
    workers = set(re.findall(r"Booting worker with pid: (\d+)", output))
    assert len(workers) == 2
    assert set(re.findall(r"Planificateur démarré \(processus (\d+)\)", output)) == workers
    assert output.count("Planificateur démarré") == 2
    assert f"Listening at: {base}" in output


def test_gunicorn_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    env = environment(PORT=str(free_port()), WORKERS="2", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}",
                      PUBLIC_BASE_URL="https://clausematch.exemple.fr", SMTP_HOST="127.0.0.1")
    result = subprocess.run([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=STARTUP_LIMIT)
    assert result.returncode != 0
    assert "SECRET_KEY manquante : en production" in result.stderr
    assert "Booting worker" not in result.stderr  # preloaded: refused before any worker starts


def test_make_serve_requires_a_database_url():
    result = subprocess.run(["make", "--no-print-directory", "serve"], cwd=ROOT, capture_output=True, text=True,
                            env=environment(SECRET_KEY="une-vraie-clé-longue-et-aléatoire-0123456789"),
                            timeout=STARTUP_LIMIT)
    assert result.returncode != 0
    assert "DATABASE_URL manquante : make serve est la commande de production" in result.stderr
