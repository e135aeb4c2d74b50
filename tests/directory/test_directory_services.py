"""Directory profiles: who may edit them, what is checked, audited and versioned."""
import pytest
import sqlalchemy as sa

from clausematch.accounts.models import CompanyKind, Role
from clausematch.audit import AuditEvent
from clausematch.directory import services
from clausematch.directory.models import DirectoryProfile
from clausematch.errors import DomainError, NotAllowed
from clausematch.versioning import EditConflict

INPUT = services.ProfileInput(activities="Entretien d'espaces verts", rome_codes="A1203, k2204",
                              communes="Aubervilliers\nStains", radius_km=15, capacity_positions=6,
                              capacity_hours=400, offers=frozenset({"offers_subcontracting"}),
                              contact_name="Awa Diallo", contact_email=" Contact@Jardins.fr ",
                              contact_phone="01 48 00 00 00", is_published=True)


def _member(company):
    from factories import UserFactory
    return UserFactory(role=Role.COMPANY, organisation=company)


def test_a_facilitator_creates_a_profile_checked_and_audited(db, personas, structure):
    company, _ = structure(profile=False, kind=CompanyKind.ACI)
    profile = services.save_profile(personas["facilitator"], company.id, INPUT)
    assert {r.rome_code for r in profile.rome_codes} == {"A1203", "K2204"}
    assert {r.commune_insee for r in profile.communes} == {"93001", "93072"}
    assert (profile.contact_email, profile.contact_phone) == ("contact@jardins.fr", "0148000000")
    assert profile.offers_subcontracting and not profile.offers_staff_provision
    assert profile.is_published and profile.published_at is not None
    assert " espaces " in profile.search_text and " nettoyage " in profile.search_text  # K2204's label
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.entity_type == "directory_profile"))
    assert (event.action, event.entity_id, event.details["company_id"]) == (
        "directory_profile_created", profile.id, company.id)
    assert "Awa" not in str(event.details)  # no personal data in the audit trail


def test_a_member_edits_their_own_structure_only(db, personas, structure):
    own, _ = structure("Les Jardins", kind=CompanyKind.ACI)
    other, _ = structure("Autre structure", kind=CompanyKind.EI)
    member = _member(own)
    profile = services.save_profile(member, own.id, INPUT)
    assert profile.version == 2
    with pytest.raises(NotAllowed):
        services.save_profile(member, other.id, INPUT)
    assert services.profile_of(other.id).activities == "Nettoyage de locaux"


@pytest.mark.parametrize("role", ["prescriber", "buyer", "company", "admin"])
def test_other_roles_are_refused(db, personas, structure, role):
    company, _ = structure()
    with pytest.raises(NotAllowed):
        services.save_profile(personas[role], company.id, INPUT)
    assert services.profile_of(company.id).activities == "Nettoyage de locaux"


def test_a_facilitator_of_another_territory_is_refused(db, structure):
    from factories import FacilitatorTeamFactory, TerritoryFactory, UserFactory

    company, _ = structure()
    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(territory=TerritoryFactory()))
    with pytest.raises(NotAllowed):
        services.save_profile(stranger, company.id, INPUT)


def test_a_titulaire_has_no_profile(db, personas):
    with pytest.raises(NotAllowed):
        services.save_profile(personas["facilitator"], personas["company"].organisation.id, INPUT)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DirectoryProfile)) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"rome_codes": "Z9999"}, "rome_codes"),
    ({"rome_codes": "F9999"}, "rome_codes"),
    ({"communes": "Saint-Denisxyz"}, "communes"),
    ({"contact_email": "pas-un-email"}, "contact_email"),
    ({"contact_phone": "12"}, "contact_phone"),
    ({"radius_km": 500}, "radius_km"),
    ({"capacity_positions": -1}, "capacity_positions"),
    ({"activities": "", "rome_codes": ""}, "activities"),
    ({"contact_email": "", "contact_phone": ""}, "contact_email"),
])
def test_wrong_input_is_refused_on_its_field_and_nothing_changes(db, personas, structure, change, field):
    company, profile = structure()
    version = profile.version
    with pytest.raises(DomainError) as refused:
        services.save_profile(personas["facilitator"], company.id,
                              services.ProfileInput(**{**INPUT.__dict__, **change}))
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.get(DirectoryProfile, profile.id).version == version


def test_saving_over_a_newer_version_is_refused(db, personas, structure):
    company, profile = structure()
    loaded = profile.version
    services.save_profile(personas["facilitator"], company.id, INPUT, version=loaded)
    with pytest.raises(EditConflict) as conflict:
        services.save_profile(personas["facilitator"], company.id,
                              services.ProfileInput(activities="Autre chose", contact_email="a@b.fr"), version=loaded)
    assert ("activities", "Entretien d'espaces verts") in conflict.value.differences
    assert services.profile_of(company.id).activities == "Entretien d'espaces verts"


def test_a_form_loaded_before_the_profile_existed_does_not_overwrite_it(db, personas, structure):
    company, _ = structure()  # created meanwhile
    with pytest.raises(EditConflict):
        services.save_profile(personas["facilitator"], company.id, INPUT, version=0)
