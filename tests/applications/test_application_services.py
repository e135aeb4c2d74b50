"""Proposing a candidate (every refusal, the unique constraint), hiring (the employment contract)
and the messages each change sends."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from applications_support import S, add_criterion
from factories import CandidateInTerritoryFactory, CompanyFactory, OfferInTerritoryFactory, PrescriberFactory
from sqlalchemy.exc import IntegrityError

from clausematch.accounts.models import CompanyKind
from clausematch.applications import services, workflow
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.audit import AuditEvent
from clausematch.candidates.models import EligibilityStatus
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed
from clausematch.notifications import Notification, OutboxMessage
from clausematch.offers.models import OfferStatus
from clausematch.pathways.hiring import HireData, record_hire
from clausematch.pathways.models import EmploymentContract
from clausematch.vocabulary import Criterion, Mode


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- Proposing ----------------------------------------------------------------------------------

def test_propose_creates_the_application_and_its_first_event(db, personas, candidate, offer):
    application = services.propose(candidate.id, offer.id, "  Motivée, disponible de suite ", personas["prescriber"])

    assert (application.status, application.prescriber_id) == (S.SUBMITTED, candidate.prescriber_id)
    assert (application.proposed_by_id, application.message) == (personas["prescriber"].id,
                                                                 "Motivée, disponible de suite")
    (event,) = db.session.scalars(sa.select(ApplicationEvent)).all()
    assert (event.from_status, event.to_status, event.actor_id) == (None, S.SUBMITTED, personas["prescriber"].id)
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.entity_id == application.id,
                                                                AuditEvent.action == "application.created"))


def test_same_candidate_cannot_be_proposed_twice(db, personas, candidate, offer):
    services.propose(candidate.id, offer.id, "", personas["prescriber"])
    with pytest.raises(DomainError, match="déjà été proposé"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    assert count(db, Application) == 1


def test_unique_constraint_backs_the_rule_and_nothing_is_half_saved(db, personas, candidate, offer, monkeypatch):
    services.propose(candidate.id, offer.id, "", personas["prescriber"])
    # A second request that checked before the first one committed.
    monkeypatch.setattr(services, "_already_proposed", lambda *ids: False)

    with pytest.raises(DomainError, match="déjà été proposé"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])

    assert (count(db, Application), count(db, ApplicationEvent)) == (1, 1)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "application.created")) == 1


def test_unique_constraint_in_the_database(db, make_application, candidate, offer):
    make_application()
    db.session.add(Application(candidate_id=candidate.id, offer_id=offer.id, prescriber_id=candidate.prescriber_id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# A filled offer has its own message (test_offer_filled.py).
@pytest.mark.parametrize("status", [OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.CLOSED])
def test_offer_not_published_is_refused(db, personas, candidate, offer, status):
    offer.status = status
    db.session.commit()
    with pytest.raises(DomainError, match=f"pas ouverte aux candidatures \\(statut : {status.label.lower()}\\)"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    assert count(db, Application) == 0


def test_offer_past_its_publication_end_is_refused(db, personas, candidate, offer, time_machine):
    time_machine.move_to(offer.publication_end + timedelta(days=1), tick=False)
    with pytest.raises(DomainError, match="publication de cette offre est terminée"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])


def test_expired_eligibility_blocks_new_orientations(db, personas, candidate, offer, time_machine):
    offer.publication_end = None
    for criterion in list(candidate.criteria):
        if criterion.status == EligibilityStatus.DECLARED:
            db.session.delete(criterion)
    db.session.commit()
    valid_until = candidate.criteria[0].valid_until
    time_machine.move_to(valid_until, tick=False)
    services.check_can_be_proposed(candidate, offer, today())  # last day of validity: still fine

    time_machine.move_to(valid_until + timedelta(days=1), tick=False)
    with pytest.raises(DomainError, match="renouveler l'éligibilité"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    assert count(db, Application) == 0


def test_another_valid_criterion_keeps_eligibility(db, personas, candidate, offer, time_machine):
    add_criterion(candidate, "under_26", valid_until=today() + timedelta(days=400))
    offer.publication_end = None
    db.session.commit()
    time_machine.move_to(today() + timedelta(days=200), tick=False)  # deld has expired, under_26 not
    assert services.propose(candidate.id, offer.id, "", personas["prescriber"]).status == S.SUBMITTED


def test_candidate_outside_the_offer_publics_is_refused_with_the_publics_named(db, personas, candidate, offer):
    offer.eligible_criteria = ["rqth", "aah"]
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    assert "Léa Martin ne relève d'aucun des publics attendus" in caught.value.message
    assert Criterion.RQTH.label in caught.value.message and Criterion.AAH.label in caught.value.message


def test_declared_criterion_is_enough_to_propose(db, personas, candidate, offer):
    offer.eligible_criteria = ["rsa"]  # declared, not validated yet: the facilitator checks it next
    db.session.commit()
    assert services.propose(candidate.id, offer.id, "", personas["prescriber"]).status == S.SUBMITTED


def test_qpv_offer_needs_a_qpv_resident(db, personas, candidate, offer):
    """Residence in a QPV is the "qpv" criterion: declared is enough to propose, as for any public."""
    offer.qpv_required = True
    db.session.commit()
    with pytest.raises(DomainError, match="réservée aux résidents d'un quartier prioritaire"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    add_criterion(candidate, "qpv", status=EligibilityStatus.REFUSED)
    db.session.commit()
    with pytest.raises(DomainError, match="réservée aux résidents d'un quartier prioritaire"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    candidate.criteria[-1].status, candidate.criteria[-1].refusal_reason = EligibilityStatus.DECLARED, None
    db.session.commit()
    assert services.propose(candidate.id, offer.id, "", personas["prescriber"]).id


def test_only_the_owning_prescriber_proposes_to_offers_of_its_territory(db, personas, territory, candidate, offer):
    stranger = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    elsewhere = OfferInTerritoryFactory()  # another territory
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.propose(stranger.id, offer.id, "", personas["prescriber"])
    with pytest.raises(NotAllowed):
        services.propose(candidate.id, elsewhere.id, "", personas["prescriber"])
    for role in ("company", "buyer"):
        with pytest.raises(NotAllowed):
            services.propose(candidate.id, offer.id, "", personas[role])
    # A facilitator proposes any candidate of the territory, never to another territory's offers.
    with pytest.raises(NotAllowed):
        services.propose(candidate.id, elsewhere.id, "", personas["facilitator"])
    application = services.propose(stranger.id, offer.id, "", personas["facilitator"])
    assert application.prescriber_id == stranger.prescriber_id


def test_propose_checks_its_inputs(db, personas, candidate, offer):
    with pytest.raises(DomainError) as caught:
        services.propose(None, offer.id, "", personas["prescriber"])
    assert caught.value.field == "candidate_id"
    with pytest.raises(DomainError) as caught:
        services.propose(candidate.id, 999_999, "", personas["prescriber"])
    assert caught.value.field == "offer_id"
    with pytest.raises(DomainError, match="2000 caractères"):
        services.propose(candidate.id, offer.id, "x" * 2001, personas["prescriber"])
    candidate.merged_into_id = CandidateInTerritoryFactory(prescriber=candidate.prescriber).id
    db.session.commit()
    with pytest.raises(DomainError, match="fusionnée"):
        services.propose(candidate.id, offer.id, "", personas["prescriber"])


# --- Hiring -------------------------------------------------------------------------------------

PROPOSED_AT = datetime(2026, 1, 5, 9)  # before the hire and interview dates below


def hire(**changes) -> HireData:
    values = {"contract_type": "cdd", "start_date": date(2026, 3, 2), "planned_end_date": date(2026, 8, 31),
              "weekly_hours": 35}
    return HireData(**{**values, **changes})


def test_hire_creates_the_contract_in_the_same_commit(db, personas, make_application, lot):
    application = make_application(S.INTERVIEW, created_at=PROPOSED_AT)
    record_hire(application.id, hire(), "Bienvenue", personas["company"])

    db.session.expire_all()
    contract = db.session.scalars(sa.select(EmploymentContract)).one()
    assert db.session.get(Application, application.id).status == S.HIRED
    assert (contract.application_id, contract.candidate_id, contract.lot_id) == (
        application.id, application.candidate_id, lot.id)
    assert contract.company_id == lot.company_id == personas["company"].organisation.id
    assert (contract.employer_id, contract.mode) == (application.offer.company_id, Mode.DIRECT)
    assert (contract.start_date, contract.planned_end_date, contract.weekly_hours) == (
        date(2026, 3, 2), date(2026, 8, 31), 35)
    assert contract.created_by_id == personas["company"].id


@pytest.mark.parametrize(("kind", "mode"), [(CompanyKind.ETTI, Mode.ETTI), (CompanyKind.AI, Mode.AI),
                                            (CompanyKind.GEIQ, Mode.GEIQ), (CompanyKind.EI, Mode.DIRECT)])
def test_employer_that_lends_workers_sets_the_mode(db, personas, territory, make_application, lot, kind, mode):
    """An insertion structure publishes on the titulaire's lot: it employs, the titulaire owes the hours."""
    from factories import UserFactory

    from clausematch.accounts.models import Role

    structure = CompanyFactory(territory=territory, company_kind=kind)
    recruiter = UserFactory(role=Role.COMPANY, organisation=structure)
    offer = OfferInTerritoryFactory(lot=lot, company=structure)
    application = make_application(S.SENT, offer=offer, created_at=PROPOSED_AT)

    record_hire(application.id, hire(contract_type="cdi", planned_end_date=None), "", recruiter)

    contract = db.session.scalars(sa.select(EmploymentContract)).one()
    assert (contract.company_id, contract.employer_id, contract.mode) == (lot.company_id, structure.id, mode)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"contract_type": "stage"}, "contract_type", "type de contrat"),
    ({"start_date": None}, "start_date", "date de début"),
    ({"planned_end_date": None}, "planned_end_date", "date de fin prévue du contrat \\(CDD\\)"),
    ({"contract_type": "cdi"}, "planned_end_date", "Un CDI n'a pas de date de fin"),
    ({"planned_end_date": date(2026, 1, 1)}, "planned_end_date", "ne peut pas précéder"),
    ({"weekly_hours": 49}, "weekly_hours", "48 au plus"),
    ({"weekly_hours": 0}, "weekly_hours", "48 au plus"),
])
def test_hire_terms_are_checked_and_nothing_is_saved(db, personas, make_application, changes, field, message):
    application = make_application(S.SENT)
    with pytest.raises(DomainError, match=message) as caught:
        record_hire(application.id, hire(**changes), "", personas["company"])
    assert caught.value.field == field
    db.session.rollback()
    assert count(db, EmploymentContract) == 0
    assert db.session.get(Application, application.id).status == S.SENT


def test_database_refuses_a_direct_fixed_term_contract_without_end(db, make_application, lot):
    application = make_application(S.SENT)
    db.session.add(EmploymentContract(candidate_id=application.candidate_id, lot_id=lot.id, company_id=lot.company_id,
                                      employer_id=lot.company_id, contract_type="cdd", mode=Mode.DIRECT,
                                      start_date=date(2026, 3, 2), weekly_hours=35))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_move_service_refuses_hires_and_unknown_states(db, personas, make_application):
    application = make_application(S.SENT)
    with pytest.raises(DomainError, match="contrat de travail"):
        services.move(application.id, S.HIRED, personas["company"])
    with pytest.raises(DomainError, match="inconnu"):
        services.move(application.id, "embauche", personas["company"])
    with pytest.raises(DomainError, match="n'existe pas"):
        services.move(999_999, S.REFUSED, personas["company"])


def test_interview_date_heads_the_comment(db, personas, make_application):
    application = make_application(S.SENT, created_at=PROPOSED_AT)
    services.record_interview(application.id, date(2026, 3, 12), "Bon contact", personas["company"])
    assert application.events[-1].comment == "Entretien le 12/03/2026. Bon contact"
    assert application.status == S.INTERVIEW


# --- Messages -----------------------------------------------------------------------------------

def test_each_change_notifies_proposer_and_referent_and_queues_one_email(db, personas, referent, make_application):
    application = make_application(S.SENT)
    services.record_interview(application.id, None, "Lundi 9 h", personas["company"])

    notes = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    prescriber_side = [n for n in notes if n.user_id in (personas["prescriber"].id, referent.id)]
    assert sorted(n.user_id for n in prescriber_side) == sorted([personas["prescriber"].id, referent.id])
    assert all(n.link == f"/orientations/{application.id}" for n in prescriber_side)
    assert "Léa M." in prescriber_side[0].message and "entretien" in prescriber_side[0].message
    (email,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert email.recipient == personas["prescriber"].email
    assert email.subject == "Candidature de Léa M. à l'offre « Coffreur bancheur » : entretien"
    assert f"http://localhost/orientations/{application.id}" in email.body


def test_email_carries_no_eligibility_data(db, personas, make_application, candidate):
    add_criterion(candidate, "qpv")
    application = make_application(S.SENT)
    services.move(application.id, S.REFUSED, personas["company"], "RSA, QPV : n'importe quoi", "not_eligible")

    (email,) = db.session.scalars(sa.select(OutboxMessage)).all()
    text = email.subject + email.body
    assert "Léa M." in text and "Martin" not in text
    for forbidden in ["RSA", "QPV", "1991", "14/03", "Demandeur d'emploi", "n'importe quoi", "06 12"]:
        assert forbidden not in text
    assert "Motif : non éligible" in text


def test_the_actor_is_not_notified_of_their_own_move(db, personas, referent, make_application):
    application = make_application(S.SUBMITTED)
    services.move(application.id, S.WITHDRAWN, personas["prescriber"], "A trouvé un emploi")

    notified = db.session.scalars(sa.select(Notification.user_id)).all()
    assert notified == [referent.id]
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == [referent.email]


def test_company_hears_of_candidates_sent_to_it(db, personas, make_application):
    application = make_application(S.SHORTLISTED)
    services.move(application.id, S.SENT, personas["facilitator"])

    note = db.session.scalars(sa.select(Notification).where(Notification.user_id == personas["company"].id)).one()
    assert note.link == f"/entreprise/candidatures/{application.id}"
    # Named as the company reads the person on its page (company_view): first name and initial, and the offer.
    assert note.message == ("Nouvelle candidature transmise par l'équipe de facilitation : Léa M. pour l'offre "
                            "« Coffreur bancheur ».")
    services.move(application.id, S.WITHDRAWN, personas["prescriber"])
    texts = db.session.scalars(sa.select(Notification.message).where(Notification.user_id == personas["company"].id)
                               .order_by(Notification.id)).all()
    assert texts[-1] == "La candidature de Léa M. à l'offre « Coffreur bancheur » a été retirée."


def test_no_message_when_nobody_follows_the_candidate(db, personas, make_application, candidate):
    candidate.referent_id = None
    application = make_application(S.SUBMITTED, proposed_by_id=None)
    workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    db.session.commit()
    assert (count(db, Notification), count(db, OutboxMessage)) == (0, 0)
