"""Story a) The asbestos-removal training track: 102 people informed → 40 validated →
26 trained (contrat de professionnalisation) → 22 CDI → 15 still in post six months on."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.applications.models import ApplicationStatus as S
from clausematch.applications.models import RefusalReason as R
from clausematch.contracts.models import ClauseKind
from clausematch.offers.models import OfferStatus, Programme
from clausematch.vocabulary import ContractType, ExitDetail, Mode
from seeds.demo.applications import MAIN_PATH, walk
from seeds.demo.common import Plan, add_months, between
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract, clause_columns
from seeds.demo.offers import add_offer
from seeds.demo.pathways import add_employment, add_exit
from seeds.demo.people import pick_candidates

PROGRAMME_NAME = "Parcours désamiantage"
REFERENCE = "PCH-2022-FLOREAL"
GEIQ = "GEIQ BTP 93"
# Each promotion: 51 people informed; 31 stop before validation, 7 after it, 13 are hired.
NOT_VALIDATED = ([(S.REFUSED, R.NOT_ELIGIBLE)] * 15 + [(S.REFUSED, R.DID_NOT_COME)] * 9
                 + [(S.WITHDRAWN, None)] * 7)
DROP_OUTS = [(S.VALIDATED, S.WITHDRAWN, None)] * 2 + [(S.SHORTLISTED, S.REFUSED, R.DID_NOT_COME)] + \
    [(S.SENT, S.REFUSED, R.LACKS_SKILLS)] * 2 + [(S.INTERVIEW, S.REFUSED, R.LACKS_SKILLS),
                                                 (S.INTERVIEW, S.REFUSED, R.CANDIDATE_DECLINED)]
HIRED_PER_PROMOTION = 13
# promotion: (published, applications until, contract start)
PROMOTIONS = [(date(2023, 1, 16), date(2023, 3, 20), date(2023, 4, 3)),
              (date(2023, 3, 1), date(2023, 5, 5), date(2023, 5, 15))]
# The four trainees without a CDI: exit detail, months worked (None: to the term), in work 6 months on.
OTHER_EXITS = [(ExitDetail.UNEMPLOYMENT, 4, False), (ExitDetail.INACTIVITY, 7, False),
               (ExitDetail.TRAINING, None, False), (ExitDetail.SHORT_CDD, None, True)]
CDI_LEAVERS = [ExitDetail.UNEMPLOYMENT] * 3 + [ExitDetail.SHORT_INTERIM] * 2 + [ExitDetail.INACTIVITY,
                                                                                 ExitDetail.UNKNOWN]
STILL_IN_POST = 15


def build_asbestos(plan: Plan, taken: set[int]) -> None:
    rng = plan.rng("asbestos")
    lot_ref = _contract(plan, rng)
    programme = plan.add(
        Programme, territory_id=plan.refs["territory"]["id"], name=PROGRAMME_NAME,
        description=("Parcours qualifiant vers les métiers du désamiantage : information collective, "
                     "validation de l'éligibilité, contrat de professionnalisation avec le GEIQ BTP 93 "
                     "(formation SS4) sur le chantier de la cité Floréal, puis embauche en CDI."),
        start_date=date(2023, 1, 9), end_date=date(2024, 6, 30),
        created_at=datetime(2022, 12, 12, 10), updated_at=datetime(2022, 12, 12, 10))
    trainees = []
    for number, (published, until, start) in enumerate(PROMOTIONS, start=1):
        opened = datetime.combine(published, time(9, 0))
        meta = add_offer(
            plan, rng, lot_ref, company=plan.refs["orgs"][GEIQ], mode=Mode.GEIQ,
            contract_type=ContractType.PROFESSIONNALISATION, appellation=13990, status=OfferStatus.FILLED,
            created=opened - timedelta(days=10), published=opened, positions=HIRED_PER_PROMOTION,
            weekly_hours=35.0, programme_id=programme["id"],
            title=f"Désamianteur / Désamianteuse – parcours qualifiant (promotion {number})",
            timeline={"submitted": opened - timedelta(days=7)})
        trainees += _promotion(plan, rng, meta, until, start, taken)
    _outcomes(plan, rng, lot_ref, trainees)


def _contract(plan: Plan, rng) -> dict:
    orgs = plan.refs["orgs"]
    lots = [("Désamiantage et curage", "desamiantage", Decimal("4800000"), "Désamiantage Île-de-France Nord"),
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


def _promotion(plan: Plan, rng, meta: dict, until: date, start: date, taken: set[int]) -> list[tuple]:
    """Walk one promotion's 51 applications; returns (application, contract start) of the hired."""
    people = pick_candidates(plan, rng, 51, "construction", taken)
    outcomes = ([("hired",)] * HIRED_PER_PROMOTION + [("drop",) + d for d in DROP_OUTS]
                + [("stop",) + n for n in NOT_VALIDATED])
    rng.shuffle(outcomes)
    published = meta["offer"]["published_at"]
    latest = datetime.combine(until, time(17, 0))
    hired = []
    for candidate_id, outcome in zip(people, outcomes, strict=True):
        begin = published + timedelta(days=rng.uniform(0, 25))
        if outcome[0] == "hired":
            hired.append((walk(plan, rng, meta, candidate_id, MAIN_PATH, begin, latest), start))
        elif outcome[0] == "drop":
            _, last, status, reason = outcome
            path = MAIN_PATH[:MAIN_PATH.index(last) + 1] + [status]
            walk(plan, rng, meta, candidate_id, path, begin, latest, reason)
        else:
            _, status, reason = outcome
            walk(plan, rng, meta, candidate_id, [S.SUBMITTED, status], begin, latest, reason)
    meta["timeline"]["filled"] = max(app["last_event_at"] for app, _ in hired) + timedelta(hours=3)
    return hired


def _outcomes(plan: Plan, rng, lot_ref: dict, trainees: list[tuple]) -> None:
    """26 trainings; 22 turn into a CDI at the titulaire, 15 of whom are still there."""
    geiq, titulaire = plan.refs["orgs"][GEIQ], lot_ref["company"]
    order = list(range(len(trainees)))
    rng.shuffle(order)
    for rank, index in enumerate(order):
        app, start = trainees[index]
        planned = add_months(start, 12) - timedelta(days=1)
        other = OTHER_EXITS[rank - 22] if rank >= 22 else None
        end = planned if other is None or other[1] is None else add_months(start, other[1])
        pro = add_employment(plan, rng, candidate_id=app["candidate_id"], lot_ref=lot_ref, employer=geiq,
                             mode=Mode.GEIQ, contract_type=ContractType.PROFESSIONNALISATION, start=start,
                             planned_end=planned, end=end, weekly_hours=35.0, application_id=app["id"],
                             story="asbestos")
        if other is not None:
            add_exit(plan, rng, pro, other[0], comment="Sortie du parcours.", in_work=other[2])
            continue
        stays = rank < STILL_IN_POST
        cdi_start = end + timedelta(days=1)
        trial_end = add_months(cdi_start, 2)
        cdi_end = None if stays else between(rng, trial_end + timedelta(days=3), add_months(end, 6) - timedelta(days=7))
        add_exit(plan, rng, pro, ExitDetail.CDI, comment="CDI signé chez le titulaire à l'issue de la formation.",
                 in_work=stays, situation=ExitDetail.CDI if stays else ExitDetail.UNEMPLOYMENT)
        cdi = add_employment(plan, rng, candidate_id=app["candidate_id"], lot_ref=lot_ref, employer=titulaire,
                             mode=Mode.DIRECT, contract_type=ContractType.CDI, start=cdi_start, planned_end=None,
                             end=cdi_end, weekly_hours=35.0, previous_id=pro["id"], trial_end=trial_end,
                             story="asbestos")
        if cdi_end is not None:
            add_exit(plan, rng, cdi, CDI_LEAVERS[rank - STILL_IN_POST], comment="Départ de l'entreprise.")
