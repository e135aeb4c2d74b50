"""`make loadtest` (`python -m loadtest --help`): starts `make serve` (production mode, 4 gunicorn
workers by default) on a database filled by `flask seed scale`, plays loadtest/locustfile.py with
locust headless (50 users by default), then prints per page p50 / p95 / p99 and the error rate
against the targets (p95 ≤ 500 ms, exports ≤ 3 s, facilitator's home ≤ 300 ms), the resident
memory of each worker (RSS and PSS from /proc/<pid>/smaps_rollup) and the load average.

The server runs as behind a reverse proxy terminating HTTPS: TRUSTED_PROXIES=1, and the
simulated users send X-Forwarded-Proto/-For (one address each: the per-IP throttling of the login
form counts each user apart, it stays on). SESSION_COOKIE_SECURE=0, because locust's client speaks
plain HTTP to gunicorn and would not send back a Secure cookie; MAIL_TRANSPORT=log, a random
SECRET_KEY; everything else as in production.
"""
import argparse
import csv
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/clausematch_scale"
STARTUP_LIMIT = 600  # seconds: migrations, referentials and the preloaded app on a big database
TARGET_MS, EXPORT_TARGET_MS, HOME_TARGET_MS = 500, 3000, 300


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description="Test de charge de ClauseMatch.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
                        help="base remplie par « flask seed scale » (défaut : DATABASE_URL, sinon clausematch_scale)")
    parser.add_argument("--users", type=int, default=50, help="utilisateurs simulés (50)")
    parser.add_argument("--spawn-rate", type=float, default=5, help="utilisateurs lancés par seconde (5)")
    parser.add_argument("--duration", default="3m", help="durée de la mesure, format locust : 30s, 3m (3m)")
    parser.add_argument("--warm-up", default="", help="tour de chauffe non compté avant la mesure (ex. 90s)")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn (4)")
    parser.add_argument("--gunicorn-args", default="",
                        help="réglages gunicorn ajoutés (GUNICORN_CMD_ARGS), par ex. « --timeout 300 »")
    parser.add_argument("--port", type=int, default=0, help="port du serveur (défaut : un port libre)")
    parser.add_argument("--output", default=str(ROOT / ".loadtest"), help="dossier des CSV et journaux de locust")
    args = parser.parse_args(argv)
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    port = args.port or _free_port()
    base = f"http://127.0.0.1:{port}"
    territories = _territories(args.database_url)
    print(f"Base : {_volume(args.database_url)} ; {territories} territoire(s).", flush=True)
    env = {**os.environ, "CLAUSEMATCH_ENV": "production", "DATABASE_URL": args.database_url,
           "SECRET_KEY": secrets.token_hex(32), "PUBLIC_BASE_URL": base, "MAIL_TRANSPORT": "log",
           "TRUSTED_PROXIES": "1", "SESSION_COOKIE_SECURE": "0", "PORT": str(port), "WORKERS": str(args.workers),
           "SCHEDULER_ENABLED": "0"}
    if args.gunicorn_args:
        env["GUNICORN_CMD_ARGS"] = args.gunicorn_args
    log = (output / "serve.log").open("w")
    server = subprocess.Popen(["make", "--no-print-directory", "serve"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_served(server, f"{base}/healthz")
        locust_env = {**os.environ, "LOADTEST_TERRITORIES": str(territories),
                      "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        if args.warm_up:
            print(f"Tour de chauffe ({args.warm_up}, non compté)…", flush=True)
            _locust(args, base, args.warm_up, output / "chauffe", locust_env)
        print(f"Mesure : {args.users} utilisateurs, {args.duration}, {args.workers} processus gunicorn…", flush=True)
        load_before = os.getloadavg()
        _locust(args, base, args.duration, output / "mesure", locust_env)
        memory = _worker_memory(server.pid)
        load_after = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
        log.close()
    rows = _read_stats(output / "mesure_stats.csv")
    print(summary(rows))
    print("Mémoire par processus gunicorn (Mo) : " + (", ".join(
        f"RSS {rss:.0f} / PSS {pss:.0f}" for rss, pss in memory) or "non mesurée (/proc absent)"))
    print("Charge de la machine (load average 1/5/15 min) : avant " + _loads(load_before) + ", après "
          + _loads(load_after))
    failures = sum(int(row["Failure Count"]) for row in rows if row["Name"] != "Aggregated")
    return 1 if failures else 0


def _locust(args, base: str, duration: str, prefix: Path, env: dict) -> None:
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtest" / "locustfile.py"), "--headless",
               "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", duration,
               "--host", base, "--csv", str(prefix), "--only-summary", "--stop-timeout", "10",
               "--exit-code-on-error", "0"]
    with (prefix.parent / f"{prefix.name}.log").open("w") as log:
        subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)


def _read_stats(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def target_ms(name: str) -> int | None:
    """The p95 target of a page; none for sending the login form (password hashing is slow on purpose)."""
    if name == "/connexion (envoi)":
        return None
    if "/export." in name:
        return EXPORT_TARGET_MS
    return HOME_TARGET_MS if name == "/facilitateur" else TARGET_MS


def summary(rows: list[dict]) -> str:
    """The French table: per page, requests, errors, p50 / p95 / p99 and the p95 target met or not."""
    lines = ["| Page | Requêtes | Erreurs | p50 (ms) | p95 (ms) | p99 (ms) | Objectif p95 | Résultat |",
             "|---|---|---|---|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        count, failures = int(row["Request Count"]), int(row["Failure Count"])
        rate = f"{failures} ({100 * failures / count:.1f} %)".replace(".", ",") if count else "0"
        p50, p95, p99 = (row[k] for k in ("50%", "95%", "99%"))
        if row["Name"] == "Aggregated":
            lines.append(f"| **Toutes les pages** | {count} | {rate} | {p50} | {p95} | {p99} | | |")
            continue
        target = target_ms(row["Name"])
        met = target is not None and p95 not in ("N/A", "") and float(p95) <= target and failures == 0
        verdict = "—" if target is None else "atteint" if met else "manqué"
        lines.append(f"| `{row['Type']} {row['Name']}` | {count} | {rate} | {p50} | {p95} | {p99} | "
                     f"{'—' if target is None else f'≤ {target} ms'} | {verdict} |")
    return "\n".join(lines)


def _worker_memory(make_pid: int) -> list[tuple[float, float]]:
    """(RSS, PSS) in MB of each gunicorn worker: the children of the master, itself make's child."""
    def children(pid: int) -> list[int]:
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    def rollup(pid: int) -> tuple[float, float]:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:])
        return tuple(int(fields[k].split()[0]) / 1024 for k in ("Rss", "Pss"))

    memory = []
    for master in children(make_pid):
        for worker in children(master):
            try:
                memory.append(rollup(worker))
            except OSError:
                continue
    return memory


def _loads(loads: tuple) -> str:
    return " / ".join(f"{value:.2f}".replace(".", ",") for value in loads)


def _territories(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT COUNT(*) FROM territories")).scalar_one() or 1
    finally:
        engine.dispose()


def _volume(url: str) -> str:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            counts = {label: conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                      for label, table in (("candidats", "candidates"), ("offres", "offers"),
                                           ("relevés d'heures", "hours_entries"))}
    finally:
        engine.dispose()
    return ", ".join(f"{count} {label}" for label, count in counts.items())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_served(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("make serve s'est arrêté : voir le journal dans le dossier de sortie (serve.log).")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit("Le serveur ne répond pas : voir serve.log.")


if __name__ == "__main__":
    sys.exit(main())
