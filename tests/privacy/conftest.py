"""The erasure tests reuse the reporting tests' hand-computed territory (tests/reporting/conftest.py):
its figures are known, and the person erased is counted in every report."""
from reporting.conftest import scope_of, world  # noqa: F401 — fixtures re-exported
