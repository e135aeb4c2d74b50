from clausematch.main.routes import bp  # noqa: F401
