"""Fixtures of the imports tests; the file builders are in import_files.py."""
import pytest


@pytest.fixture
def facilitator(personas):
    return personas["facilitator"]
