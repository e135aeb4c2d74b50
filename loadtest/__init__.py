"""The load test (`make loadtest`, `python -m loadtest`): locust's journeys in locustfile.py, the
driver that starts `make serve`, runs them and prints the French summary in __main__.py."""
