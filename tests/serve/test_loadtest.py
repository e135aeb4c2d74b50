"""`make loadtest` kept alive: a tiny database filled by `flask seed scale`, then the driver
(python -m loadtest) starting `make serve` with 2 workers and locust with 2 users for 8 s. Only
that it runs is checked (every login accepted, no request failed, the French summary printed),
never how fast: figures depend on the machine. SQLite file, or a throwaway PostgreSQL database on
the PostgreSQL pass."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TESTS_DIR = ROOT / "tests"
LEFT_OUT = ("CLAUSEMATCH_ENV", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT", "WORKERS", "HOST", "DATABASE_URL",
            "MAIL_TRANSPORT", "SMTP_HOST", "SCHEDULER_ENABLED", "MATCHING_WARM_START", "MAKEFLAGS", "MFLAGS",
            "MAKELEVEL")


@pytest.fixture
def tiny_database_url(request, tmp_path):
    if request.config.getoption("--db") == "postgresql":
        shared = request.config.pluginmanager.get_plugin(str(TESTS_DIR / "conftest.py"))
        url, drop = shared.create_postgres_database("clausematch_load")
    else:
        url, drop = f"sqlite:///{tmp_path / 'load.sqlite'}", lambda: None
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    env.update(DATABASE_URL=url, CLAUSEMATCH_ENV="development", FLASK_APP="clausematch")
    flask = str(Path(sys.executable).with_name("flask"))
    for command in (["db", "upgrade"], ["ref", "load"],
                    ["seed", "scale", "--candidates", "200", "--offers", "30", "--hours-entries", "400"]):
        subprocess.run([flask, *command], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    yield url
    drop()


def test_load_test_runs_every_journey_and_prints_the_french_summary(tiny_database_url, tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    result = subprocess.run(
        [sys.executable, "-m", "loadtest", "--database-url", tiny_database_url, "--users", "2", "--spawn-rate", "2",
         "--duration", "8s", "--workers", "2", "--output", str(tmp_path / "out")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr + (tmp_path / "out" / "serve.log").read_text()
    assert "Base : 200 candidats, 30 offres, 400 relevés d'heures ; 1 territoire(s)." in result.stdout
    assert "| `POST /connexion (envoi)` | 2 | 0 (0,0 %) |" in result.stdout
    assert "| **Toutes les pages** |" in result.stdout
    assert result.stdout.count("RSS ") == 2  # one per gunicorn worker
    assert "Charge de la machine (load average" in result.stdout
