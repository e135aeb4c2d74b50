"""Orientations of candidates to offers, walked step by step with their event history."""
from datetime import datetime, timedelta

from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.candidates.models import Candidate
from clausematch.offers.models import OfferStatus
from seeds.demo.accounts import facilitators, staff_of
from seeds.demo.common import Plan, weighted

S = ApplicationStatus
R = RefusalReason
MAIN_PATH = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
COMMENTS = {
    S.SUBMITTED: "Orientation proposée par le prescripteur.",
    S.VALIDATED: "Éligibilité vérifiée sur justificatifs.",
    S.SHORTLISTED: "Profil retenu pour présentation à l'entreprise.",
    S.SENT: "Candidature transmise à l'entreprise.",
    S.INTERVIEW: "Entretien programmé.",
    S.HIRED: "Embauche confirmée par l'entreprise.",
    S.WITHDRAWN: "Candidature retirée à la demande de la personne.",
}
# Where a refusal happens, and why (weights).
REFUSALS = {
    S.SUBMITTED: {R.NOT_ELIGIBLE: 6, R.NO_ANSWER: 2},
    S.VALIDATED: {R.NOT_MOBILE: 2, R.CANDIDATE_DECLINED: 2, R.POSITION_FILLED: 2},
    S.SHORTLISTED: {R.POSITION_FILLED: 3, R.CANDIDATE_DECLINED: 2},
    S.SENT: {R.LACKS_SKILLS: 3, R.NO_ANSWER: 1, R.POSITION_FILLED: 2},
    S.INTERVIEW: {R.LACKS_SKILLS: 3, R.DID_NOT_COME: 2, R.CANDIDATE_DECLINED: 1, R.OTHER: 1},
}
OPEN_STATUSES = {S.SUBMITTED: 22, S.VALIDATED: 14, S.SHORTLISTED: 10, S.SENT: 12, S.INTERVIEW: 8,
                 S.REFUSED: 26, S.WITHDRAWN: 8}
CLOSED_STATUSES = {S.REFUSED: 85, S.WITHDRAWN: 15}


def path_to(status: S, rng, refused_after: S | None = None) -> list[S]:
    """The statuses walked to reach `status` (a refusal or withdrawal after `refused_after`)."""
    if status in (S.REFUSED, S.WITHDRAWN):
        last = refused_after or rng.choice(MAIN_PATH[:5])
        return MAIN_PATH[:MAIN_PATH.index(last) + 1] + [status]
    return MAIN_PATH[:MAIN_PATH.index(status) + 1]


def walk(plan: Plan, rng, offer_meta: dict, candidate_id: int, path: list[S], start: datetime,
         latest: datetime, reason: RefusalReason | None = None) -> dict:
    """Queue an application walking `path` between `start` and `latest`, one event per step."""
    person = plan.refs["people"][candidate_id]
    candidate = plan.row(Candidate, candidate_id)
    times = _times(rng, start, latest, len(path))
    if path[-1] is S.REFUSED and reason is None:
        reason = weighted(rng, REFUSALS[path[-2]])
    app = plan.add(Application, candidate_id=candidate_id, offer_id=offer_meta["offer"]["id"],
                   prescriber_id=candidate["prescriber_id"], proposed_by_id=candidate["referent_id"],
                   message="Personne motivée, disponible rapidement.", status=path[-1],
                   refusal_reason=reason if path[-1] is S.REFUSED else None,
                   created_at=times[0], last_event_at=times[-1])
    previous = None
    for status, when in zip(path, times, strict=True):
        actor = _actor(plan, rng, offer_meta, candidate, previous, status)
        refusal = reason if status is S.REFUSED else None
        plan.add(ApplicationEvent, application_id=app["id"], from_status=previous, to_status=status,
                 actor_id=actor, occurred_at=when, refusal_reason=refusal,
                 comment=refusal.label if refusal else COMMENTS[status])
        if status is S.VALIDATED and (person["validated"] is None or when < person["validated"][0]):
            person["validated"] = (when, actor)
        previous = status
    if reason is RefusalReason.NOT_ELIGIBLE:
        person["not_eligible"] = True
    person["apps"].append(app)
    offer_meta["apps"].append(app)
    return app


def _times(rng, start: datetime, latest: datetime, steps: int) -> list[datetime]:
    gaps = [timedelta(days=rng.uniform(0.5, 7)) for _ in range(steps - 1)]
    room = latest - start
    total = sum(gaps, timedelta())
    if total > room:  # squeeze the walk into the time there was
        gaps = [gap * (room / total) * 0.95 for gap in gaps]
    times = [start]
    for gap in gaps:
        times.append(times[-1] + gap)
    return [t.replace(microsecond=0) for t in times]


def _actor(plan: Plan, rng, offer_meta: dict, candidate: dict, previous: S | None, status: S) -> int:
    if status in (S.SUBMITTED, S.WITHDRAWN):
        return candidate["referent_id"]
    company_side = status in (S.INTERVIEW, S.HIRED) or (
        status is S.REFUSED and previous in (S.SHORTLISTED, S.SENT, S.INTERVIEW))
    if company_side:
        return rng.choice(staff_of(plan, offer_meta["company"]["id"]))["id"]
    team = facilitators(plan)
    # The demo facilitator does a good share of the work, so the account has history to show.
    return rng.choices(team, weights=[3] + [1] * (len(team) - 1))[0]["id"]


class Pool:
    """Candidates free for the generic flow, per sector, drawn without repeating an offer."""

    def __init__(self, plan: Plan, rng, taken: set[int]):
        self.rng = rng
        self.people = plan.refs["people"]
        self.by_track: dict[str, list[int]] = {}
        for candidate_id, person in self.people.items():
            if candidate_id not in taken:
                self.by_track.setdefault(person["track"], []).append(candidate_id)
        self.hired: set[int] = set()

    def draw(self, sector: str, exclude: set[int], hire: bool) -> int:
        pool = self.by_track[sector] if self.rng.random() < 0.92 else sum(self.by_track.values(), [])
        for _ in range(60):
            candidate_id = self.rng.choice(pool)
            if candidate_id in exclude or len(self.people[candidate_id]["apps"]) >= 3:
                continue
            if hire and candidate_id in self.hired:
                continue
            if hire:
                self.hired.add(candidate_id)
            return candidate_id
        raise RuntimeError("Plus de candidats disponibles pour le jeu de démonstration.")


def build_generic_applications(plan: Plan, taken: set[int]) -> None:
    """Queue applications on every generic published, filled or closed offer."""
    rng = plan.rng("applications")
    pool = Pool(plan, rng, taken)
    for meta in plan.refs["offers"]:
        offer = meta["offer"]
        if offer["programme_id"] or meta["lot_ref"]["story"] or offer["published_at"] is None:
            continue
        _offer_applications(plan, rng, pool, meta)


def _offer_applications(plan: Plan, rng, pool: Pool, meta: dict) -> None:
    offer, status = meta["offer"], meta["offer"]["status"]
    published, now = offer["published_at"], datetime.combine(plan.anchor, datetime.min.time())
    if status is OfferStatus.PUBLISHED:
        hires = rng.randint(0, offer["positions"] - 1) if (now - published).days > 20 else 0
        latest, others, statuses = now - timedelta(hours=2), rng.randint(4, 18), OPEN_STATUSES
    elif status is OfferStatus.FILLED:
        latest = min(published + timedelta(days=75), now - timedelta(days=1))
        hires, others, statuses = offer["positions"], rng.randint(3, 14), CLOSED_STATUSES
    else:
        latest, hires, others, statuses = meta["timeline"]["closed"], 0, rng.randint(1, 6), CLOSED_STATUSES
    applied: set[int] = set()
    for n in range(hires + others):
        hired = n < hires
        candidate_id = pool.draw(offer["sector"], applied, hire=hired)
        applied.add(candidate_id)
        path = MAIN_PATH if hired else path_to(weighted(rng, statuses), rng)
        span = max(timedelta(hours=6), (latest - published) * 0.7)
        start = published + timedelta(seconds=rng.uniform(0, span.total_seconds()))
        walk(plan, rng, meta, candidate_id, path, min(start, latest - timedelta(hours=1)), latest)
    if status is OfferStatus.FILLED:
        last_hire = max(app["last_event_at"] for app in meta["apps"] if app["status"] is S.HIRED)
        meta["timeline"]["filled"] = min(last_hire + timedelta(hours=rng.randint(2, 48)), latest)
