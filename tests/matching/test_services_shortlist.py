"""The facilitator's shortlist from suggested candidates: applications created or moved through the
workflow with the facilitator as actor, prescribers told; then sent to the company."""
import pytest
import sqlalchemy as sa
from factories import ApplicationFactory, UserFactory
from matching_app_support import candidate, offer_of

from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.naming import short_name
from clausematch.errors import DomainError, NotAllowed
from clausematch.matching import shortlisting
from clausematch.notifications import Notification, OutboxMessage
from clausematch.offers.models import OfferStatus

S = ApplicationStatus


@pytest.fixture
def offer(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, title="Maçon VRD", eligible_criteria=["rsa"])
    db.session.commit()
    return offer


def notifications_of(db, user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.message).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def history(db, application) -> list[S]:
    return list(db.session.scalars(sa.select(ApplicationEvent.to_status)
                                   .where(ApplicationEvent.application_id == application.id)
                                   .order_by(ApplicationEvent.id)))


def test_adding_creates_shortlisted_applications_owned_by_the_prescriber(db, personas, offer):
    prescriber_user = personas["prescriber"]
    referent = candidate(prescriber_user.organisation, first_name="Awa", last_name="Diallo",
                         referent_id=prescriber_user.id)
    colleague = UserFactory(role=Role.PRESCRIBER, organisation=prescriber_user.organisation)
    no_referent = candidate(prescriber_user.organisation, first_name="Léo", last_name="Martin")
    db.session.commit()
    facilitator = personas["facilitator"]

    result = shortlisting.add_to_shortlist(offer.id, [referent.id, no_referent.id], facilitator)

    assert result.added == ["Awa Diallo", "Léo Martin"] and result.refused == []
    applications = db.session.scalars(sa.select(Application).order_by(Application.id)).all()
    assert [(a.candidate_id, a.status, a.prescriber_id, a.proposed_by_id) for a in applications] == [
        (referent.id, S.SHORTLISTED, prescriber_user.organisation.id, facilitator.id),
        (no_referent.id, S.SHORTLISTED, prescriber_user.organisation.id, facilitator.id)]
    assert history(db, applications[0]) == [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED]
    # The referent hears of both steps through the workflow; without referent, the organisation's prescribers.
    assert notifications_of(db, prescriber_user) == [
        "La candidature d'Awa D. à l'offre « Maçon VRD » a été validée (éligibilité vérifiée).",
        "La candidature d'Awa D. à l'offre « Maçon VRD » a été présélectionnée.",
        "L'équipe de facilitation a présélectionné Léo M. pour l'offre « Maçon VRD »."]
    assert notifications_of(db, colleague) == [
        "L'équipe de facilitation a présélectionné Léo M. pour l'offre « Maçon VRD »."]
    assert notifications_of(db, personas["company"]) == []  # nothing sent yet
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.created")) == 2


def test_a_candidate_who_may_not_be_shortlisted_is_reported_and_the_others_added(db, personas, offer):
    prescriber = personas["prescriber"].organisation
    good = candidate(prescriber)
    not_validated = candidate(prescriber, criteria=(), first_name="Sans", last_name="Critère")
    wrong_public = candidate(prescriber, criteria=("deld",), first_name="Autre", last_name="Public")
    db.session.commit()

    result = shortlisting.add_to_shortlist(offer.id, [not_validated.id, good.id, wrong_public.id, 999_999],
                                           personas["facilitator"])

    assert result.added == [good.full_name]
    assert result.refused[0].startswith("Sans Critère : Sans Critère ne relève d'aucun des publics attendus")
    assert result.refused[1].startswith("Autre Public : Autre Public ne relève d'aucun des publics attendus")
    assert result.refused[2] == "Le candidat n° 999999 n'existe pas sur votre territoire."
    assert db.session.scalars(sa.select(Application.candidate_id)).all() == [good.id]


def test_a_prescribers_application_moves_on_and_a_later_one_is_left_alone(db, personas, offer):
    prescriber = personas["prescriber"].organisation
    submitted, validated, sent = candidate(prescriber), candidate(prescriber), candidate(prescriber)
    first = ApplicationFactory(candidate=submitted, offer=offer, proposed_by_id=personas["prescriber"].id)
    second = ApplicationFactory(candidate=validated, offer=offer, status=S.VALIDATED)
    ApplicationFactory(candidate=sent, offer=offer, status=S.SENT)
    db.session.commit()

    result = shortlisting.add_to_shortlist(offer.id, [submitted.id, validated.id, sent.id], personas["facilitator"])

    assert result.added == [submitted.full_name, validated.full_name]
    assert result.refused == [f"{sent.full_name} : sa candidature à cette offre est déjà à l'état "
                              "« Envoyée à l'entreprise »."]
    assert (first.status, second.status) == (S.SHORTLISTED, S.SHORTLISTED)
    assert history(db, first) == [S.VALIDATED, S.SHORTLISTED]  # the factory recorded no creation event


def test_refusals_before_any_change(db, personas, offer):
    with pytest.raises(DomainError, match="Cochez au moins un candidat"):
        shortlisting.add_to_shortlist(offer.id, [], personas["facilitator"])
    offer.status = OfferStatus.CLOSED
    person = candidate(personas["prescriber"].organisation)
    db.session.commit()
    with pytest.raises(DomainError, match="L'offre n'est pas publiée"):
        shortlisting.add_to_shortlist(offer.id, [person.id], personas["facilitator"])
    with pytest.raises(DomainError, match="n'existe pas"):
        shortlisting.add_to_shortlist(999_999, [person.id], personas["facilitator"])


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_the_territorys_facilitators_shortlist_and_send(db, personas, offer, role):
    person = candidate(personas["prescriber"].organisation)
    db.session.commit()
    with pytest.raises(NotAllowed):
        shortlisting.add_to_shortlist(offer.id, [person.id], personas[role])
    with pytest.raises(NotAllowed):
        shortlisting.send_shortlist(offer.id, personas[role])
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_sending_moves_the_shortlist_to_the_company_and_tells_everyone(db, personas, offer):
    prescriber_user = personas["prescriber"]
    people = [candidate(prescriber_user.organisation, referent_id=prescriber_user.id) for _ in range(2)]
    waiting = candidate(prescriber_user.organisation)
    ApplicationFactory(candidate=waiting, offer=offer, status=S.SUBMITTED)
    db.session.commit()
    facilitator = personas["facilitator"]
    shortlisting.add_to_shortlist(offer.id, [p.id for p in people], facilitator)
    emails_before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))

    assert shortlisting.send_shortlist(offer.id, facilitator) == 2

    statuses = dict(db.session.execute(sa.select(Application.candidate_id, Application.status)).all())
    assert statuses == {people[0].id: S.SENT, people[1].id: S.SENT, waiting.id: S.SUBMITTED}
    company_news = notifications_of(db, personas["company"])
    # Each named as the company reads it on its page (first name and initial).
    assert sorted(company_news) == sorted(
        f"Nouvelle candidature transmise par l'équipe de facilitation : {short_name(p)} pour l'offre « Maçon VRD »."
        for p in people)
    assert notifications_of(db, prescriber_user)[-1].endswith("a été envoyée à l'entreprise.")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == emails_before + 2
    with pytest.raises(DomainError, match="Aucune candidature présélectionnée"):
        shortlisting.send_shortlist(offer.id, facilitator)


# --- Two shortlists of the same candidates at once (PostgreSQL: tests/concurrency.py) -----------

@pytest.mark.postgres
def test_the_same_shortlist_sent_twice_at_once_is_recorded_once(app, db, personas, offer):
    """A double click (or two facilitators): one shortlist, the other told, no unique-key 500."""
    from concurrency import failures, race

    from clausematch.accounts.models import User
    from clausematch.extensions import db as _db

    prescriber = personas["prescriber"].organisation
    people = [candidate(prescriber, referent_id=personas["prescriber"].id) for _ in range(3)]
    db.session.commit()
    ids, offer_id, facilitator_id = [c.id for c in people], offer.id, personas["facilitator"].id

    def add():
        return shortlisting.add_to_shortlist(offer_id, ids, _db.session.get(User, facilitator_id))

    outcomes = race([app, app], [add, add])

    assert failures(outcomes) == [] and not any(isinstance(o, Exception) for o in outcomes)
    winner, loser = sorted(outcomes, key=lambda result: len(result.added), reverse=True)
    assert (len(winner.added), loser.added) == (3, [])
    assert loser.refused == [f"{c.full_name} : sa candidature à cette offre est déjà à l'état « Présélectionnée »."
                             for c in people]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationEvent)) == 3 * 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3 * 2


@pytest.mark.postgres
def test_a_proposal_and_a_shortlist_of_the_same_candidate_at_once(app, db, personas, offer):
    """The prescriber proposes while the facilitator shortlists: one application, no 500."""
    from concurrency import failures, race

    from clausematch.accounts.models import User
    from clausematch.applications import services
    from clausematch.extensions import db as _db

    person = candidate(personas["prescriber"].organisation)
    db.session.commit()
    person_id, offer_id = person.id, offer.id
    prescriber_id, facilitator_id = personas["prescriber"].id, personas["facilitator"].id

    def propose():
        return services.propose(person_id, offer_id, "", _db.session.get(User, prescriber_id))

    def shortlist():
        return shortlisting.add_to_shortlist(offer_id, [person_id], _db.session.get(User, facilitator_id))

    outcomes = race([app, app], [propose, shortlist])

    assert failures(outcomes) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 1
