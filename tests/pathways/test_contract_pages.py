"""The hires pages: contracts list (scoped, paginated, bounded queries), contract page, and the
extend / convert / exit forms end to end."""
from datetime import date

import pytest
import sqlalchemy as sa
from factories import (
    CandidateInTerritoryFactory,
    CompanyFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    ExitFactory,
    LotInTerritoryFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.vocabulary import ContractType, ExitCategory


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-01-15 10:00", tick=False)


def listed_ids(client, query: str = "") -> list[int]:
    html = client.get("/contrats-de-travail" + query).get_data(as_text=True)
    return [int(part.split('"')[0]) for part in html.split('<th scope="row"><a href="/contrats-de-travail/')[1:]]


def test_list_is_scoped_to_the_territory_or_the_company(db, client, login_as, personas, territory, cdd,
                                                        make_contract, pathway_lot):
    ended = make_contract(start_date=date(2024, 1, 1), planned_end_date=date(2024, 6, 30), end_date=date(2024, 6, 30))
    other_company_lot = LotInTerritoryFactory(contract=pathway_lot.contract, number=3,
                                              company=CompanyFactory(territory=territory))
    neighbour = make_contract(lot=other_company_lot, start_date=date(2025, 5, 1))
    elsewhere = EmploymentContractFactory(lot=LotInTerritoryFactory(contract=ContractInTerritoryFactory()))
    db.session.commit()
    login_as("facilitator")
    assert listed_ids(client) == [neighbour.id, cdd.id]
    assert listed_ids(client, "?etat=tous") == [neighbour.id, cdd.id, ended.id]
    assert listed_ids(client, "?etat=termines") == [ended.id]
    assert elsewhere.id not in listed_ids(client, "?etat=tous")
    login_as("company")
    assert listed_ids(client, "?etat=tous") == [cdd.id, ended.id]


def test_the_employer_lists_the_contracts_it_signs(db, client, login_as, territory, cdd):
    etti = CompanyFactory(territory=territory)
    cdd.employer_id = etti.id
    user = UserFactory(role=Role.COMPANY, organisation=etti)
    db.session.commit()
    login_as(user)
    assert listed_ids(client) == [cdd.id]
    html = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert "Convertir en CDI" not in html and "Enregistrer la sortie" not in html


def test_list_runs_a_fixed_number_of_queries(db, login_as, app, pathway_lot, statements_for, personas):
    login_as("facilitator")
    app.config["PAGE_SIZE"] = 5
    EmploymentContractFactory(lot=pathway_lot)
    few = statements_for("/contrats-de-travail")
    for _ in range(12):
        EmploymentContractFactory(lot=pathway_lot, candidate=CandidateInTerritoryFactory(
            prescriber=personas["prescriber"].organisation))
    assert statements_for("/contrats-de-travail") == few
    assert statements_for("/contrats-de-travail?page=2") == few


def test_contract_page_shows_terms_and_actions(db, client, login_as, cdd):
    login_as("company")
    html = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert f"Contrat de travail n° {cdd.id} : Awa Diallo" in html
    assert "2025-CLAUSE — lot 2 : Gros œuvre" in html and "31/12/2025" in html
    for action in ("Convertir en CDI", "Prolonger le contrat", "Enregistrer la sortie"):
        assert action in html
    assert "Voir le parcours" not in html  # companies never see the pathway
    login_as("facilitator")
    assert "Voir le parcours de la personne" in client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)


def test_change_pages_name_the_person_not_only_the_contract_number(db, client, login_as, cdd):
    login_as("facilitator")
    for path, heading in (("sortie", "Enregistrer la sortie"), ("prolonger", "Prolonger le contrat"),
                          ("convertir-en-cdi", "Convertir en CDI")):
        html = client.get(f"/contrats-de-travail/{cdd.id}/{path}").get_data(as_text=True)
        assert f"<h1>{heading} de Awa Diallo</h1>" in html
        assert f"<title>{heading} de Awa Diallo — ClauseMatch</title>" in html
        assert f"Contrat de travail n° {cdd.id} : CDD" in html


def test_extend_through_the_form(db, client, login_as, cdd):
    login_as("facilitator")
    form = client.get(f"/contrats-de-travail/{cdd.id}/prolonger").get_data(as_text=True)
    assert "Nouvelle date de fin prévue" in form and 'type="date"' in form
    response = client.post(f"/contrats-de-travail/{cdd.id}/prolonger",
                           data={"planned_end_date": "2025-12-15", "start_date": "2025-12-01"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "doit être postérieure à celle du contrat actuel" in html and 'aria-invalid="true"' in html
    response = client.post(f"/contrats-de-travail/{cdd.id}/prolonger",
                           data={"planned_end_date": "2026-06-30", "weekly_hours": "28"})
    new = db.session.scalars(
        sa.select(EmploymentContract).where(EmploymentContract.previous_contract_id == cdd.id)).one()
    assert response.headers["Location"].endswith(f"/contrats-de-travail/{new.id}")
    assert (new.start_date, new.planned_end_date, new.weekly_hours) == (date(2026, 1, 1), date(2026, 6, 30), 28)
    page = client.get(f"/contrats-de-travail/{new.id}").get_data(as_text=True)
    assert "Contrats successifs de cette embauche" in page and "Contrat prolongé" in page
    # The previous contract can no longer be changed: its forms send back to its page.
    again = client.get(f"/contrats-de-travail/{cdd.id}/convertir-en-cdi")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/contrats-de-travail/{cdd.id}")


def test_convert_through_the_form(db, client, login_as, cdd):
    login_as("company")
    response = client.post(f"/contrats-de-travail/{cdd.id}/convertir-en-cdi", data={"start_date": "2025-10-01"})
    assert response.status_code == 302
    db.session.expire_all()
    cdi = db.session.scalars(
        sa.select(EmploymentContract).where(EmploymentContract.contract_type == ContractType.CDI)).one()
    assert cdi.previous_contract_id == cdd.id
    assert db.session.scalars(sa.select(Exit.category)).one() == ExitCategory.DURABLE


def test_exit_through_the_form(db, client, login_as, cdd):
    login_as("facilitator")
    form = client.get(f"/contrats-de-travail/{cdd.id}/sortie").get_data(as_text=True)
    assert '<optgroup label="Emploi durable">' in form and "Situation à la sortie" in form
    response = client.post(f"/contrats-de-travail/{cdd.id}/sortie", data={"exit_date": "2025-12-31", "detail": ""})
    assert "Ce champ est obligatoire." in response.get_data(as_text=True)
    response = client.post(f"/contrats-de-travail/{cdd.id}/sortie",
                           data={"exit_date": "2025-12-31", "detail": "long_cdd", "comment": "Fin de chantier"})
    assert response.status_code == 302
    page = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert "CDD de plus de 6 mois" in page and "Emploi durable" in page and "Sortie enregistrée" in page
    assert "Enregistrer la sortie</a>" not in page


def test_closed_contract_has_no_actions(db, client, login_as, cdd):
    ExitFactory(contract=cdd, exit_date=date(2025, 12, 31))
    cdd.end_date = date(2025, 12, 31)
    db.session.commit()
    login_as("facilitator")
    html = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert "Prolonger le contrat" not in html and "Terminé le 31/12/2025" in html
    assert client.post(f"/contrats-de-travail/{cdd.id}/sortie", data={}).status_code == 302


def test_company_never_sees_the_follow_up_nor_the_exit_comment(db, client, login_as, cdd):
    """A former employee's 6-month follow-up and the exit's comment are the facilitators'."""
    from factories import FollowUpFactory

    from clausematch.vocabulary import ExitDetail

    exit_ = ExitFactory(contract=cdd, exit_date=date(2025, 12, 31), comment="Problèmes de santé, suivi social")
    FollowUpFactory(exit=exit_, done_on=date(2026, 6, 30), in_work=False, situation=ExitDetail.UNEMPLOYMENT)
    cdd.end_date = date(2025, 12, 31)
    db.session.commit()
    login_as("company")
    page = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert "Sortie enregistrée" in page or "Date de sortie" in page
    assert "Problèmes de santé" not in page
    assert "Suivi à 6 mois" not in page and "sans emploi" not in page
    login_as("facilitator")
    page = client.get(f"/contrats-de-travail/{cdd.id}").get_data(as_text=True)
    assert "Problèmes de santé" in page and "sans emploi" in page
