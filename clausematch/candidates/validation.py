"""Facilitators validate or refuse each declared eligibility criterion.

Moves of a criterion (who makes them):
    declared  → validated  validate (facilitator of the territory)
    declared  → refused    refuse, with a reason (facilitator)
    validated → validated  renew: re-validate, expired or not, new dates (facilitator)
    validated → refused    refuse, with a reason, e.g. evidence found wrong (facilitator)
    refused / expired → declared   the prescriber enters new evidence (services._sync_criteria)
A validation stores who, when, and valid_until = validation date + the territory's
eligibility_validity_months.
"""
from clausematch import audit
from clausematch.accounts.models import Territory, User
from clausematch.candidates import permissions
from clausematch.candidates.eligibility import valid_until_for
from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
from clausematch.candidates.naming import of_name, short_name
from clausematch.database import utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import notify

REASON_MAX_LENGTH = 300
FROM_STATUSES = frozenset({EligibilityStatus.DECLARED, EligibilityStatus.VALIDATED})


def validate_criterion(actor: User, criterion_id: int) -> EligibilityCriterion:
    row = _criterion_for_decision(actor, criterion_id)
    renewal = row.status == EligibilityStatus.VALIDATED
    now = utcnow()
    months = db.session.get(Territory, row.candidate.territory_id).eligibility_validity_months
    row.status = EligibilityStatus.VALIDATED
    row.validated_by_id, row.validated_at = actor.id, now
    row.valid_until = valid_until_for(now.date(), months)
    row.refusal_reason = None
    audit.record("eligibility.renewed" if renewal else "eligibility.validated", "eligibility_criterion", row.id,
                 actor_id=actor.id, candidate_id=row.candidate_id, valid_until=row.valid_until.isoformat())
    done = "renouvelé" if renewal else "validé"
    _tell_referent(row, f"Un critère d'éligibilité {{of_name}} a été {done}.",
                   f"{{count}} critères d'éligibilité {{of_name}} ont été {done}s.", f"eligibility.{done}")
    db.session.commit()
    return row


def check_refusal(actor: User, criterion_id: int, reason: str) -> tuple[EligibilityCriterion, str]:
    """The criterion and the reason as kept, every rule run: the reason's and the criterion's
    (it may still be refused), all refusals at once (one FieldErrors). Writes nothing: the refusal
    form runs it at its first submit."""
    collect = Collector()
    reason = " ".join((reason or "").split())
    if not reason:
        collect.add("Indiquez le motif du refus : il sera lu par le prescripteur.", field="reason")
    elif len(reason) > REASON_MAX_LENGTH:
        collect.add(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères.", field="reason")
    row = collect(_criterion_for_decision, actor, criterion_id)
    collect.raise_if_any()
    return row, reason


def refuse_criterion(actor: User, criterion_id: int, reason: str) -> EligibilityCriterion:
    row, reason = check_refusal(actor, criterion_id, reason)
    row.status = EligibilityStatus.REFUSED
    row.refusal_reason = reason
    # The decision is dated and signed like a validation; the dates of validity no longer apply.
    row.validated_by_id, row.validated_at, row.valid_until = actor.id, utcnow(), None
    audit.record("eligibility.refused", "eligibility_criterion", row.id, actor_id=actor.id,
                 candidate_id=row.candidate_id)
    _tell_referent(row, "Un critère d'éligibilité {of_name} a été refusé : voir le motif sur sa fiche.",
                   "{count} critères d'éligibilité {of_name} ont été refusés : voir les motifs sur sa fiche.",
                   "eligibility.refusé")
    db.session.commit()
    return row


def _criterion_for_decision(actor: User, criterion_id: int) -> EligibilityCriterion:
    row = db.session.get(EligibilityCriterion, criterion_id)
    if row is None:
        raise DomainError("Ce critère n'existe pas.")
    if not permissions.can_validate_eligibility(actor, row.candidate):
        raise NotAllowed("Seule l'équipe de facilitation du territoire valide l'éligibilité.")
    if row.status not in FROM_STATUSES:
        raise DomainError("Ce critère a été refusé : le prescripteur doit d'abord le déclarer à nouveau "
                          "avec un justificatif à jour.")
    return row


def _tell_referent(row: EligibilityCriterion, message: str, plural: str, kind: str) -> None:
    """The referent hears of the decision, the person named by first name and initial (never the
    criterion: the details are on the record). Decisions of one kind on one person's criteria,
    unread, make one line: "3 critères d'éligibilité d'Awa D. ont été validés"."""
    referent_id = row.candidate.referent_id
    if referent_id is None:
        return
    whose = of_name(short_name(row.candidate))
    notify(referent_id, message.format(of_name=whose), link=f"/candidats/{row.candidate_id}",
           group=f"{kind}:{row.candidate_id}", plural=plural.replace("{of_name}", whose))
