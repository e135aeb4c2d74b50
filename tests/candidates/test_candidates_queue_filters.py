"""The eligibility queue's filters: criterion, prescriber, name, age of the request; kept across
pages; bounded queries."""
from datetime import timedelta

import pytest

from clausematch.candidates.models import EligibilityCriterion
from clausematch.database import utcnow
from clausematch.vocabulary import Criterion


def _declare(db, candidate, criterion, days_ago=0):
    candidate.criteria.append(EligibilityCriterion(criterion=criterion, evidence="vu",
                                                   declared_at=utcnow() - timedelta(days=days_ago)))
    db.session.commit()


@pytest.fixture
def queue(db, prescriber, other_prescriber, record):
    benoit = record(prescriber.organisation, first_name="Benoît", last_name="Martin")
    awa = record(other_prescriber.organisation, first_name="Awa", last_name="Diallo")
    _declare(db, benoit, Criterion.RSA, days_ago=40)
    _declare(db, awa, Criterion.DELD, days_ago=3)
    _declare(db, awa, Criterion.RSA, days_ago=20)
    return benoit, awa


def _rows(html):
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


@pytest.mark.parametrize("args, shown, hidden", [
    ("critere=deld", ["DIALLO"], ["MARTIN"]),
    ("nom=benoit", ["MARTIN"], ["DIALLO"]),
    ("nom=dia", ["DIALLO"], ["MARTIN"]),
    ("anciennete=30", ["MARTIN"], ["DIALLO"]),
    ("anciennete=15&critere=rsa", ["MARTIN", "DIALLO"], []),
])
def test_queue_filters(db, client, login_as, queue, args, shown, hidden):
    login_as("facilitator")
    html = client.get(f"/eligibilites?{args}").get_data(as_text=True)
    rows = _rows(html)
    for name in shown:
        assert name in rows
    for name in hidden:
        assert name not in rows
    assert "Effacer les filtres" in html and "<legend" in html


def test_queue_prescriber_filter_and_count(db, client, login_as, queue, other_prescriber):
    login_as("facilitator")
    html = client.get(f"/eligibilites?prescripteur={other_prescriber.organisation.id}").get_data(as_text=True)
    assert "2 critères à valider" in html and "MARTIN" not in _rows(html)
    assert 'role="status"' in html


def test_queue_filters_are_kept_by_pagination(app, db, client, login_as, prescriber, record):
    app.config["PAGE_SIZE"] = 2
    for n in range(5):
        _declare(db, record(prescriber.organisation, first_name="Jean", last_name=f"Petit{n}"), Criterion.RSA)
    login_as("facilitator")
    html = client.get("/eligibilites?critere=rsa&nom=petit").get_data(as_text=True)
    assert "critere=rsa" in html.split('rel="next"')[0].rsplit("href=", 1)[1]
    assert "nom=petit" in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_queue_query_count_does_not_grow(db, count_queries, client, login_as, prescriber, record):
    login_as("facilitator")
    path = f"/eligibilites?critere=rsa&nom=jean&anciennete=7&prescripteur={prescriber.organisation.id}"

    def statements():
        db.session.expire_all()
        with count_queries() as run:
            assert client.get(path).status_code == 200
        return len(run)

    for n in range(3):
        _declare(db, record(prescriber.organisation, first_name="Jean", last_name=f"A{n}"), Criterion.RSA, 10)
    few = statements()
    for n in range(27):
        _declare(db, record(prescriber.organisation, first_name="Jean", last_name=f"B{n}"), Criterion.RSA, 10)
    assert statements() == few
    assert few <= 10
