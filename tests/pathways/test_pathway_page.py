"""The pathway page of a person: the whole timeline in date order, who may open it, and a number
of queries that does not grow with the pathway."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from factories import (
    ApplicationFactory,
    CompanyFactory,
    ExitFactory,
    FollowUpFactory,
    HoursEntryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications.models import ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.pathways.models import HoursStatus
from clausematch.pathways.timeline import pathway_of
from clausematch.vocabulary import ContractType, ExitDetail

S = ApplicationStatus


@pytest.fixture
def story(db, personas, territory, pathway_lot, person, make_contract):
    """Awa: oriented twice (by two prescribers), refused once, hired in CDD, extended, converted to
    CDI, hours in two months, the CDI's exit and its follow-up."""
    other_prescriber = PrescriberFactory(territory=territory, name="Mission locale Saint-Denis")
    first = ApplicationFactory(candidate=person, offer=OfferInTerritoryFactory(lot=pathway_lot, title="Manœuvre"),
                               prescriber_id=other_prescriber.id, status=S.REFUSED,
                               refusal_reason=RefusalReason.LACKS_SKILLS, created_at=datetime(2024, 11, 4, 9))
    second = ApplicationFactory(candidate=person, offer=OfferInTerritoryFactory(lot=pathway_lot, title="Coffreuse"),
                                status=S.HIRED, created_at=datetime(2025, 1, 20, 9))
    db.session.add_all([
        ApplicationEvent(application=first, from_status=S.SUBMITTED, to_status=S.REFUSED,
                         occurred_at=datetime(2024, 12, 2), refusal_reason=RefusalReason.LACKS_SKILLS,
                         comment="Note privée du prescripteur"),
        ApplicationEvent(application=second, from_status=S.SENT, to_status=S.HIRED, occurred_at=datetime(2025, 2, 20)),
    ])
    cdd = make_contract(start_date=date(2025, 3, 1), planned_end_date=date(2025, 8, 31), end_date=date(2025, 8, 31),
                        application_id=second.id)
    extension = make_contract(start_date=date(2025, 9, 1), planned_end_date=date(2025, 12, 31),
                              end_date=date(2025, 10, 14), previous_contract_id=cdd.id)
    ExitFactory(contract=extension, exit_date=date(2025, 10, 14), detail=ExitDetail.CDI)
    cdi = make_contract(contract_type=ContractType.CDI, start_date=date(2025, 10, 15), planned_end_date=None,
                        end_date=date(2026, 2, 28), previous_contract_id=extension.id)
    cdi_exit = ExitFactory(contract=cdi, exit_date=date(2026, 2, 28), detail=ExitDetail.TRAINING)
    FollowUpFactory(exit=cdi_exit, due_on=date(2026, 8, 28))
    HoursEntryFactory(contract=cdd, month=date(2025, 3, 1), hours=Decimal("100"))
    HoursEntryFactory(contract=cdd, month=date(2025, 4, 1), hours=Decimal("120.5"), status=HoursStatus.DECLARED)
    db.session.commit()
    return {"cdd": cdd, "extension": extension, "cdi": cdi}


def test_timeline_is_in_date_order_across_organisations(db, person, story):
    pathway = pathway_of(person)
    assert [(item.day, item.kind) for item in pathway.items] == [
        (date(2024, 11, 4), "orientation"),
        (date(2024, 12, 2), "candidature"),
        (date(2025, 1, 20), "orientation"),
        (date(2025, 2, 20), "candidature"),
        (date(2025, 3, 1), "contrat"),
        (date(2025, 3, 31), "heures"),
        (date(2025, 4, 30), "heures"),
        (date(2025, 9, 1), "contrat"),
        (date(2025, 10, 14), "sortie"),
        (date(2025, 10, 15), "contrat"),
        (date(2026, 2, 28), "sortie"),
        (date(2026, 4, 14), "suivi"),  # the converted contract's follow-up, not created yet: its date
        (date(2026, 8, 28), "suivi"),
    ]
    titles = [item.title for item in pathway.items]
    assert titles[4].startswith("Embauche en CDD chez")
    assert titles[7].startswith("Prolongation : nouveau CDD")
    assert titles[9].startswith("Conversion en CDI")
    assert titles[5] == "Heures de mars 2025" and titles[10] == "Formation qualifiante (sortie positive)"
    assert pathway.items[0].detail.startswith("Par Mission locale Saint-Denis.")
    assert pathway.items[1].detail == "Motif : compétences insuffisantes."
    assert pathway.items[6].detail == "2025-CLAUSE — lot 2 : Gros œuvre : 120,5 h (dont 0 h validées)."
    assert pathway.hours_by_lot == [("2025-CLAUSE — lot 2 : Gros œuvre", Decimal("220.5"), Decimal("100"))]


def test_page_shows_the_timeline_without_private_comments(db, client, login_as, person, story):
    login_as("facilitator")
    html = client.get(f"/parcours/{person.id}").get_data(as_text=True)
    assert "<h1>Parcours de Awa Diallo</h1>" in html
    assert html.index("Orientée vers l&#39;offre « Manœuvre »") < html.index("Conversion en CDI") \
        < html.index("Suivi prévu le 28/08/2026")
    assert "Note privée du prescripteur" not in html
    assert f'href="/contrats-de-travail/{story["cdi"].id}"' in html  # facilitators open the contracts
    assert "220,5" in html


def test_owning_prescriber_sees_it_without_contract_links(db, client, login_as, person, story):
    login_as("prescriber")
    html = client.get(f"/parcours/{person.id}").get_data(as_text=True)
    assert "Conversion en CDI" in html and "/contrats-de-travail/" not in html


@pytest.mark.parametrize("who", ["company", "buyer", "admin", "other_prescriber", "other_facilitator"])
def test_others_are_refused(db, client, login_as, personas, person, story, who):
    from factories import FacilitatorTeamFactory, TerritoryFactory

    users = {
        "other_prescriber": lambda: UserFactory(role=Role.PRESCRIBER, organisation=PrescriberFactory(
            territory=person.territory)),
        "other_facilitator": lambda: UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(
            territory=TerritoryFactory())),
    }
    user = users[who]() if who in users else personas[who]
    db.session.commit()
    login_as(user)
    assert client.get(f"/parcours/{person.id}").status_code == 403
    assert client.get("/parcours/999999").status_code == 404


def test_employer_company_does_not_see_the_pathway_either(db, client, login_as, territory, person, story):
    etti = CompanyFactory(territory=territory)
    story["cdd"].employer_id = etti.id
    user = UserFactory(role=Role.COMPANY, organisation=etti)
    db.session.commit()
    login_as(user)
    assert client.get(f"/parcours/{person.id}").status_code == 403
    assert client.get(f"/contrats-de-travail/{story['cdd'].id}").status_code == 200


def test_page_runs_a_fixed_number_of_queries(db, login_as, person, make_contract, statements_for, story):
    login_as("facilitator")
    baseline = statements_for(f"/parcours/{person.id}")
    for month in range(5, 12):
        HoursEntryFactory(contract=story["cdd"], month=date(2025, month, 1), hours=Decimal("10"))
    for year in (2022, 2023):
        older = make_contract(start_date=date(year, 1, 1), planned_end_date=date(year, 6, 30),
                              end_date=date(year, 6, 30))
        FollowUpFactory(exit=ExitFactory(contract=older, exit_date=date(year, 6, 30)), due_on=date(year, 12, 30))
        ApplicationFactory(candidate=person, offer=OfferInTerritoryFactory(lot=story["cdd"].lot))
    assert statements_for(f"/parcours/{person.id}") == baseline
