"""gunicorn's settings for `make serve` (production). Read from the environment:

- PORT (5000) and HOST (127.0.0.1: a reverse proxy in front, see README « Production »);
- WORKERS (2 × cores + 1).

The application is loaded once in the master (`preload_app`): a bad configuration stops the
start with its French message before any worker is forked. Each worker then drops the database
connections inherited from the master (never share a connection between processes). With
SCHEDULER_ENABLED=1, each worker starts the scheduler after the fork (no thread may run in the
master when it forks); the period lock in the database runs each job once per period. The
matching index is built in the master before the first fork (when_ready), shared by the workers.
"""
import multiprocessing
import os

# Read by clausematch/config.py when the app is preloaded below: the scheduler waits for post_fork.
os.environ["SCHEDULER_AFTER_FORK"] = "1"
# The matching index is built in the master before the first fork (when_ready), not by a thread
# of the preloaded app: the workers share its arrays (copy-on-write) instead of building N copies.
# MATCHING_WARM_START=0 leaves it to each worker's first ranking.
BUILD_INDEX_BEFORE_FORK = os.environ.get("MATCHING_WARM_START", "1") != "0"
os.environ["MATCHING_WARM_START"] = "0"

wsgi_app = "clausematch:create_app()"
bind = f"{os.environ.get('HOST') or '127.0.0.1'}:{os.environ.get('PORT') or '5000'}"
workers = int(os.environ.get("WORKERS") or 2 * multiprocessing.cpu_count() + 1)
preload_app = True
timeout = 60
graceful_timeout = 30
accesslog = "-"
errorlog = "-"


def when_ready(server):
    """In the master, after the sockets are bound and before the first worker is forked."""
    if not BUILD_INDEX_BEFORE_FORK:
        return
    from clausematch.extensions import db
    from clausematch.matching import services

    app = server.app.wsgi()
    with app.app_context():
        services.engine()
        server.log.info("Index de rapprochement construit avant le démarrage des processus")
        db.session.remove()
        db.engine.dispose()


def post_fork(server, worker):
    from clausematch.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
    if app.config.get("SCHEDULER_ENABLED"):
        from clausematch import scheduler

        scheduler.start(app)
