"""/admin/journal: the administrators' audit viewer, filtered by person, user, organisation,
action and period (French dates), paginated in SQL with a bounded number of queries."""
import html
from datetime import datetime

import sqlalchemy as sa
from factories import CandidateInTerritoryFactory

from clausematch.audit import AuditEvent, record


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def at(event: AuditEvent, moment: str) -> None:
    event.occurred_at = datetime.fromisoformat(moment)


def rows_of(page: str) -> int:
    return page.count('<th scope="row">')


def seed(db, personas):
    person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
    other = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
    db.session.flush()
    prescriber, facilitator = personas["prescriber"], personas["facilitator"]
    at(record("candidate.viewed", "candidate", person.id, actor_id=prescriber.id, candidate_id=person.id,
              what="fiche"), "2026-03-02 09:00")
    at(record("eligibility.validated", "eligibility_criterion", 5, actor_id=facilitator.id, candidate_id=person.id),
       "2026-03-10 09:00")
    at(record("candidate.viewed", "candidate", other.id, actor_id=facilitator.id, candidate_id=other.id,
              what="parcours"), "2026-04-01 09:00")
    at(record("territory_settings_updated", "territory", 1, actor_id=facilitator.id), "2026-04-20 09:00")
    db.session.commit()
    return person, other


def test_every_filter_narrows_the_log(db, personas, client, login_as):
    person, other = seed(db, personas)
    login_as("admin")
    everything = text_of(client.get("/admin/journal"))
    assert rows_of(everything) == 4
    by_person = text_of(client.get(f"/admin/journal?personne={person.id}"))
    assert rows_of(by_person) == 2 and "Consulté (fiche)" in by_person and "Modifié : critère validé" in by_person
    by_user = text_of(client.get("/admin/journal?utilisateur=" + personas["prescriber"].email[:8]))
    assert rows_of(by_user) == 1 and "Consulté (fiche)" in by_user
    organisation_id = personas["facilitator"].organisation.id
    by_organisation = text_of(client.get(f"/admin/journal?organisation={organisation_id}"))
    assert rows_of(by_organisation) == 3
    by_action = text_of(client.get("/admin/journal?action=territory_settings_updated"))
    assert rows_of(by_action) == 1 and "Paramètres du territoire modifiés" in by_action
    march = text_of(client.get("/admin/journal?du=01/03/2026&au=31/03/2026"))
    assert rows_of(march) == 2
    assert 'value="01/03/2026"' in march  # the filters stay in the form (and in the address)


def test_the_actors_organisation_is_recorded_at_the_time(db, personas):
    event = record("candidate.viewed", "candidate", None, actor_id=personas["company"].id)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(AuditEvent, event.id).organisation_id == personas["company"].organisation.id
    system = record("hours_reminder", "lot", 1)
    db.session.commit()
    assert db.session.get(AuditEvent, system.id).organisation_id is None


def test_bad_filters_get_a_french_message_not_a_500(db, personas, client, login_as):
    login_as("admin")
    response = client.get("/admin/journal?du=31/02/2026&au=demain&personne=abc")
    page = text_of(response)
    assert response.status_code == 422
    assert "Les filtres contiennent 3 erreurs" in page
    assert "Saisissez une date au format JJ/MM/AAAA" in page and "Saisissez le numéro de la fiche" in page
    reversed_period = client.get("/admin/journal?du=10/03/2026&au=01/03/2026")
    assert reversed_period.status_code == 422
    assert "postérieure ou égale" in text_of(reversed_period)
    unknown = client.get("/admin/journal?action=drop+table&organisation=999999999999")
    assert unknown.status_code == 200  # an unknown action or organisation is ignored, like the other lists


def test_only_administrators_open_the_viewer(db, personas, client, login_as):
    for role in ("facilitator", "prescriber", "company", "buyer"):
        login_as(role)
        assert client.get("/admin/journal").status_code == 403


def test_the_viewer_runs_the_same_queries_whatever_the_log(db, personas, client, login_as, count_queries):
    login_as("admin")
    person, _ = seed(db, personas)

    def statements_for(path: str) -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    small = statements_for(f"/admin/journal?personne={person.id}&page=2")
    for _ in range(80):
        record("candidate.viewed", "candidate", person.id, actor_id=personas["facilitator"].id,
               candidate_id=person.id, what="fiche")
    db.session.commit()
    assert statements_for(f"/admin/journal?personne={person.id}&page=2") == small
    page = text_of(client.get(f"/admin/journal?personne={person.id}&page=2"))
    assert f"personne={person.id}" in page and "page=3" in page  # the filters stay in the page links
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 84
