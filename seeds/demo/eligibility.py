"""Dates, eligibility criteria, consent and desired jobs of each candidate, consistent with the
applications walked: whoever passed the 'validated' step holds criteria validated by then."""
from datetime import datetime, timedelta

from clausematch.accounts.models import PrescriberKind
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.database import add_months
from clausematch.vocabulary import Criterion, EducationLevel
from seeds.demo.accounts import facilitators
from seeds.demo.common import Plan, at, between, weighted

C = Criterion
EVIDENCE = {
    C.DELD: "Attestation d'inscription France Travail (plus de 12 mois)",
    C.DETLD: "Historique d'inscription France Travail (plus de 24 mois)",
    C.RSA: "Attestation CAF de droit au RSA",
    C.ASS: "Notification d'allocation de solidarité spécifique",
    C.AAH: "Notification CAF d'allocation aux adultes handicapés",
    C.RQTH: "Notification RQTH de la MDPH",
    C.UNDER_26: "Pièce d'identité",
    C.OVER_50: "Pièce d'identité",
    C.QPV: "Justificatif de domicile, adresse vérifiée sur la carte des QPV 2024",
    C.IAE: "PASS IAE en cours de validité",
    C.STRUCTURE: "Attestation de suivi par la structure",
    C.DEROGATION: "Avis motivé du prescripteur",
}
EXTRA = {C.DELD: 30, C.DETLD: 12, C.RSA: 20, C.ASS: 4, C.AAH: 3, C.RQTH: 6, C.IAE: 8, C.STRUCTURE: 5,
         C.DEROGATION: 1}
BY_PRESCRIBER = {PrescriberKind.CAP_EMPLOI: C.RQTH, PrescriberKind.SIAE: C.IAE, PrescriberKind.OTHER: C.STRUCTURE}
REFUSALS = ["Justificatif non probant", "Inscription à France Travail de moins de 12 mois",
            "Justificatif périmé", "Pièce manquante malgré relance"]
PURPOSES = ("Accompagnement vers l'emploi dans le cadre des clauses sociales ; transmission des "
            "candidatures aux entreprises ; suivi des parcours et bilans anonymisés.")


def finalise_candidates(plan: Plan) -> None:
    """Queue criteria, consent and desired jobs, and date every candidate."""
    rng = plan.rng("eligibility")
    team = facilitators(plan)
    for candidate in plan.rows[Candidate]:
        person = plan.refs["people"][candidate["id"]]
        created = _created(plan, rng, person)
        candidate["created_at"] = candidate["updated_at"] = created
        last = max([app["last_event_at"] for app in person["apps"]], default=created)
        candidate["updated_at"] = max(created, last)
        plan.add(Consent, candidate_id=candidate["id"], given_on=created.date(),
                 recorded_by_id=candidate["referent_id"], purposes=PURPOSES, recorded_at=created, withdrawn_on=None)
        for position, code in enumerate(person["jobs"], start=1):
            plan.add(CandidateDesiredJob, candidate_id=candidate["id"], appellation_code=code, position=position)
        _criteria(plan, rng, team, candidate, person, created)


def _created(plan: Plan, rng, person: dict) -> datetime:
    if person["apps"]:
        first = min(app["created_at"] for app in person["apps"])
        return first - timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 6))
    return at(between(rng, add_months(plan.anchor, -26), plan.anchor - timedelta(days=1)), rng)


def _codes(rng, candidate: dict, person: dict) -> list[Criterion]:
    codes = []
    if person["age"] < 26 and candidate["education_level"] in (EducationLevel.NONE, EducationLevel.CAP_BEP,
                                                               EducationLevel.BAC):
        codes.append(C.UNDER_26)
    if person["age"] >= 50:
        codes.append(C.OVER_50)
    if person["qpv"]:
        codes.append(C.QPV)
    if person["prescriber_kind"] in BY_PRESCRIBER:
        codes.append(BY_PRESCRIBER[person["prescriber_kind"]])
    for _ in range(1 if codes else rng.randint(1, 2)):
        extra = weighted(rng, EXTRA)
        if person["age"] < 26 and extra in (C.DETLD, C.ASS):
            extra = C.DELD
        if extra not in codes:
            codes.append(extra)
    if C.DETLD in codes and C.DELD in codes:
        codes.remove(C.DELD)  # the longer registration says it all
    return codes


def _criteria(plan: Plan, rng, team: list[dict], candidate: dict, person: dict, created: datetime) -> None:
    codes = _codes(rng, candidate, person)
    validation = person["validated"]
    if validation is None and not person["apps"] and rng.random() < 0.45:
        # Checked when registered, never oriented since: some of these have lapsed.
        when = created + timedelta(days=rng.randint(1, 12))
        if when.date() < plan.anchor:
            validation = (when, rng.choice(team)["id"])
    refused = person["not_eligible"] and validation is None
    for code in codes:
        row = {"candidate_id": candidate["id"], "criterion": code, "evidence": EVIDENCE[code],
               "evidence_date": created.date() - timedelta(days=rng.randint(0, 60)),
               "declared_by_id": candidate["referent_id"],
               "declared_at": created + timedelta(minutes=rng.randint(5, 90)),
               "status": EligibilityStatus.DECLARED, "validated_by_id": None, "validated_at": None,
               "valid_until": None, "refusal_reason": None}
        if validation is not None:
            when = max(validation[0] - timedelta(hours=rng.randint(0, 30)), row["declared_at"])
            row.update(status=EligibilityStatus.VALIDATED, validated_by_id=validation[1], validated_at=when,
                       valid_until=add_months(when.date(), 6))
        elif refused:
            row.update(status=EligibilityStatus.REFUSED, refusal_reason=rng.choice(REFUSALS))
        plan.add(EligibilityCriterion, **row)
