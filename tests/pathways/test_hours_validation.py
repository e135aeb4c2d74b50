"""Facilitators validate, reject and correct declared hours; every change leaves a revision; the
queue is aggregated in SQL and paginated; the histories; query counts."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import ContractInTerritoryFactory, LotInTerritoryFactory, UserFactory
from hours_support import MARCH, T, W, cell, entries, entry, page_text, revisions

from clausematch.accounts.models import Role
from clausematch.errors import DomainError, NotAllowed
from clausematch.notifications import Notification
from clausematch.pathways import hours_validation as validation
from clausematch.pathways.hours import save_grid, seen_name
from clausematch.pathways.models import HoursEntry, HoursStatus

D, V, R = HoursStatus.DECLARED, HoursStatus.VALIDATED, HoursStatus.REJECTED
APRIL = date(2025, 4, 1)


@pytest.fixture
def declared(db, personas, lot, hire):
    """Two people's March hours declared through the grid by the company (and one April value)."""
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "151,67", cell(awa, T): "7", cell(binta): "80"})
    save_grid(personas["company"], lot.id, APRIL, {cell(awa): "140"})
    return awa, binta


def test_validate_a_lot_month_in_one_action(db, personas, lot, declared):
    awa, binta = declared
    facilitator = personas["facilitator"]
    assert validation.validate_lot_month(facilitator, lot.id, MARCH) == 3
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("151.67"), V), (awa.id, MARCH, T): (Decimal("7.00"), V),
                           (binta.id, MARCH, W): (Decimal("80.00"), V), (awa.id, APRIL, W): (Decimal("140.00"), D)}
    one = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.contract_id == binta.id))
    assert one.validated_by_id == facilitator.id and one.validated_at is not None
    assert revisions(db, one.id) == [(None, Decimal("80.00"), "Déclaration"),
                                     (Decimal("80.00"), Decimal("80.00"), "Heures validées")]
    with pytest.raises(DomainError, match="^Ces heures ont déjà été validées par "):
        validation.validate_lot_month(facilitator, lot.id, MARCH)


def test_reject_a_lot_month_with_a_reason_tells_the_declarer(db, personas, lot, declared):
    with pytest.raises(DomainError, match="Indiquez le motif du refus") as refused:
        validation.reject_lot_month(personas["facilitator"], lot.id, MARCH, "  ")
    assert refused.value.field == "motif"
    assert validation.reject_lot_month(personas["facilitator"], lot.id, MARCH, "Heures du chantier B incluses") == 3
    statuses = {key: status for key, (_, status) in entries(db).items()}
    assert sorted(statuses.values()) == [D, R, R, R]
    notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == personas["company"].id))
    assert notice.message == ("3 déclarations d'heures (238,67 h) de mars 2025 refusées sur le lot "
                              f"{lot.number} — Gros œuvre. Consultez le motif et corrigez la déclaration.")
    assert notice.link == f"/entreprise/heures?lot={lot.id}&mois=2025-03"
    rejected = db.session.scalars(sa.select(HoursEntry).where(HoursEntry.status == R)).first()
    assert revisions(db, rejected.id)[-1][2] == "Heures refusées : Heures du chantier B incluses"


def test_per_line_validation_and_rejection(db, personas, lot, declared):
    awa, binta = declared
    by_contract = {(e.contract_id, e.kind, e.month): e for e in db.session.scalars(sa.select(HoursEntry))}
    validation.validate_entry(personas["facilitator"], by_contract[awa.id, W, MARCH].id)
    validation.reject_entry(personas["facilitator"], by_contract[binta.id, W, MARCH].id, "Contrat suspendu")
    assert {k: s for k, (_, s) in entries(db).items()} == {
        (awa.id, MARCH, W): V, (awa.id, MARCH, T): D, (binta.id, MARCH, W): R, (awa.id, APRIL, W): D}
    with pytest.raises(DomainError, match="^Ces heures ont déjà été validées par "):  # already validated
        validation.reject_entry(personas["facilitator"], by_contract[awa.id, W, MARCH].id, "Trop tard")


def test_a_facilitator_correction_keeps_the_history_and_validates(db, personas, lot, declared):
    awa, _ = declared
    target = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.contract_id == awa.id, HoursEntry.kind == W,
                                                           HoursEntry.month == MARCH))
    with pytest.raises(DomainError, match="maximum de 230 h") as refused:
        validation.correct_entry(personas["facilitator"], target.id, "231", "Relevé d'heures")
    assert refused.value.field == "heures"
    with pytest.raises(DomainError, match="Expliquez la correction"):
        validation.correct_entry(personas["facilitator"], target.id, "140", "")
    validation.correct_entry(personas["facilitator"], target.id, "140,5", "Relevé d'heures de l'ETTI")
    db.session.refresh(target)
    assert (target.hours, target.status, target.validated_by_id) == (Decimal("140.50"), V, personas["facilitator"].id)
    assert revisions(db, target.id) == [
        (None, Decimal("151.67"), "Déclaration"),
        (Decimal("151.67"), Decimal("140.50"), "Correction par l'équipe de facilitation : Relevé d'heures de l'ETTI")]
    # The company then corrects it again from the grid showing 140,50 validated: back to declared.
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "141", seen_name(awa.id, W): "140.50"})
    db.session.refresh(target)
    assert target.status == D and len(revisions(db, target.id)) == 3


def test_only_the_territory_facilitators_validate(db, personas, lot, declared, other_company_user):
    target = db.session.scalars(sa.select(HoursEntry)).first()
    outsider = UserFactory(role=Role.FACILITATOR, email="ailleurs@exemple.fr",
                           organisation=LotInTerritoryFactory().contract.buyer)  # any organisation elsewhere
    db.session.commit()
    for user in (personas["company"], other_company_user, personas["buyer"], outsider):
        with pytest.raises(NotAllowed):
            validation.validate_lot_month(user, lot.id, MARCH)
        with pytest.raises(NotAllowed):
            validation.correct_entry(user, target.id, "10", "Essai")
    assert {s for _, s in entries(db).values()} == {D}


# --- Pages ---------------------------------------------------------------------------------------

def test_pending_list_groups_by_lot_and_month_with_totals(db, client, login_as, personas, territory, lot, declared):
    elsewhere = LotInTerritoryFactory()  # another territory: never listed
    outside = hire_elsewhere(db, elsewhere)
    entry(outside, hours="173.29")  # a value no generated name or reference contains
    db.session.commit()
    login_as("facilitator")
    page = page_text(client.get("/heures/a-valider"))
    assert "4 déclarations en attente (378,67\xa0h)" in page
    march_row = page.index("mars 2025")
    assert march_row < page.index("avril 2025")  # oldest month first
    assert f"/heures/lots/{lot.id}/2025-03" in page and f"/heures/lots/{lot.id}/2025-04" in page
    table = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "238,67" in table and "173,29" not in table and f"/heures/lots/{elsewhere.id}/" not in table


def hire_elsewhere(db, other_lot):
    from factories import EmploymentContractFactory

    contract = EmploymentContractFactory(lot=other_lot)
    db.session.commit()
    return contract


def test_lot_month_page_validates_and_the_lot_shows_progress(db, client, login_as, lot, declared):
    login_as("facilitator")
    page = page_text(client.get(f"/heures/lots/{lot.id}/2025-03"))
    assert "Valider les 3 déclarations en attente" in page and "Binta Traoré" in page
    response = client.post(f"/heures/lots/{lot.id}/2025-03/valider")
    assert response.status_code == 302
    assert "3 déclarations de mars 2025 validées" in page_text(client.get(response.headers["Location"]))
    lot_page = page_text(client.get(f"/lots/{lot.id}"))
    # The validated hours now count for the clause: 238,67 h of March against the 833 h objective.
    assert "<th scope=\"row\">mars 2025</th><td class=\"nombre\">238,67</td>" in lot_page
    assert "29\xa0% de l'objectif" in lot_page


def test_reject_without_reason_shows_the_error_on_its_field(db, client, login_as, lot, declared):
    login_as("facilitator")
    response = client.post(f"/heures/lots/{lot.id}/2025-03/refuser", data={"motif": ""})
    page = page_text(response)
    assert response.status_code == 422
    assert 'id="motif-erreurs"' in page and 'aria-describedby="motif-aide motif-erreurs"' in page
    assert {s for _, s in entries(db).values()} == {D}
    response = client.post(f"/heures/lots/{lot.id}/2025-03/refuser", data={"motif": "Doublon"})
    assert response.status_code == 302 and sorted(s for _, s in entries(db).values()) == [D, R, R, R]


def test_entry_page_shows_history_to_facilitator_and_owner_only(db, client, login_as, personas, lot, declared,
                                                                other_company_user):
    target = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.kind == T))
    validation.correct_entry(personas["facilitator"], target.id, "6", "Une journée de formation reportée")
    login_as("company")
    page = page_text(client.get(f"/heures/saisies/{target.id}"))
    assert "Correction par l'équipe de facilitation : Une journée de formation reportée" in page
    assert "Corriger et valider" not in page  # read-only for the company
    history = page_text(client.get(f"/heures/lots/{lot.id}/2025-03/historique"))
    assert history.count("<tr>") == 1 + 4  # header + 3 declarations + 1 correction
    login_as("facilitator")
    response = client.post(f"/heures/saisies/{target.id}/corriger", data={"heures": "5", "commentaire": "Relevé"})
    assert response.status_code == 302
    assert "Corriger et valider" in page_text(client.get(f"/heures/saisies/{target.id}"))
    login_as(other_company_user)
    assert client.get(f"/heures/saisies/{target.id}").status_code == 403
    assert client.get(f"/heures/lots/{lot.id}/2025-03/historique").status_code == 403
    login_as("prescriber")
    assert client.get(f"/heures/saisies/{target.id}").status_code == 403


def test_company_cannot_validate_by_url(db, client, login_as, lot, declared):
    target = db.session.scalars(sa.select(HoursEntry)).first()
    login_as("company")
    assert client.post(f"/heures/saisies/{target.id}/valider").status_code == 403
    assert client.post(f"/heures/lots/{lot.id}/2025-03/valider").status_code == 403
    assert client.get("/heures/a-valider").status_code == 403
    assert {s for _, s in entries(db).values()} == {D}


def test_a_month_that_is_not_one_is_a_missing_page(client, login_as, lot):
    login_as("facilitator")
    assert client.get(f"/heures/lots/{lot.id}/2025-13").status_code == 404
    assert client.get(f"/heures/lots/{lot.id}/n-importe").status_code == 404


def pending_statements(db, count_queries, client, personas, territory, hire, n: int) -> int:
    """n lots of the territory, each with two people's hours declared for two months."""
    from factories import ClauseFactory, LotFactory

    for i in range(n):
        lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                         company=personas["company"].organisation)
        ClauseFactory(lot=lot)
        for person in range(2):
            contract = hire(lot, first_name=f"P{i}-{person}")
            entry(contract, month=MARCH)
            entry(contract, month=APRIL)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get("/heures/a-valider")
    assert response.status_code == 200
    return len(statements)


def test_pending_list_queries_do_not_grow_with_data(db, count_queries, client, login_as, personas, territory, hire):
    login_as("facilitator")
    small = pending_statements(db, count_queries, client, personas, territory, hire, 3)
    large = pending_statements(db, count_queries, client, personas, territory, hire, 30)
    assert small == large


def test_lot_month_page_queries_do_not_grow_with_data(db, count_queries, client, login_as, personas, lot, hire):
    login_as("facilitator")
    counts = []
    for n, month in ((3, MARCH), (30, APRIL)):
        for i in range(n):
            entry(hire(lot, first_name=f"P{month.month}-{i}"), month=month)
        db.session.commit()
        db.session.expire_all()
        with count_queries() as statements:
            page = page_text(client.get(f"/heures/lots/{lot.id}/{month:%Y-%m}"))
        assert page.count("/heures/saisies/") == 2 * n  # validate button and entry link per line
        counts.append(len(statements))
    assert counts[0] == counts[1]
