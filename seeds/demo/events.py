"""Everyday events and steps, dated from the load day so that /evenements is alive in the demo:
a job-dating next week for two open offers, an information session of a services programme,
a site visit, and two individual steps in progress (an immersion PMSMP under way, an AFPR
planned). People come from the everyday flow (never from a story), invited through their own
prescribers; the demo prescriber account has invitations to answer.

The three stories' figures do not move: their rows, ids and random draws come first and are
untouched; each row here has the same columns as the story's rows of its table (one bulk insert
per table)."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.accounts.models import Role
from clausematch.applications.models import ApplicationStatus
from clausematch.candidates.models import Candidate
from clausematch.offers.models import Offer, OfferStatus, Programme
from clausematch.prehire.models import (
    Event,
    EventKind,
    EventParticipant,
    ParticipantStatus,
    PreHireStep,
    StepKind,
    StepStatus,
    event_offers,
)
from seeds.demo.accounts import facilitators
from seeds.demo.common import Plan
from seeds.demo.organisations import DEMO_COMPANY, FT_SAINT_DENIS
from seeds.demo.people import CANDIDATE_COUNT, DUPLICATES

P = ParticipantStatus
SERVICES_PROGRAMME = "Parcours propreté et services urbains"
# (status, how many) of each event's participants; the demo prescriber's people come first.
JOB_DATING_PEOPLE = [P.INVITED] * 3 + [P.REGISTERED] * 5 + [P.DECLINED] * 1
INFO_SESSION_PEOPLE = [P.INVITED] * 2 + [P.REGISTERED] * 4
SITE_VISIT_PEOPLE = [P.INVITED] * 2 + [P.REGISTERED] * 1


def build_events(plan: Plan, taken: set[int]) -> None:
    rng = plan.rng("events")
    anchor = plan.anchor
    facilitator = plan.refs["demo_users"][Role.FACILITATOR]
    offers = _open_offers(plan)
    programme = plan.add(
        Programme, territory_id=plan.refs["territory"]["id"], name=SERVICES_PROGRAMME,
        funnel_stages=["invited_info_session", "attended_info_session", "oriented", "hired"],
        description=("Métiers de la propreté, des espaces verts et de la restauration collective sur les marchés "
                     "de services du territoire : réunion d'information, immersions et AFPR avant l'embauche."),
        start_date=anchor - timedelta(days=30), end_date=anchor + timedelta(days=335),
        created_at=_at(anchor - timedelta(days=30), 10), updated_at=_at(anchor - timedelta(days=30), 10))
    construction, services, immersed = _people(plan, rng, taken)

    job_dating = _event(
        plan, facilitator, EventKind.JOB_DATING, anchor + timedelta(days=7), 14, 3,
        title="Job-dating – recrutements sur deux offres ouvertes",
        description="Rencontres de dix minutes avec les recruteurs : venir avec un CV ; les offres sont ouvertes "
                    "aux personnes orientées par leur prescripteur.",
        place="Maison de l'emploi, 2 rue de la République", commune="93066", capacity=20, programme_id=None)
    for offer in offers:
        plan.rows[event_offers].append({"event_id": job_dating["id"], "offer_id": offer["id"]})
    _participants(plan, rng, job_dating, construction[:len(JOB_DATING_PEOPLE)], JOB_DATING_PEOPLE, facilitator)

    session = _event(
        plan, facilitator, EventKind.INFO_SESSION, anchor + timedelta(days=10), 9, 2,
        title="Réunion d'information – métiers de la propreté et des services urbains",
        description="Présentation des métiers, des marchés de services du territoire et des immersions possibles.",
        place="Cité des métiers, 1 rue de la Haie-Coq", commune="93001", capacity=25, programme_id=programme["id"])
    _participants(plan, rng, session, services[:len(INFO_SESSION_PEOPLE)], INFO_SESSION_PEOPLE, facilitator)

    visit = _event(
        plan, facilitator, EventKind.SITE_VISIT, anchor + timedelta(days=17), 10, 2,
        title="Visite de chantier – réhabilitation de logements à Saint-Denis",
        description="Découverte des métiers du second œuvre sur un chantier en cours ; chaussures de sécurité "
                    "prêtées sur place.",
        place="Base vie du chantier, rue Gabriel-Péri", commune="93066", capacity=12, programme_id=None)
    start = len(JOB_DATING_PEOPLE)
    _participants(plan, rng, visit, construction[start:start + len(SITE_VISIT_PEOPLE)], SITE_VISIT_PEOPLE,
                  facilitator)

    _steps(plan, facilitator, programme, immersed, services[-1])


def _open_offers(plan: Plan) -> list[dict]:
    """Two offers still published (their publication runs past today): the job-dating's."""
    published = [row for row in plan.rows[Offer] if row["status"] is OfferStatus.PUBLISHED
                 and row["programme_id"] is None]
    return published[:2]


def _people(plan: Plan, rng, taken: set[int]) -> tuple[list[int], list[int], int]:
    """People of the everyday flow (no story, no second registration, nobody hired), four of the
    demo prescriber first in each list: the construction track's (job-dating, then site visit),
    the services track's (information session, then the AFPR), and one more person of the demo
    prescriber for the immersion."""
    demo_org = plan.refs["orgs"][FT_SAINT_DENIS]["id"]
    originals = CANDIDATE_COUNT - DUPLICATES

    def pools(track: str) -> tuple[list[int], list[int]]:
        pool = [cid for cid, person in plan.refs["people"].items()
                if person["track"] == track and cid not in taken and cid <= originals
                and not any(app["status"] is ApplicationStatus.HIRED for app in person["apps"])]
        mine = [cid for cid in pool if plan.row(Candidate, cid)["prescriber_id"] == demo_org]
        return mine, [cid for cid in pool if cid not in set(mine)]

    mine, others = pools("construction")
    demo = rng.sample(mine, 5)
    construction = (demo[:4] + rng.sample(others, len(JOB_DATING_PEOPLE) + len(SITE_VISIT_PEOPLE)))[
        :len(JOB_DATING_PEOPLE) + len(SITE_VISIT_PEOPLE)]
    immersed = demo[4]
    mine, others = pools("services")
    services = (rng.sample(mine, 4) + rng.sample(others, len(INFO_SESSION_PEOPLE) + 1))[:len(INFO_SESSION_PEOPLE) + 1]
    taken.update(construction + services + [immersed])
    return construction, services, immersed


def _event(plan: Plan, facilitator: dict, kind: EventKind, day: date, hour: int, hours: int, *, title: str,
           description: str, place: str, commune: str, capacity: int, programme_id: int | None) -> dict:
    starts = _at(day, hour)
    created = starts - timedelta(days=12)
    return plan.add(
        Event, territory_id=plan.refs["territory"]["id"], kind=kind, title=title, description=description,
        starts_at=starts, ends_at=starts + timedelta(hours=hours), place=place, commune_insee=commune,
        capacity=capacity, programme_id=programme_id, created_by_id=facilitator["id"], created_at=created,
        updated_at=created)


def _participants(plan: Plan, rng, event: dict, people: list[int], statuses: list[ParticipantStatus],
                  facilitator: dict) -> None:
    for candidate_id, status in zip(people, statuses, strict=True):
        referent = plan.row(Candidate, candidate_id)["referent_id"]
        invited = min(event["created_at"] + timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 6)),
                      _at(plan.anchor, 9))
        answered = None if status is P.INVITED else min(invited + timedelta(days=rng.randint(1, 4)),
                                                       _at(plan.anchor, 10))
        plan.add(EventParticipant, event_id=event["id"], candidate_id=candidate_id, status=status,
                 outcome=None, comment="", invited_by_id=facilitator["id"], invited_at=invited,
                 answered_by_id=referent if answered else None, answered_at=answered,
                 attendance_recorded_by_id=None, attendance_recorded_at=None, created_at=invited,
                 updated_at=answered or invited)


def _steps(plan: Plan, facilitator: dict, programme: dict, immersed: int, trainee: int) -> None:
    """An immersion under way in a company of the territory, and an AFPR planned for the programme."""
    team = facilitators(plan)
    host = plan.refs["orgs"][DEMO_COMPANY]
    begun = plan.anchor - timedelta(days=9)
    plan.add(PreHireStep, candidate_id=immersed, kind=StepKind.PMSMP, status=StepStatus.PLANNED, programme_id=None,
             organisation_name=host["name"], title="Découverte du métier de plaquiste", start_date=begun,
             end_date=begun + timedelta(days=27), hours=None,
             comment="Immersion d'un mois, tutrice désignée ; bilan prévu en fin de période.",
             created_by_id=plan.row(Candidate, immersed)["referent_id"], decided_by_id=None, decided_at=None,
             created_at=_at(begun - timedelta(days=6), 11), updated_at=_at(begun - timedelta(days=6), 11))
    starts = plan.anchor + timedelta(days=21)
    plan.add(PreHireStep, candidate_id=trainee, kind=StepKind.AFPR, status=StepStatus.PLANNED,
             programme_id=programme["id"], organisation_name="GRETA Seine-Saint-Denis",
             title="Agent / agente de propreté et d'hygiène", start_date=starts, end_date=starts + timedelta(days=30),
             hours=Decimal("140"), comment="AFPR avant une embauche en CDD sur un marché de nettoyage.",
             created_by_id=team[0]["id"] if team else facilitator["id"], decided_by_id=None, decided_at=None,
             created_at=_at(plan.anchor - timedelta(days=3), 15), updated_at=_at(plan.anchor - timedelta(days=3), 15))


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0 if hour % 2 else 30))
