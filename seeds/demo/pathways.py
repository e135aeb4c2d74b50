"""Hires (employment contracts), conversions to CDI, exits and six-month follow-ups."""
from datetime import date, datetime, time, timedelta

from clausematch.applications.models import ApplicationStatus
from clausematch.database import add_months
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.vocabulary import EXIT_CATEGORY, ContractType, ExitCategory, ExitDetail, Mode
from seeds.demo.accounts import facilitators
from seeds.demo.common import Plan, weighted

T = ContractType
D = ExitDetail
DURATIONS = {  # months → weight
    T.CDD: {3: 10, 4: 10, 6: 35, 9: 15, 12: 25, 18: 5},
    T.INTERIM: {1: 15, 2: 20, 3: 25, 4: 15, 6: 15, 9: 10},
    T.MISE_A_DISPOSITION: {2: 20, 3: 25, 4: 20, 6: 25, 9: 10},
    T.CDDI: {4: 30, 6: 25, 8: 10, 12: 25, 24: 10},
    T.APPRENTISSAGE: {12: 40, 24: 60},
    T.PROFESSIONNALISATION: {6: 20, 9: 20, 12: 60},
}
EXIT_AT_TERM = {D.CDI: 12, D.LONG_CDD: 10, D.LONG_INTERIM: 7, D.CIVIL_SERVICE: 2, D.BUSINESS_CREATION: 2,
                D.SHORT_CDD: 14, D.SHORT_INTERIM: 11, D.SUBSIDISED: 4, D.TRAINING: 9, D.SIAE_HIRE: 8,
                D.UNEMPLOYMENT: 14, D.INACTIVITY: 2, D.UNKNOWN: 5}
EXIT_EARLY = {D.UNEMPLOYMENT: 35, D.INACTIVITY: 10, D.SHORT_CDD: 10, D.SHORT_INTERIM: 10, D.TRAINING: 10,
              D.UNKNOWN: 25}
IN_WORK_CHANCE = {ExitCategory.DURABLE: 0.85, ExitCategory.TRANSITION: 0.6, ExitCategory.POSITIVE: 0.55,
                  ExitCategory.OTHER: 0.25}
WORK_SITUATIONS = {D.CDI: 5, D.LONG_CDD: 3, D.SHORT_CDD: 3, D.LONG_INTERIM: 2, D.SHORT_INTERIM: 3, D.SIAE_HIRE: 1}
NO_WORK_SITUATIONS = {D.UNEMPLOYMENT: 6, D.INACTIVITY: 1, D.TRAINING: 2, D.UNKNOWN: 2}


def add_employment(plan: Plan, rng, *, candidate_id: int, lot_ref: dict, employer: dict, mode: Mode,
                   contract_type: ContractType, start: date, planned_end: date | None, end: date | None,
                   weekly_hours: float, application_id: int | None = None, previous_id: int | None = None,
                   trial_end: date | None = None, story: str | None = None) -> dict:
    """Queue one employment contract on a lot; registered in `plan.refs["employment"]` for hours."""
    stamp = datetime.combine(start, time(9, 0)) - timedelta(days=3)
    contract = plan.add(
        EmploymentContract, candidate_id=candidate_id, application_id=application_id,
        lot_id=lot_ref["lot"]["id"], company_id=lot_ref["company"]["id"], employer_id=employer["id"],
        previous_contract_id=previous_id, contract_type=contract_type, mode=mode, start_date=start,
        planned_end_date=planned_end, trial_period_end=trial_end or _trial_end(contract_type, start, planned_end),
        end_date=end, weekly_hours=weekly_hours, created_by_id=rng.choice(facilitators(plan))["id"],
        created_at=stamp, updated_at=stamp)
    plan.refs.setdefault("employment", []).append({"contract": contract, "lot_ref": lot_ref, "story": story})
    return contract


def _trial_end(contract_type: ContractType, start: date, planned_end: date | None) -> date | None:
    if contract_type is T.CDI:
        return add_months(start, 2)
    if contract_type in (T.INTERIM, T.MISE_A_DISPOSITION) or planned_end is None:
        return None
    days = 30 if (planned_end - start).days > 180 else 14
    return start + timedelta(days=days)


def add_exit(plan: Plan, rng, contract: dict, detail: ExitDetail, *, comment: str = "",
             in_work: bool | None = None, situation: ExitDetail | None = None) -> dict:
    """Queue the exit of an ended contract and its follow-up six months later (done if due)."""
    exit_date = contract["end_date"]
    team = facilitators(plan)
    recorded = datetime.combine(min(exit_date + timedelta(days=rng.randint(1, 15)), plan.anchor), time(11, 0))
    row = plan.add(Exit, contract_id=contract["id"], exit_date=exit_date, detail=detail,
                   category=EXIT_CATEGORY[detail], comment=comment, recorded_by_id=rng.choice(team)["id"],
                   recorded_at=recorded)
    due = add_months(exit_date, 6)
    done = None
    if due <= plan.anchor - timedelta(days=5):
        done = min(due + timedelta(days=rng.randint(0, 25)), plan.anchor - timedelta(days=1))
        if in_work is None:
            in_work = rng.random() < IN_WORK_CHANCE[EXIT_CATEGORY[detail]]
        if situation is None:
            situation = weighted(rng, WORK_SITUATIONS if in_work else NO_WORK_SITUATIONS)
    plan.add(FollowUp, exit_id=row["id"], due_on=due, done_on=done, in_work=in_work if done else None,
             situation=situation if done else None,
             comment=("Personne jointe par téléphone." if done else ""),
             recorded_by_id=rng.choice(team)["id"] if done else None)
    return row


def lifecycle(plan: Plan, rng, contract_type: ContractType, start: date):
    """Planned end, actual end (None while running) and whether it ended early."""
    anchor = plan.anchor
    if contract_type is T.CDI:
        if start < anchor - timedelta(days=150) and rng.random() < 0.12:
            return None, start + timedelta(days=rng.randint(90, (anchor - start).days - 30)), True
        return None, None, False
    months = weighted(rng, DURATIONS[contract_type])
    planned = add_months(start, months) - timedelta(days=1)
    length = (planned - start).days
    if rng.random() < 0.08 and start + timedelta(days=20) < anchor:
        end = start + timedelta(days=rng.randint(10, max(11, min(length, (anchor - start).days) - 1)))
        return planned, min(end, anchor - timedelta(days=1)), True
    return planned, (planned if planned < anchor else None), False


def build_generic_pathways(plan: Plan) -> None:
    """Hire everyone whose generic application reached 'hired'; exits, follow-ups, conversions."""
    rng = plan.rng("pathways")
    for meta in plan.refs["offers"]:
        if meta["lot_ref"]["story"]:
            continue
        offer = meta["offer"]
        for app in meta["apps"]:
            if app["status"] is not ApplicationStatus.HIRED:
                continue
            start = app["last_event_at"].date() + timedelta(days=rng.randint(5, 21))
            planned, end, early = lifecycle(plan, rng, offer["contract_type"], start)
            contract = add_employment(
                plan, rng, candidate_id=app["candidate_id"], lot_ref=meta["lot_ref"], employer=meta["company"],
                mode=meta["mode"], contract_type=offer["contract_type"], start=start, planned_end=planned,
                end=end, weekly_hours=offer["weekly_hours"], application_id=app["id"])
            if end is not None:
                _close(plan, rng, meta, contract, early)


def _close(plan: Plan, rng, meta: dict, contract: dict, early: bool) -> None:
    titulaire = meta["lot_ref"]["company"]
    convertible = (not early and contract["mode"] is Mode.DIRECT and titulaire["company_kind"].value == "titulaire"
                   and contract["contract_type"] in (T.CDD, T.PROFESSIONNALISATION, T.APPRENTISSAGE)
                   and contract["end_date"] + timedelta(days=1) < plan.anchor)
    if convertible:
        plan.refs["convertible"] = plan.refs.get("convertible", 0) + 1
    # One direct fixed-term hire in three ends with a CDI at the titulaire (a quota, not luck).
    if convertible and plan.refs["convertible"] % 3 == 0:
        add_exit(plan, rng, contract, D.CDI, comment="CDI signé chez le titulaire à l'issue du contrat.",
                 in_work=True, situation=D.CDI)
        start = contract["end_date"] + timedelta(days=1)
        planned, end, early = lifecycle(plan, rng, T.CDI, start)
        cdi = add_employment(
            plan, rng, candidate_id=contract["candidate_id"], lot_ref=meta["lot_ref"], employer=titulaire,
            mode=Mode.DIRECT, contract_type=T.CDI, start=start, planned_end=None, end=end,
            weekly_hours=35.0, previous_id=contract["id"])
        if end is not None:
            add_exit(plan, rng, cdi, weighted(rng, EXIT_EARLY), comment="Rupture du CDI.")
        return
    detail = weighted(rng, EXIT_EARLY if early else EXIT_AT_TERM)
    comment = "Fin anticipée du contrat." if early else "Fin du contrat au terme prévu."
    add_exit(plan, rng, contract, detail, comment=comment)
