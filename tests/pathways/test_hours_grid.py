"""The company's declaration grid: values saved all-or-nothing, per-cell French errors, history
rows on every change, corrections of validated hours, access and query counts."""
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
import time_machine
from factories import CompanyFactory, HoursEntryFactory
from hours_support import MARCH, T, W, cell, entries, entry, page_text, revisions

from clausematch.audit import AuditEvent
from clausematch.errors import NotAllowed
from clausematch.pathways import hours
from clausematch.pathways.hours import HoursRejected, save_grid
from clausematch.pathways.models import HoursStatus
from clausematch.vocabulary import Mode

D, V, R = HoursStatus.DECLARED, HoursStatus.VALIDATED, HoursStatus.REJECTED
GRID = "/entreprise/heures?lot={lot}&mois=2025-03"


def test_grid_saves_every_value_with_its_first_revision(db, personas, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré", mode=Mode.ETTI)
    result = save_grid(personas["company"], lot.id, MARCH,
                       {cell(awa): "151,67", cell(awa, T): "7", cell(binta): "35.5", cell(binta, T): ""})
    assert (result.created, result.changed) == (3, 0)
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("151.67"), D), (awa.id, MARCH, T): (Decimal("7.00"), D),
                           (binta.id, MARCH, W): (Decimal("35.50"), D)}
    saved = db.session.scalar(sa.select(hours.HoursEntry).where(hours.HoursEntry.contract_id == binta.id))
    # Copied from the contract, so that reports group without joins.
    assert (saved.lot_id, saved.company_id, saved.candidate_id, saved.mode) == \
        (lot.id, lot.company_id, binta.candidate_id, Mode.ETTI)
    assert saved.declared_by_id == personas["company"].id
    assert revisions(db, saved.id) == [(None, Decimal("35.50"), "Déclaration")]
    assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "hours.declared")) == \
        {"month": "2025-03", "values": 3}


def test_one_wrong_cell_saves_nothing_and_names_every_wrong_cell(db, personas, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    ended = hire(lot, first_name="Chloé", last_name="Martin", start_date=date(2025, 1, 6),
                 planned_end_date=date(2025, 4, 30), end_date=date(2025, 3, 14))
    entry(awa, hours="80")
    with pytest.raises(HoursRejected) as rejected:
        save_grid(personas["company"], lot.id, date(2025, 4, 1),
                  {cell(awa): "120", cell(binta): "250", cell(ended): "10"})
    assert rejected.value.errors == {
        cell(binta): "250 heures dépasse le maximum de 230 h par mois."}  # ended is not in April's grid
    with pytest.raises(HoursRejected) as rejected:
        save_grid(personas["company"], lot.id, MARCH,
                  {cell(awa): "-3", cell(binta): "douze", cell(ended): "151,67", cell(ended, T): "1,234"})
    assert rejected.value.errors == {
        cell(awa): "Le nombre d'heures ne peut pas être négatif.",
        cell(binta): "« douze » n'est pas un nombre d'heures (exemple : 151,67).",
        cell(ended, T): "Deux décimales au plus (exemple : 151,67)."}
    assert "aucune heure n'a été enregistrée" in rejected.value.message
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("80.00"), D)}  # nothing of the valid cells either


def test_a_month_outside_a_contract_is_refused_even_when_posted(db, personas, lot, hire):
    """A contract that starts later is not in the grid; a forged cell for it changes nothing."""
    later = hire(lot, start_date=date(2025, 5, 2), planned_end_date=date(2025, 9, 30))
    result = save_grid(personas["company"], lot.id, MARCH, {cell(later): "35"})
    assert result.saved == 0 and entries(db) == {}
    declaration = hours.Declaration("x", later, MARCH, W, Decimal(35))
    with pytest.raises(HoursRejected) as rejected:
        hours.apply_declarations(personas["company"], [declaration], {})
    assert rejected.value.errors == {"x": "Le contrat commence le 02/05/2025 : pas d'heures en mars 2025."}


def test_unchanged_values_write_nothing_and_changes_keep_history(db, personas, lot, hire):
    awa = hire(lot)
    first = entry(awa, hours="100")
    db.session.commit()
    result = save_grid(personas["company"], lot.id, MARCH, {cell(awa): "100,00"})
    assert (result.saved, result.unchanged) == (0, 1)
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "110"})
    assert revisions(db, first.id) == [(Decimal("100.00"), Decimal("110.00"), "Modification avant validation")]


def test_company_may_correct_validated_hours_which_go_back_to_validation(db, personas, lot, hire):
    awa = hire(lot)
    validated = entry(awa, hours="100", status=V, validated_by_id=personas["facilitator"].id)
    db.session.commit()
    # The grid showed them validated: it sends that value with the correction.
    result = save_grid(personas["company"], lot.id, MARCH, {cell(awa): "90", hours.seen_name(awa.id, W): "100.00"})
    assert (result.changed, result.reopened) == (1, 1)
    db.session.refresh(validated)
    assert (validated.hours, validated.status, validated.validated_by_id) == (Decimal("90.00"), D, None)
    assert revisions(db, validated.id) == [
        (Decimal("100.00"), Decimal("90.00"), "Correction d'heures validées par l'entreprise : à valider de nouveau")]


def test_hours_validated_after_the_grid_was_shown_are_not_changed(db, personas, lot, hire, client, login_as):
    """The grid showed declared hours; the facilitator validated them before the company saved:
    nothing is saved, the cell says so, and the grid shown again lets the company correct them."""
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    validated = entry(awa, hours="100", status=V, validated_by_id=personas["facilitator"].id)
    entry(binta, hours="50")
    db.session.commit()
    login_as("company")
    response = client.post(GRID.format(lot=lot.id), data={cell(awa): "110", cell(binta): "60"})
    assert response.status_code == 200
    page = page_text(response)
    assert "aucune heure n'a été enregistrée" in page
    assert "Ces heures ont été validées (100 h) par l'équipe de facilitation" in page
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("100.00"), V), (binta.id, MARCH, W): (Decimal("50.00"), D)}
    assert revisions(db, validated.id) == []
    # Shown again, the grid carries the validated value: saving now is a deliberate correction.
    assert f'name="{hours.seen_name(awa.id, W)}" value="100.00"' in page
    with pytest.raises(HoursRejected):  # a forged or stale marker is no correction either
        save_grid(personas["company"], lot.id, MARCH, {cell(awa): "110", hours.seen_name(awa.id, W): "99"})
    client.post(GRID.format(lot=lot.id), data={cell(awa): "110", hours.seen_name(awa.id, W): "100.00"})
    assert entries(db)[awa.id, MARCH, W] == (Decimal("110.00"), D)


def test_the_same_grid_sent_twice_is_saved_once(db, personas, lot, hire, client, login_as):
    awa = hire(lot)
    login_as("company")
    first = client.post(GRID.format(lot=lot.id), data={cell(awa): "151,67"}, follow_redirects=True)
    second = client.post(GRID.format(lot=lot.id), data={cell(awa): "151,67"}, follow_redirects=True)
    assert "Heures de mars 2025 enregistrées (1 valeur)" in page_text(first)
    assert "Aucune modification : les heures de mars 2025 étaient déjà à jour." in page_text(second)
    [saved] = db.session.scalars(sa.select(hours.HoursEntry)).all()
    assert revisions(db, saved.id) == [(None, Decimal("151.67"), "Déclaration")]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "hours.declared")) == 1


def test_clearing_a_declared_value_is_refused(db, personas, lot, hire):
    awa = hire(lot)
    entry(awa, hours="100")
    db.session.commit()
    with pytest.raises(HoursRejected) as rejected:
        save_grid(personas["company"], lot.id, MARCH, {cell(awa): ""})
    assert rejected.value.errors == {
        cell(awa): "Des heures sont déjà déclarées (100 h) : saisissez 0 plutôt que d'effacer la case."}


def test_training_hours_only_where_the_territory_counts_them(db, personas, territory, lot, hire, client, login_as):
    awa = hire(lot)
    territory.count_training_hours = False
    db.session.commit()
    result = save_grid(personas["company"], lot.id, MARCH, {cell(awa): "10", cell(awa, T): "5"})
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("10.00"), D)} and result.created == 1  # no training cell
    login_as("company")
    page = page_text(client.get(GRID.format(lot=lot.id)))
    assert "Heures travaillées" in page and "Heures de formation" not in page


@time_machine.travel("2025-03-20 10:00:00", tick=False)
def test_hours_of_a_month_not_begun_are_refused(db, personas, lot, hire):
    awa = hire(lot)
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "60"})  # the current month is fine
    with pytest.raises(hours.DomainError, match="Avril 2025 n'a pas commencé"):
        save_grid(personas["company"], lot.id, date(2025, 4, 1), {cell(awa): "60"})


def test_another_company_cannot_declare_on_the_lot(db, personas, lot, hire, other_company_user):
    awa = hire(lot)
    with pytest.raises(NotAllowed):
        save_grid(other_company_user, lot.id, MARCH, {cell(awa): "10"})
    with pytest.raises(NotAllowed):
        save_grid(personas["facilitator"], lot.id, MARCH, {cell(awa): "10"})
    assert entries(db) == {}


def test_an_employer_declares_its_own_contracts_on_a_lot_it_does_not_hold(db, personas, lot, hire, territory):
    """An ETTI lending a worker to the titulaire declares that worker's hours, and only theirs."""
    from factories import UserFactory

    from clausematch.accounts.models import Role

    etti = CompanyFactory(territory=territory, name="ETTI Plaine")
    etti_user = UserFactory(role=Role.COMPANY, email="etti@exemple.fr", organisation=etti)
    lent = hire(lot, employer=etti, mode=Mode.ETTI)
    direct = hire(lot, first_name="Binta", last_name="Traoré")
    assert [row.contract.id for row in hours.load_grid(etti_user, lot, MARCH).rows] == [lent.id]
    assert {row.contract.id for row in hours.load_grid(personas["company"], lot, MARCH).rows} == {lent.id, direct.id}
    with pytest.raises(HoursRejected, match="erreur"):
        hours.apply_declarations(etti_user, [hours.Declaration("x", direct, MARCH, W, Decimal(1))], {})
    save_grid(etti_user, lot.id, MARCH, {cell(lent): "70"})
    assert entries(db) == {(lent.id, MARCH, W): (Decimal("70.00"), D)}


# --- Pages ---------------------------------------------------------------------------------------

def test_the_grid_page_lists_active_contracts_with_their_values(db, client, login_as, lot, hire):
    awa = hire(lot)
    hire(lot, first_name="Zoé", last_name="Ancienne", start_date=date(2024, 1, 8), planned_end_date=date(2024, 12, 31))
    entry(awa, hours="151.67", status=V)
    db.session.commit()
    login_as("company")
    page = page_text(client.get(GRID.format(lot=lot.id)))
    assert "Awa Diallo" in page and "Zoé Ancienne" not in page  # her contract ended in 2024
    assert f'id="{cell(awa)}" name="{cell(awa)}" value="151,67"' in page
    assert "Validées" in page
    assert f'<label for="{cell(awa)}" class="visuellement-cache">Heures travaillées de Awa Diallo</label>' in page


@time_machine.travel("2025-04-10 09:00:00", tick=False)
def test_the_grid_opens_on_last_month_and_saves_through_the_form(db, client, login_as, lot, hire):
    awa = hire(lot)
    login_as("company")
    page = page_text(client.get("/entreprise/heures"))  # the company's only lot, last month
    assert f"Lot {lot.number} — Gros œuvre : mars 2025" in page
    response = client.post(GRID.format(lot=lot.id), data={cell(awa): "151,67"})
    assert response.status_code == 302
    assert "Heures de mars 2025 enregistrées (1 valeur)" in page_text(client.get(response.headers["Location"]))
    assert entries(db) == {(awa.id, MARCH, W): (Decimal("151.67"), D)}


def test_errors_are_shown_on_their_cells_and_nothing_is_saved(db, client, login_as, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    login_as("company")
    response = client.post(GRID.format(lot=lot.id), data={cell(awa): "40", cell(binta): "300"})
    page = page_text(response)
    assert response.status_code == 200 and entries(db) == {}
    assert "1 erreur : aucune heure n'a été enregistrée" in page
    name = cell(binta)
    assert re.search(rf'id="{name}" name="{name}" value="300"[^>]*aria-describedby="{name}-erreur" aria-invalid="true"',
                     page.replace("\n", " "))
    assert f'id="{name}-erreur"' in page and "300 heures dépasse le maximum de 230 h par mois." in page
    assert f'<a href="#{name}">Binta Traoré, heures travaillées : 300 heures dépasse' in page
    assert 'value="40"' in page  # what was typed is kept


def test_a_rejected_entry_shows_its_reason(db, client, login_as, personas, lot, hire):
    from clausematch.pathways.hours_validation import reject_entry

    awa = hire(lot)
    declared = entry(awa, hours="200")
    db.session.commit()
    reject_entry(personas["facilitator"], declared.id, "Absente deux semaines en mars")
    login_as("company")
    page = page_text(client.get(GRID.format(lot=lot.id)))
    assert "Refusées" in page and "Heures refusées : Absente deux semaines en mars" in page


def test_company_b_can_neither_see_nor_declare_on_company_a_lot(db, client, login_as, lot, hire, other_company_user):
    awa = hire(lot)
    login_as(other_company_user)
    assert client.get(GRID.format(lot=lot.id)).status_code == 403
    assert client.post(GRID.format(lot=lot.id), data={cell(awa): "10"}).status_code == 403
    assert client.get(f"/entreprise/heures/modele.csv?lot={lot.id}").status_code == 403
    assert client.get("/entreprise/heures?lot=999999&mois=2025-03").status_code == 404
    assert "Votre entreprise n'a encore aucun lot" in page_text(client.get("/entreprise/heures"))
    assert entries(db) == {}


@pytest.mark.parametrize("role", ["facilitator", "prescriber", "buyer", "admin"])
def test_only_company_users_declare(client, login_as, lot, role):
    login_as(role)
    assert client.get(GRID.format(lot=lot.id)).status_code == 403


def grid_statements(db, count_queries, client, lot, hire, personas, n: int) -> int:
    for i in range(n):
        contract = hire(lot, first_name=f"Personne{i}")
        HoursEntryFactory(contract=contract, month=MARCH, hours=Decimal(10), status=HoursStatus.REJECTED)
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(GRID.format(lot=lot.id))
    assert page_text(response).count('inputmode="decimal"') == 2 * n
    return len(statements)


def test_the_grid_runs_the_same_queries_for_3_or_30_contracts(db, count_queries, client, login_as, personas, lot, hire,
                                                               territory):
    login_as("company")
    small = grid_statements(db, count_queries, client, lot, hire, personas, 3)
    other = lot.__class__(contract_id=lot.contract_id, number=99, title="Second œuvre", company_id=lot.company_id,
                          amount_ht=Decimal(1), start_date=lot.start_date)
    db.session.add(other)
    db.session.commit()
    large = grid_statements(db, count_queries, client, other, hire, personas, 30)
    assert small == large
