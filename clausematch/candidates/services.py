"""Create and edit candidates: consent first, duplicates detected, every change audited.

Services take plain values and the acting user, check the rules (permissions again), raise
DomainError with a French message and commit once. Audit details hold ids and field names only,
never personal data.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch import audit, versioning
from clausematch.accounts.models import FacilitatorTeam, Membership, Role, User
from clausematch.candidates import checks, permissions
from clausematch.candidates.checks import CandidateInput, ConsentInput, CriterionInput
from clausematch.candidates.duplicates import Person, find_duplicates
from clausematch.candidates.eligibility import is_valid
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.database import today, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import notify
from clausematch.vocabulary import Criterion

DUPLICATES_PATH = "/candidats/doublons"
STANDARD_PURPOSES = (
    "Accompagnement vers l'emploi dans le cadre des clauses sociales d'insertion : orientation vers des "
    "offres d'emploi, vérification de l'éligibilité par l'équipe de facilitation, transmission aux "
    "entreprises des informations utiles au recrutement, suivi du parcours et bilans statistiques anonymes.")


class PossibleDuplicate(DomainError):
    """The person seems to be already followed by the acting prescriber's own organisation:
    nothing is saved until the prescriber confirms. `matches` are records they may open."""

    def __init__(self, matches: list[Candidate]):
        super().__init__("Cette personne semble déjà suivie par votre structure. Vérifiez les fiches "
                         "ci-dessous ; s'il s'agit d'une autre personne, confirmez la création.",
                         field="confirm_duplicate")
        self.matches = matches


@dataclass(frozen=True)
class Created:
    candidate: Candidate
    # A record of another organisation looks like this person: the facilitators were told.
    flagged_elsewhere: bool


def check_new_candidate(actor: User, data: CandidateInput, consent: ConsentInput | None,
                        confirm_duplicate: bool = False) -> None:
    """Every rule of a new candidate, all refusals at once (FieldErrors), the possible duplicates
    among them (a PossibleDuplicate) as soon as the names and birth date are valid. Reads only:
    the form shows it all at the first submit; create_candidate checks again."""
    if not permissions.can_list_candidates(actor):
        raise NotAllowed("Seul un prescripteur peut enregistrer un candidat.")
    now = today()
    organisation = actor.organisation
    collect = Collector()
    collect(checks.checked_candidate, data, organisation.territory_id, organisation.id, now, consent, new=True)
    person = checks.identity(data, now)
    if person is not None:
        collect(_check_duplicates, organisation, person, confirm_duplicate)
    collect.raise_if_any()


def create_candidate(actor: User, data: CandidateInput, consent: ConsentInput | None,
                     confirm_duplicate: bool = False) -> Created:
    """A new candidate of the actor's prescriber organisation, with the consent recorded. Every
    rule refused raises one FieldErrors; then a look-alike record of the actor's organisation
    raises PossibleDuplicate until the actor confirms."""
    if not permissions.can_list_candidates(actor):
        raise NotAllowed("Seul un prescripteur peut enregistrer un candidat.")
    now = today()
    organisation = actor.organisation
    checked = checks.checked_candidate(data, organisation.territory_id, organisation.id, now, consent, new=True)
    values, consent = checked.values, checked.consent
    matches = _check_duplicates(organisation, Person(
        values["first_name"], values["last_name"], values["birth_date"], values["email"], values["phone"]),
        confirm_duplicate)
    own = [match for match in matches if match.prescriber_id == organisation.id]
    candidate = Candidate(territory_id=organisation.territory_id, prescriber_id=organisation.id, **values)
    candidate.consents.append(Consent(given_on=consent.given_on, purposes=consent.purposes,
                                      recorded_by_id=actor.id))
    candidate.desired_jobs.extend(CandidateDesiredJob(appellation_code=code, position=position)
                                  for position, code in enumerate(checked.codes, start=1))
    db.session.add(candidate)
    _sync_criteria(candidate, checked.declared, actor)
    db.session.flush()
    audit.record("candidate.created", "candidate", candidate.id, actor_id=actor.id, candidate_id=candidate.id,
                 consent_id=candidate.consents[0].id, criteria=sorted(c.value for c in checked.declared),
                 own_duplicates_confirmed=[match.id for match in own])
    elsewhere = [match for match in matches if match.prescriber_id != organisation.id]
    if elsewhere:
        _flag_to_facilitators(candidate, elsewhere, actor)
    db.session.commit()
    return Created(candidate, flagged_elsewhere=bool(elsewhere))


def _check_duplicates(organisation, person: Person, confirm_duplicate: bool) -> list[Candidate]:
    """Every record of the territory that looks like `person`; PossibleDuplicate when some are the
    organisation's own and the prescriber has not confirmed."""
    matches = find_duplicates(organisation.territory_id, person)
    own = [match for match in matches if match.prescriber_id == organisation.id]
    if own and not confirm_duplicate:
        raise PossibleDuplicate(own)
    return matches


def check_candidate_update(actor: User, candidate: Candidate, data: CandidateInput) -> None:
    """Every rule of the edit form, all refusals at once (FieldErrors). Reads only."""
    if not permissions.can_edit_candidate(actor, candidate):
        raise NotAllowed("Seule la structure qui suit cette personne peut modifier sa fiche.")
    checks.checked_candidate(data, candidate.territory_id, candidate.prescriber_id, today())


def update_candidate(actor: User, candidate_id: int, data: CandidateInput, version: int | None = None) -> Candidate:
    """`version`: the one the edit form was loaded at (versioning.py)."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise DomainError("Ce candidat n'existe pas.")
    if not permissions.can_edit_candidate(actor, candidate):
        raise NotAllowed("Seule la structure qui suit cette personne peut modifier sa fiche.")
    checked = checks.checked_candidate(data, candidate.territory_id, candidate.prescriber_id, today())
    values = checked.values
    changed = sorted(name for name, value in values.items() if getattr(candidate, name) != value)
    for name, value in values.items():
        setattr(candidate, name, value)
    versioning.claim(candidate, version)  # before the lists below load (and flush) anything
    if _sync_jobs(candidate, checked.codes):
        changed.append("desired_jobs")
    criteria_changes = _sync_criteria(candidate, checked.declared, actor)
    audit.record("candidate.updated", "candidate", candidate.id, actor_id=actor.id, candidate_id=candidate.id,
                 fields=changed,
                 criteria=criteria_changes)
    db.session.commit()
    return candidate


def _sync_jobs(candidate: Candidate, codes: list[int]) -> bool:
    """Desired jobs become `codes`, in that order; rows kept when their code stays (unique per
    candidate), their position rewritten. True when the list or its order changed."""
    before = [job.appellation_code for job in candidate.desired_jobs]
    current = {job.appellation_code: job for job in candidate.desired_jobs}
    for code, job in current.items():
        if code not in codes:
            candidate.desired_jobs.remove(job)
    for position, code in enumerate(codes, start=1):
        job = current.get(code)
        if job is None:
            candidate.desired_jobs.append(CandidateDesiredJob(appellation_code=code, position=position))
        elif job.position != position:
            job.position = position
    return before != codes


def _sync_criteria(candidate: Candidate, declared: dict[Criterion, CriterionInput], actor: User) -> dict:
    """Apply the prescriber's declarations; returns {code: what happened} for the audit.

    - a new code is declared; a declared one gets its evidence updated, or is removed when unticked;
    - a validated criterion still valid is the facilitator's decision: left as it is;
    - a refused or expired one with new evidence is declared again (a renewal request);
    - a validated or refused one unticked stays (the decision is kept in the record).
    """
    now = today()
    changes = {}
    owner = candidate.prescriber_id
    # Rows another organisation declared (moved here by a merge) are neither shown to this
    # prescriber nor changed by their form; the same code cannot be declared twice.
    others = {row.criterion for row in candidate.criteria if permissions.declaring_organisation_id(row) != owner}
    current = {row.criterion: row for row in candidate.criteria if row.criterion not in others}
    declared = {code: item for code, item in declared.items() if code not in others}
    for code, row in current.items():
        if code not in declared and row.status == EligibilityStatus.DECLARED:
            candidate.criteria.remove(row)
            changes[code.value] = "withdrawn"
    for code, item in declared.items():
        row = current.get(code)
        if row is None:
            candidate.criteria.append(EligibilityCriterion(
                criterion=code, evidence=item.evidence, evidence_date=item.evidence_date,
                declared_by_id=actor.id, declared_by_organisation_id=owner, status=EligibilityStatus.DECLARED))
            changes[code.value] = "declared"
        elif row.status == EligibilityStatus.DECLARED:
            if (row.evidence, row.evidence_date) != (item.evidence, item.evidence_date):
                row.evidence, row.evidence_date = item.evidence, item.evidence_date
                changes[code.value] = "evidence_updated"
        elif not is_valid(row, now) and (row.evidence, row.evidence_date) != (item.evidence, item.evidence_date):
            _declare_again(row, item, actor)
            changes[code.value] = "declared_again"
    return changes


def _declare_again(row: EligibilityCriterion, item: CriterionInput, actor: User) -> None:
    row.evidence, row.evidence_date = item.evidence, item.evidence_date
    row.status = EligibilityStatus.DECLARED
    row.declared_by_id, row.declared_at = actor.id, utcnow()
    row.validated_by_id = row.validated_at = row.valid_until = row.refusal_reason = None


def territory_facilitator_ids(territory_id: int) -> list[int]:
    stmt = (sa.select(User.id).join(Membership, Membership.user_id == User.id)
            .join(FacilitatorTeam, FacilitatorTeam.id == Membership.organisation_id)
            .where(FacilitatorTeam.territory_id == territory_id, User.role == Role.FACILITATOR,
                   User.is_active.is_(True))
            .order_by(User.id))
    return list(db.session.scalars(stmt).unique())


def _flag_to_facilitators(candidate: Candidate, others: list[Candidate], actor: User) -> None:
    """Tell the territory's facilitators (never the prescriber: the other record is not theirs)."""
    for other in others:
        audit.record("candidate.duplicate_suspected", "candidate", candidate.id, actor_id=actor.id,
                     candidate_id=candidate.id, other_id=other.id)
    for user_id in territory_facilitator_ids(candidate.territory_id):
        notify(user_id, "Doublon possible : une nouvelle fiche candidat ressemble à une fiche suivie par une "
                        "autre structure du territoire.", link=DUPLICATES_PATH)
