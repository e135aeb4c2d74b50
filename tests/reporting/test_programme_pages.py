"""Programme pages and services: creation and edition with the funnel's stages (every refusal at
once, version-checked), the programme page's funnel, CSV and command line, and the denials."""
from datetime import date

import pytest
import sqlalchemy as sa
from factories import FacilitatorTeamFactory, TerritoryFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.audit import AuditEvent
from clausematch.errors import FieldErrors, NotAllowed
from clausematch.offers.models import Programme
from clausematch.reporting import programmes
from clausematch.reporting.programmes import ProgrammeInput

STAGES = ["attended_info_session", "training_validated", "training_completed", "cdi", "in_post_after_trial"]


def form(name="Parcours désamiantage", stages=STAGES, **values) -> dict:
    data = {"name": name, "description": "Vers les métiers du désamiantage.", "start_date": "2023-01-09",
            "end_date": "2024-06-30", **values}
    data.update({f"stage_{n}": key for n, key in enumerate(stages, start=1)})
    return data


@pytest.fixture
def programme(db, territory):
    programme = Programme(territory_id=territory.id, name="Parcours test", funnel_stages=["oriented", "hired"])
    db.session.add(programme)
    db.session.commit()
    return programme


def test_facilitator_creates_a_programme_with_its_stages_in_order(db, client, login_as):
    login_as("facilitator")
    response = client.post("/programmes/nouveau", data=form(stages=["cdi", "", "attended_info_session", "hired"]))
    assert response.status_code == 302
    programme = db.session.scalars(sa.select(Programme)).one()
    assert programme.funnel_stages == ["cdi", "attended_info_session", "hired"]  # empty position left out
    assert (programme.start_date, programme.end_date, programme.version) == (date(2023, 1, 9), date(2024, 6, 30), 1)
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_id == programme.id)) == \
        "programme_created"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    labels = ["En CDI (conversions comprises)", "Présentes à une réunion d&#39;information collective",
              "Embauchées sur la clause"]
    positions = [page.index(f'<th scope="row">{label}</th>') for label in labels]
    assert positions == sorted(positions)


def test_empty_submit_lists_every_refusal_at_once(db, client, login_as):
    login_as("facilitator")
    response = client.post("/programmes/nouveau", data=form(name="", stages=["cdi"], start_date="2024-02-01",
                                                            end_date="2024-01-01"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Le formulaire contient 3 erreurs" in page
    for message in ("Indiquez le nom du programme.", "La fin du programme ne peut pas précéder son début.",
                    "Choisissez au moins 2 étapes pour l&#39;entonnoir, dans l&#39;ordre."):
        assert message in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Programme)) == 0


def test_a_stage_twice_or_unknown_is_refused(territory, personas):
    facilitator = personas["facilitator"]
    with pytest.raises(FieldErrors) as refused:
        programmes.check_programme(facilitator, ProgrammeInput("P", stages=["cdi", "hired", "cdi"]))
    assert refused.value.errors[0].field == "stages" and "« En CDI (conversions comprises) »" in refused.value.message
    with pytest.raises(FieldErrors, match="liste proposée"):
        programmes.create_programme(facilitator, ProgrammeInput("P", stages=["cdi", "everyone"]))


def test_edit_keeps_the_version_and_refuses_a_stale_one(db, client, login_as, programme):
    login_as("facilitator")
    page = client.get(f"/programmes/{programme.id}/modifier").get_data(as_text=True)
    assert '<option selected value="oriented">' in page or 'value="oriented" selected' in page
    response = client.post(f"/programmes/{programme.id}/modifier", data=form(version="1"))
    assert response.status_code == 302
    db.session.expire_all()
    assert programme.funnel_stages == STAGES and programme.version == 2
    stale = client.post(f"/programmes/{programme.id}/modifier", data=form(name="Autre nom", version="1"))
    assert stale.status_code == 422
    assert "Quelqu&#39;un d&#39;autre a enregistré cette fiche" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert programme.name == "Parcours désamiantage" and programme.version == 2


def test_programme_page_shows_counts_rates_and_definitions_and_csv(db, client, login_as, programme):
    login_as("facilitator")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert 'role="img"' in page and '<table id="tableau-programme">' in page
    assert "Personnes orientées (candidature) vers au moins une offre du programme." in page
    assert "chacune compte les personnes qui" in page
    csv = client.get(f"/programmes/{programme.id}/entonnoir.csv").get_data(as_text=True)
    header, *lines = csv.lstrip("\ufeff").splitlines()
    assert header.split(";")[:2] == ["Étape", "Personnes"]
    assert [line.split(";")[0] for line in lines] == ["Orientées vers une offre du programme",
                                                      "Embauchées sur la clause"]


def test_funnel_report_filtered_on_a_programme_links_to_it(client, login_as, programme):
    login_as("facilitator")
    page = client.get(f"/rapports/entonnoir?programme={programme.id}").get_data(as_text=True)
    assert f'href="/programmes/{programme.id}"' in page
    assert 'href="/programmes/' not in client.get("/rapports/entonnoir").get_data(as_text=True)


def test_cli_prints_the_programme_funnel(app, programme):
    result = app.test_cli_runner().invoke(args=["report", "programme-funnel", "--programme", str(programme.id)])
    assert result.exit_code == 0
    assert result.output.splitlines()[1].startswith("Orientées vers une offre du programme;0;")
    missing = app.test_cli_runner().invoke(args=["report", "programme-funnel", "--programme", "999999"])
    assert missing.exit_code != 0 and "introuvable" in missing.output


def test_denials_other_role_and_other_territory(db, client, login_as, personas, programme):
    other = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(territory=TerritoryFactory()))
    db.session.commit()
    data = ProgrammeInput("Nouveau", stages=["oriented", "hired"])
    for user in (personas["buyer"], personas["company"], personas["prescriber"], personas["admin"]):
        with pytest.raises(NotAllowed):
            programmes.create_programme(user, data)
    with pytest.raises(NotAllowed):
        programmes.update_programme(other, programme.id, data)
    with pytest.raises(NotAllowed):
        programmes.check_programme(other, data, programme.id)
    login_as(other)
    assert client.get(f"/programmes/{programme.id}").status_code == 403
    assert client.post(f"/programmes/{programme.id}/modifier", data=form()).status_code == 403
    login_as("buyer")
    assert client.get("/programmes").status_code == 403
    db.session.expire_all()
    assert programme.name == "Parcours test"


def test_list_query_count_does_not_grow(db, client, login_as, territory, count_queries):
    login_as("facilitator")

    def statements(n):
        for index in range(n):
            db.session.add(Programme(territory_id=territory.id, name=f"Programme {index}"))
        db.session.commit()
        db.session.expire_all()
        with count_queries() as run:
            response = client.get("/programmes")
        assert response.status_code == 200
        return len(run), response.get_data(as_text=True)

    few, _ = statements(3)
    many, page = statements(27)
    assert many == few
    assert "30 programmes" in page
