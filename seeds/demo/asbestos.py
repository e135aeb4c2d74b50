"""Story a) The asbestos-removal training track, read in the programme's own funnel:
102 people present at an information session → 40 validated for the training → 26 completed
the POEC → 22 CDI → 15 still in post six months after their trial period.

The raw records: three information sessions of the programme (114 people invited, 102 present,
some after missing a first session), 55 validations for the training (40 validated), a 400-hour
POEC at AFPA Stains (40 start, 26 complete it, 14 stop), the 26 trainees oriented to two
offers of the titulaire of the asbestos-removal lot (22 hired in CDI with a two-month trial
period), and 7 of them leaving before the trial period's end + 6 months."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.applications.models import ApplicationStatus as S
from clausematch.applications.models import RefusalReason as R
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import ClauseKind
from clausematch.database import add_months
from clausematch.offers.models import OfferStatus, Programme
from clausematch.prehire.models import (
    Event,
    EventKind,
    EventParticipant,
    ParticipantOutcome,
    ParticipantStatus,
    PreHireStep,
    StepKind,
    StepStatus,
)
from clausematch.vocabulary import ContractType, ExitDetail, Mode
from seeds.demo.accounts import facilitators
from seeds.demo.applications import MAIN_PATH, walk
from seeds.demo.common import Plan, between
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract, clause_columns
from seeds.demo.offers import add_offer
from seeds.demo.pathways import add_employment, add_exit
from seeds.demo.people import pick_candidates

PROGRAMME_NAME = "Parcours désamiantage"
REFERENCE = "PCH-2022-FLOREAL"
TITULAIRE = "Désamiantage Île-de-France Nord"
TRAINER = "AFPA Stains"
# The programme's funnel (reporting/queries/programme_funnel.py).
FUNNEL_STAGES = ["attended_info_session", "training_validated", "training_completed", "cdi", "in_post_after_trial"]
# (date, place, commune, capacity, people present)
SESSIONS = [(date(2023, 1, 17), "Maison de l'emploi, 2 rue de la République, Saint-Denis", "93066", 45, 38),
            (date(2023, 1, 31), "Cité des métiers, 1 rue de la Haie-Coq, Aubervilliers", "93001", 45, 36),
            (date(2023, 2, 14), "Espace Paul-Éluard, place Marcel-Pointet, Stains", "93072", 40, 28)]
PRESENT = sum(session[4] for session in SESSIONS)  # 102
MISSED_FIRST = 8  # present at session 2 or 3 after missing an earlier one
NEVER_CAME = [ParticipantStatus.ABSENT] * 8 + [ParticipantStatus.DECLINED] * 4
INTERESTED = 55  # of the 102, asked to be considered for the training
VALIDATED = 40
TRAINING_START, TRAINING_END, TRAINING_HOURS = date(2023, 3, 20), date(2023, 6, 9), Decimal("400")
COMPLETED = 26
# The 26 trainees at the two offers: 22 hired in CDI, 4 not (the way their application ended).
NOT_HIRED = [(S.INTERVIEW, S.REFUSED, R.CANDIDATE_DECLINED), (S.INTERVIEW, S.REFUSED, R.DID_NOT_COME),
             (S.VALIDATED, S.WITHDRAWN, None), (S.SENT, S.REFUSED, R.POSITION_FILLED)]
HIRED = COMPLETED - len(NOT_HIRED)  # 22
CDI_STARTS = [date(2023, 6, 19), date(2023, 7, 3)]  # team A, team B
STILL_IN_POST = 15
# The 7 who leave before their trial period's end + 6 months: what they went to, in work 6 months on.
CDI_LEAVERS = [(ExitDetail.UNEMPLOYMENT, False)] * 3 + [(ExitDetail.SHORT_INTERIM, True)] * 2 + [
    (ExitDetail.INACTIVITY, False), (ExitDetail.UNKNOWN, False)]


def build_asbestos(plan: Plan, taken: set[int]) -> None:
    rng = plan.rng("asbestos")
    lot_ref = _contract(plan, rng)
    programme = plan.add(
        Programme, territory_id=plan.refs["territory"]["id"], name=PROGRAMME_NAME, funnel_stages=FUNNEL_STAGES,
        description=("Parcours vers les métiers du désamiantage : réunions d'information collective, validation "
                     f"pour la formation, POEC de {TRAINING_HOURS} h (sous-section 4) à l'{TRAINER}, puis embauche "
                     f"en CDI chez {TITULAIRE} sur le chantier de la cité Floréal."),
        start_date=date(2023, 1, 9), end_date=date(2024, 6, 30),
        created_at=datetime(2022, 12, 12, 10), updated_at=datetime(2022, 12, 12, 10))
    people = pick_candidates(plan, rng, PRESENT + len(NEVER_CAME), "construction", taken)
    present, absent = people[:PRESENT], people[PRESENT:]
    _sessions(plan, rng, programme, present, absent)
    interested = rng.sample(present, INTERESTED)
    _outcomes(plan, rng, programme, set(interested))
    validated = _validations(plan, rng, programme, interested)
    completed = _training(plan, rng, programme, validated)
    offers = [_offer(plan, rng, lot_ref, programme, team) for team in ("A", "B")]
    hires = _applications(plan, rng, offers, completed)
    _contracts(plan, rng, lot_ref, hires)


def _contract(plan: Plan, rng) -> dict:
    orgs = plan.refs["orgs"]
    lots = [("Désamiantage et curage", "desamiantage", Decimal("4800000"), TITULAIRE),
            ("Gros œuvre et façades", "gros_oeuvre", Decimal("6500000"), "Constructions du Landy"),
            ("Menuiseries et second œuvre", "second_oeuvre", Decimal("3900000"), "Menuiseries Stains Aluminium")]
    spec = ContractSpec(buyer="Plaine Commune Habitat", reference=REFERENCE, sector="construction", commune="93066",
                        object="Réhabilitation de 412 logements – cité Floréal (Saint-Denis)",
                        notified_on=date(2022, 9, 15), start_date=date(2022, 11, 2), end_date=date(2025, 6, 30),
                        clause_kind=ClauseKind.EXECUTION_CONDITION)
    for title, trade, amount, company in lots:
        spec.lots.append(LotSpec(title, trade, amount, orgs[company], clause_columns(rng, amount, "construction",
                                                                                     fixed=False)))
    contract = add_contract(plan, spec)
    lot_ref = next(ref for ref in plan.refs["lots"] if ref["contract"] is contract)
    lot_ref["story"] = "asbestos"  # the other two lots live the everyday life of a contract
    return lot_ref


def _sessions(plan: Plan, rng, programme: dict, present: list[int], absent: list[int]) -> None:
    """Three sessions; each person present once. Some missed an earlier session first, and 12
    invited people never came (absent or declined)."""
    team = facilitators(plan)
    events, start = [], 0
    for day, place, commune, capacity, count in SESSIONS:
        starts = datetime.combine(day, time(9, 30))
        event = plan.add(
            Event, territory_id=plan.refs["territory"]["id"], kind=EventKind.INFO_SESSION,
            title="Réunion d'information – métiers du désamiantage",
            description=("Présentation des métiers du désamiantage, de la POEC et des postes proposés sur le "
                         "chantier de la cité Floréal ; échanges avec l'entreprise et l'organisme de formation."),
            starts_at=starts, ends_at=starts + timedelta(hours=2, minutes=30), place=place, commune_insee=commune,
            capacity=capacity, programme_id=programme["id"], created_by_id=team[0]["id"],
            created_at=starts - timedelta(days=21), updated_at=starts - timedelta(days=21))
        events.append((event, present[start:start + count]))
        start += count
    for index, (event, attendees) in enumerate(events):
        for candidate_id in attendees:
            _participant(plan, rng, event, candidate_id, ParticipantStatus.ATTENDED)
        if index:  # some of them had missed the session before
            for candidate_id in attendees[:MISSED_FIRST // 2]:
                _participant(plan, rng, events[index - 1][0], candidate_id, ParticipantStatus.ABSENT)
    for n, (candidate_id, status) in enumerate(zip(absent, NEVER_CAME, strict=True)):
        _participant(plan, rng, events[n % len(events)][0], candidate_id, status)


def _participant(plan: Plan, rng, event: dict, candidate_id: int, status: ParticipantStatus) -> None:
    referent = plan.row(Candidate, candidate_id)["referent_id"]
    invited = event["starts_at"] - timedelta(days=rng.randint(10, 18))
    answered = invited + timedelta(days=rng.randint(1, 5)) if status is not ParticipantStatus.ABSENT else None
    recorded = event["ends_at"] + timedelta(hours=1) if status in (ParticipantStatus.ATTENDED,
                                                                     ParticipantStatus.ABSENT) else None
    plan.add(EventParticipant, event_id=event["id"], candidate_id=candidate_id, status=status,
             outcome=None, comment="", invited_by_id=referent, invited_at=invited,
             answered_by_id=referent if answered else None, answered_at=answered,
             attendance_recorded_by_id=event["created_by_id"] if recorded else None,
             attendance_recorded_at=recorded, created_at=invited, updated_at=recorded or answered or invited)


def _outcomes(plan: Plan, rng, programme: dict, interested: set[int]) -> None:
    """What came of each attendance: interested in the training, or not (now)."""
    events = {row["id"] for row in plan.rows[Event] if row["programme_id"] == programme["id"]}
    for row in plan.rows[EventParticipant]:
        if row["event_id"] in events and row["status"] is ParticipantStatus.ATTENDED:
            row["outcome"] = (ParticipantOutcome.INTERESTED if row["candidate_id"] in interested
                              else rng.choice([ParticipantOutcome.NOT_INTERESTED, ParticipantOutcome.NOT_READY]))


def _validations(plan: Plan, rng, programme: dict, interested: list[int]) -> list[int]:
    """The people interested after a session; 40 are validated for the training."""
    team = facilitators(plan)
    validated = interested[:VALIDATED]
    for candidate_id in interested:
        ok = candidate_id in validated
        day = between(rng, date(2023, 2, 20), date(2023, 3, 10))
        decided = datetime.combine(day, time(16, 0))
        plan.add(PreHireStep, candidate_id=candidate_id, kind=StepKind.TRAINING_VALIDATION,
                 status=StepStatus.COMPLETED if ok else StepStatus.NOT_RETAINED, programme_id=programme["id"],
                 organisation_name=TRAINER, title="Validation pour la POEC désamiantage (sous-section 4)",
                 start_date=day, end_date=day, hours=None,  # every row of a bulk insert has the same columns
                 comment=("Tests et entretien réussis ; aptitude médicale au port des protections respiratoires."
                          if ok else "Prérequis non réunis pour cette session : réorientation proposée."),
                 created_by_id=team[0]["id"], decided_by_id=rng.choice(team)["id"], decided_at=decided,
                 created_at=decided - timedelta(days=3), updated_at=decided)
    return validated


def _training(plan: Plan, rng, programme: dict, validated: list[int]) -> list[int]:
    """The POEC: 40 start, 26 complete it, 14 stop on the way."""
    team = facilitators(plan)
    completed = validated[:COMPLETED]
    for candidate_id in validated:
        done = candidate_id in completed
        end = TRAINING_END if done else between(rng, TRAINING_START + timedelta(days=7),
                                                TRAINING_END - timedelta(days=7))
        decided = datetime.combine(end, time(17, 0))
        plan.add(PreHireStep, candidate_id=candidate_id, kind=StepKind.POEC,
                 status=StepStatus.COMPLETED if done else StepStatus.INTERRUPTED, programme_id=programme["id"],
                 organisation_name=TRAINER, title="Opérateur de chantier de désamiantage – sous-section 4",
                 start_date=TRAINING_START, end_date=end, hours=TRAINING_HOURS,
                 comment="Formation suivie jusqu'au bout, attestation SS4 obtenue." if done
                 else "Formation interrompue avant son terme.",
                 created_by_id=team[0]["id"], decided_by_id=rng.choice(team)["id"], decided_at=decided,
                 created_at=datetime(2023, 3, 13, 10), updated_at=decided)
    return completed


def _offer(plan: Plan, rng, lot_ref: dict, programme: dict, team: str) -> dict:
    opened = datetime(2023, 5, 15, 9)
    return add_offer(
        plan, rng, lot_ref, company=plan.refs["orgs"][TITULAIRE], mode=Mode.DIRECT, contract_type=ContractType.CDI,
        appellation=13990, status=OfferStatus.FILLED, created=opened - timedelta(days=10), published=opened,
        positions=HIRED // 2, weekly_hours=35.0, programme_id=programme["id"],
        title=f"Opérateur / Opératrice de désamiantage (SS4) – CDI après la POEC (équipe {team})",
        timeline={"submitted": opened - timedelta(days=7)})


def _applications(plan: Plan, rng, offers: list[dict], completed: list[int]) -> list[tuple]:
    """The trainees oriented to the two offers, 13 each; returns (application, CDI start) of the 22 hired."""
    outcomes = [("hired",)] * HIRED + list(NOT_HIRED)
    rng.shuffle(outcomes)
    hires = []
    for n, (candidate_id, outcome) in enumerate(zip(completed, outcomes, strict=True)):
        meta = offers[n % 2]
        begin = datetime(2023, 5, 22, 9) + timedelta(days=rng.uniform(0, 10))
        latest = datetime.combine(TRAINING_END, time(17, 0)) + timedelta(days=3)
        if outcome[0] == "hired":
            hires.append((walk(plan, rng, meta, candidate_id, MAIN_PATH, begin, latest), CDI_STARTS[n % 2]))
        else:
            last, status, reason = outcome
            walk(plan, rng, meta, candidate_id, MAIN_PATH[:MAIN_PATH.index(last) + 1] + [status], begin, latest,
                 reason)
    for meta in offers:
        meta["timeline"]["filled"] = max(app["last_event_at"] for app in meta["apps"]) + timedelta(hours=3)
    return hires


def _contracts(plan: Plan, rng, lot_ref: dict, hires: list[tuple]) -> None:
    """22 CDI with a two-month trial period; 15 still there, 7 leave before its end + 6 months."""
    titulaire = plan.refs["orgs"][TITULAIRE]
    order = list(range(len(hires)))
    rng.shuffle(order)
    for rank, index in enumerate(order):
        app, start = hires[index]
        trial_end = add_months(start, 2)
        leaver = CDI_LEAVERS[rank - STILL_IN_POST] if rank >= STILL_IN_POST else None
        end = None if leaver is None else between(rng, trial_end + timedelta(days=3),
                                                  add_months(trial_end, 6) - timedelta(days=7))
        cdi = add_employment(plan, rng, candidate_id=app["candidate_id"], lot_ref=lot_ref, employer=titulaire,
                             mode=Mode.DIRECT, contract_type=ContractType.CDI, start=start, planned_end=None,
                             end=end, weekly_hours=35.0, application_id=app["id"], trial_end=trial_end,
                             story="asbestos")
        if leaver is not None:
            add_exit(plan, rng, cdi, leaver[0], comment="Départ de l'entreprise.", in_work=leaver[1])
