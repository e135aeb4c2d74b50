"""A server process for the two-process test (test_changelog_processes.py): the application of
the test configuration on the database given, served on a free local port, which it prints.

    python tests/matching/serve_app.py <database URL>
"""
import sys

from werkzeug.serving import make_server

from clausematch import create_app

if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1]}), threaded=True)
    print(server.server_port, flush=True)
    server.serve_forever()
