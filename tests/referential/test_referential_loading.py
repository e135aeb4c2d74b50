"""`flask ref load`: the bundled reference data, loaded idempotently.

The test database already holds the data (loaded once per run by tests/conftest.py), so every
load here is a re-run; each test leaves the tables as it found them.
"""
import sqlalchemy as sa

from clausematch.referential.loading import load_reference_data
from clausematch.referential.models import Commune, RomeAppellation, RomeCode

EXPECTED = {"codes ROME": 532, "appellations": 11061, "communes": 34913}


def table_counts(db) -> dict[str, int]:
    count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
    return {"codes ROME": count(RomeCode), "appellations": count(RomeAppellation), "communes": count(Commune)}


def test_a_second_load_writes_nothing(db, count_queries):
    assert table_counts(db) == EXPECTED
    with count_queries() as statements:
        assert load_reference_data() == EXPECTED
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert table_counts(db) == EXPECTED


def test_a_load_restores_changed_labels_and_missing_rows(db):
    db.session.execute(sa.update(RomeAppellation).where(RomeAppellation.code == 16250).values(label="Maçon modifié"))
    db.session.execute(sa.update(Commune).where(Commune.insee_code == "93066")
                       .values(name="Saint-Denis modifié", postcodes="93999", population=1))
    db.session.execute(sa.delete(RomeAppellation).where(RomeAppellation.code == 16256))
    db.session.commit()

    assert load_reference_data() == EXPECTED

    db.session.expire_all()
    assert db.session.get(RomeAppellation, 16250).label == "Maçon / Maçonne"
    saint_denis = db.session.get(Commune, "93066")
    assert (saint_denis.name, saint_denis.postcodes, saint_denis.population) == (
        "Saint-Denis", "93200 93210 93380", 141441)
    assert db.session.get(RomeAppellation, 16256).label == "Maçon / Maçonne pierre"
    assert table_counts(db) == EXPECTED


def test_flask_ref_load_says_what_it_loaded_in_french(runner, db):
    result = runner.invoke(args=["ref", "load"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Référentiels chargés : codes ROME 532, appellations 11061, communes 34913"
    assert table_counts(db) == EXPECTED
