"""Territory settings (/parametres): percentages typed the French way, checked, audited."""
import html as html_lib
import re
from decimal import Decimal

import pytest
import sqlalchemy as sa
from error_summary import error_count, field_errors

from clausematch.accounts.models import Territory
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.settings import services
from clausematch.vocabulary import ExitConvention

VALID = {"eligibility_validity_months": "6", "default_labour_share": "50", "default_insertion_rate": "7,5",
         "default_hourly_cost": "32,50", "count_training_hours": "y", "cdi_lump_hours": "1607",
         "target_women_share": "15", "target_qpv_share": "75", "target_local_share": "", "exit_convention": "plie",
         "controller_name": "Établissement public territorial",
         "controller_address": "1 place de la Mairie, 93200 Saint-Denis",
         "dpo_email": " DPO@Territoire.fr ", "inactivity_months": "36", "accountability_years": "10",
         "access_log_months": "6"}


def errors(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_form_shows_the_current_settings_as_percentages(client, login_as, territory):
    login_as("facilitator")
    html = client.get("/parametres").get_data(as_text=True)
    assert 'id="default_labour_share"' in html and 'value="50"' in html and 'value="5"' in html
    assert 'value="30"' in html and "Paramètres du territoire" in html


def test_saving_stores_shares_and_audits(client, login_as, territory, db):
    user = login_as("facilitator")
    response = client.post("/parametres", data=VALID)
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Territory, territory.id)
    assert saved.default_insertion_rate == Decimal("0.075")
    assert saved.default_hourly_cost == Decimal("32.50")
    assert saved.count_training_hours is True and saved.globalise_across_lots is False
    assert saved.cdi_lump_hours == 1607 and saved.exit_convention is ExitConvention.PLIE
    assert (saved.target_women_share, saved.target_qpv_share, saved.target_local_share) == (
        Decimal("0.15"), Decimal("0.75"), None)
    assert (saved.controller_name, saved.controller_address, saved.dpo_email) == (
        "Établissement public territorial", "1 place de la Mairie, 93200 Saint-Denis", "dpo@territoire.fr")
    assert (saved.inactivity_months, saved.accountability_years, saved.access_log_months) == (36, 10, 6)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "territory_settings_updated"))
    assert (event.entity_id, event.actor_id) == (territory.id, user.id)


@pytest.mark.parametrize(("field", "value", "message"), [
    ("eligibility_validity_months", "0", "entre 1 et 60"),
    ("eligibility_validity_months", "six", "N'est pas un entier valide"),
    ("default_labour_share", "0", "supérieur à 0 et au plus 100"),
    ("default_insertion_rate", "150", "supérieur à 0 et au plus 100"),
    ("default_insertion_rate", "cinq", "Saisissez un nombre"),
    ("default_hourly_cost", "-3", "supérieur à 0"),
    ("target_women_share", "101", "entre 0 et 100"),
    ("cdi_lump_hours", "0", "entre 1 et"),
    ("default_labour_share", "", "Ce champ est obligatoire."),
    ("exit_convention", "autre", "N'est pas un choix valide"),
    ("inactivity_months", "0", "entre 1 et 120"),
    ("inactivity_months", "121", "entre 1 et 120"),
    ("inactivity_months", "", "Ce champ est obligatoire."),
    ("accountability_years", "31", "entre 1 et 30"),
    ("access_log_months", "0", "entre 1 et 120"),
    ("dpo_email", "dpo-territoire.fr", "Adresse électronique invalide"),
    ("controller_name", "x" * 201, "200 caractères"),
])
def test_wrong_values_are_refused_in_french_and_nothing_is_saved(client, login_as, territory, db, field, value,
                                                                 message):
    login_as("facilitator")
    response = client.post("/parametres", data={**VALID, field: value})
    assert response.status_code == 422
    assert message in errors(response)
    assert f'id="{field}-erreurs"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Territory, territory.id).default_hourly_cost == Decimal("30")


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_facilitators_open_the_settings(client, login_as, role):
    login_as(role)
    assert client.get("/parametres").status_code == 403
    assert client.post("/parametres", data=VALID).status_code == 403


def test_the_service_rechecks_the_role(personas):
    data = services.SettingsInput(6, Decimal(50), Decimal(5), Decimal(30), True, None, False)
    with pytest.raises(NotAllowed):
        services.update_settings(personas["company"], data)
    with pytest.raises(DomainError) as refused:
        services.update_settings(personas["facilitator"],
                                 services.SettingsInput(6, Decimal(50), Decimal("5.555"), Decimal(30), True, None,
                                                        False))
    assert refused.value.field == "default_insertion_rate"


def test_every_wrong_value_is_listed_at_the_first_submit(client, login_as, territory, db):
    """WTForms' refusals (a required field left empty, a word for a number) and the service's
    (out of range) on one submit, each on its field; nothing saved."""
    login_as("facilitator")
    response = client.post("/parametres", data={**VALID, "default_labour_share": "", "cdi_lump_hours": "onze",
                                                 "eligibility_validity_months": "0", "default_hourly_cost": "-3",
                                                 "target_women_share": "101"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 5
    assert "Ce champ est obligatoire." in field_errors(html, "default_labour_share")
    assert field_errors(html, "cdi_lump_hours")
    assert "entre 1 et 60" in field_errors(html, "eligibility_validity_months")
    assert "supérieur à 0" in field_errors(html, "default_hourly_cost")
    assert "entre 0 et 100" in field_errors(html, "target_women_share")
    db.session.expire_all()
    assert db.session.get(Territory, territory.id).eligibility_validity_months != 0


def test_the_settings_check_gathers_every_refusal():
    data = services.SettingsInput(eligibility_validity_months=0, default_labour_share=Decimal("0"),
                                  default_insertion_rate=Decimal("5"), default_hourly_cost=Decimal("-1"),
                                  count_training_hours=False, cdi_lump_hours=0, globalise_across_lots=False,
                                  exit_convention="autre", target_qpv_share=Decimal("101"),
                                  controller_address="a" * 301, dpo_email="dpo@", inactivity_months=0,
                                  accountability_years=31, access_log_months=None)
    with pytest.raises(FieldErrors) as refused:
        services.check_settings(data)
    assert [error.field for error in refused.value.errors] == [
        "exit_convention", "eligibility_validity_months", "default_labour_share", "default_hourly_cost",
        "cdi_lump_hours", "target_qpv_share", "controller_address", "dpo_email", "inactivity_months",
        "accountability_years", "access_log_months"]


def test_the_privacy_settings_accept_their_bounds_and_empty_controller_lines():
    """1 and the highest value pass; the controller's lines may stay empty (the register then says so)."""
    for months, years in ((1, 1), (120, 30)):
        services.check_settings(services.SettingsInput(
            6, Decimal(50), Decimal(5), Decimal(30), True, None, False, controller_name="  ", dpo_email="",
            inactivity_months=months, accountability_years=years, access_log_months=months))


def test_a_territory_gets_the_default_retention_periods(db, territory):
    db.session.expire_all()
    saved = db.session.get(Territory, territory.id)
    assert (saved.inactivity_months, saved.accountability_years, saved.access_log_months) == (24, 5, 12)
    assert saved.controller_name is None and saved.dpo_email is None


def test_two_facilitators_saving_the_same_version_keeps_the_first_and_refuses_the_second(
        client, login_as, territory, db):
    """No lost update: the form carries the version it was loaded at; a save over a newer one is
    refused with the current values listed, and nothing of it is kept."""
    login_as("facilitator")
    loaded = re.search(r'name="version" type="hidden" value="(\d+)"|type="hidden" name="version" value="(\d+)"|'
                       r'id="version" name="version" type="hidden" value="(\d+)"',
                       client.get("/parametres").get_data(as_text=True))
    version = next(group for group in loaded.groups() if group)
    first = client.post("/parametres", data={**VALID, "version": version, "cdi_lump_hours": "1000"})
    assert first.status_code == 302
    second = client.post("/parametres", data={**VALID, "version": version, "cdi_lump_hours": "1607"})
    assert second.status_code == 422
    page = errors(second)
    assert "Quelqu'un d'autre a enregistré cette fiche" in page and "1000" in page
    db.session.expire_all()
    saved = db.session.get(Territory, territory.id)
    assert saved.cdi_lump_hours == 1000 and saved.version == int(version) + 1
