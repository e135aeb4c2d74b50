"""Events: creation, edit (version), cancellation; every refusal at once; other roles and territories."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.notifications import Notification
from clausematch.prehire import services
from clausematch.prehire.models import Event, EventKind, ParticipantStatus
from clausematch.prehire.rules import local_now
from clausematch.versioning import EditConflict


def data(**values) -> services.EventData:
    base = {"kind": "info_session", "title": "Les métiers du gros œuvre", "place": "Salle des fêtes",
            "starts_at": (local_now() + timedelta(days=10)).replace(second=0)}
    return services.EventData(**{**base, **values})


def fields(error: FieldErrors) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


def test_a_facilitator_creates_an_event_for_offers_of_the_territory(db, personas, offer):
    event = services.create_event(data(offer_ids=[offer.id], capacity=12, commune_text="93200"),
                                  personas["facilitator"])
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert (event.kind, event.capacity, event.commune_insee) == (EventKind.INFO_SESSION, 12, "93066")
    assert [o.id for o in event.offers] == [offer.id]
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_id == event.id)) == "event.created"


def test_every_refusal_of_the_form_at_once(db, personas):
    starts = local_now() + timedelta(days=3)
    with pytest.raises(FieldErrors) as refused:
        services.check_event(data(kind="", title=" ", place="", starts_at=starts, ends_at=starts - timedelta(hours=1),
                                  capacity=0, commune_text="Zzzzville"), personas["facilitator"])
    found = fields(refused.value)
    assert set(found) == {"kind", "title", "place", "ends_at", "capacity", "commune"}
    assert found["ends_at"].startswith("La fin ne peut pas précéder le début")
    assert "au moins 1 place" in found["capacity"]


def test_a_past_event_is_recorded_within_a_year_not_before(db, personas):
    recent = services.create_event(data(starts_at=local_now() - timedelta(days=30)), personas["facilitator"])
    assert recent.id is not None
    with pytest.raises(FieldErrors) as refused:
        services.check_event(data(starts_at=local_now() - timedelta(days=400)), personas["facilitator"])
    assert fields(refused.value)["starts_at"].startswith("Un événement passé s'enregistre au plus un an après")
    with pytest.raises(FieldErrors, match="deux ans à l'avance"):
        services.check_event(data(starts_at=local_now() + timedelta(days=800)), personas["facilitator"])


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_facilitators_create_events(db, personas, role):
    with pytest.raises(NotAllowed):
        services.create_event(data(), personas[role])
    assert db.session.scalar(sa.select(sa.func.count(Event.id))) == 0


def test_programme_and_offers_of_another_territory_are_refused(db, personas):
    from factories import OfferInTerritoryFactory

    from clausematch.offers.models import Programme

    elsewhere = OfferInTerritoryFactory()
    programme = Programme(territory_id=elsewhere.territory_id, name="Ailleurs")
    db.session.add(programme)
    db.session.commit()
    with pytest.raises(FieldErrors) as refused:
        services.check_event(data(offer_ids=[elsewhere.id], programme_id=programme.id), personas["facilitator"])
    assert set(fields(refused.value)) == {"offer_ids", "programme_id"}


def test_an_edit_over_a_newer_version_is_refused(db, personas, make_event):
    event = make_event()
    services.update_event(event.id, data(title="Premier titre"), personas["facilitator"], version=1)
    with pytest.raises(EditConflict):
        services.update_event(event.id, data(title="Second titre"), personas["facilitator"], version=1)
    db.session.expire_all()
    assert db.session.get(Event, event.id).title == "Premier titre"


def test_capacity_cannot_go_below_the_seats_taken(db, personas, make_event, add_participant, candidate, neighbour):
    event = make_event(capacity=5)
    add_participant(event, candidate, ParticipantStatus.REGISTERED)
    add_participant(event, neighbour, ParticipantStatus.REGISTERED)
    with pytest.raises(FieldErrors) as refused:
        services.update_event(event.id, data(capacity=1, starts_at=event.starts_at), personas["facilitator"])
    assert fields(refused.value)["capacity"].startswith("2 personnes sont déjà inscrites")


def test_another_territory_facilitator_may_not_edit(db, personas, make_event):
    from factories import FacilitatorTeamFactory, UserFactory

    from clausematch.accounts.models import Role

    outsider = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory())
    event = make_event()
    with pytest.raises(NotAllowed):
        services.update_event(event.id, data(), outsider)
    with pytest.raises(NotAllowed):
        services.cancel_event(event.id, outsider, "Salle indisponible")


def test_cancelling_tells_the_prescribers_once_and_twice_is_refused(db, personas, make_event, add_participant,
                                                                     candidate):
    event = make_event()
    add_participant(event, candidate)
    services.cancel_event(event.id, personas["facilitator"], "Salle indisponible")
    [note] = db.session.scalars(sa.select(Notification).where(Notification.user_id == personas["prescriber"].id))
    assert "est annulé" in note.message and note.link == f"/evenements/{event.id}"
    with pytest.raises(DomainError, match="a déjà été annulé le"):
        services.cancel_event(event.id, personas["facilitator"], "Salle indisponible")
    with pytest.raises(DomainError, match="annulé : il ne peut plus être modifié"):
        services.update_event(event.id, data(), personas["facilitator"])
