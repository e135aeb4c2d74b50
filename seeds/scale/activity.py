"""The activity of `flask seed scale`: candidates (with desired jobs, consent and eligibility
criteria), offers, applications along the funnel, employment contracts and monthly hours entries.

Candidate c (0-based) lives in territory c % T, offer o belongs to territory o % T; applications
always go to an offer of the candidate's territory. Each hire gets about two years of hours entries
(fewer hires when fewer entries are asked), the last month still declared, the rest validated.
"""
import itertools
import random
from datetime import datetime, time, timedelta
from decimal import Decimal
from time import perf_counter

import sqlalchemy as sa

from clausematch import models as m
from clausematch.accounts.models import PrescriberKind
from clausematch.applications.models import ApplicationStatus as S
from clausematch.applications.models import RefusalReason
from clausematch.candidates.models import EligibilityStatus
from clausematch.database import add_months
from clausematch.extensions import db
from clausematch.offers.models import OfferStatus
from clausematch.offers.search_words import document, label_text
from clausematch.offers.services import offer_search_text
from clausematch.pathways import hours_totals
from clausematch.pathways.models import HoursKind, HoursStatus
from clausematch.referential.models import Commune
from clausematch.vocabulary import ContractType, Mode, Sector
from seeds.demo.common import name_key, weighted
from seeds.demo.eligibility import EVIDENCE, PURPOSES, _codes
from seeds.demo.people import MOBILITY_KM, _desired_jobs, _education, _typed, draw_person
from seeds.demo.trades import CONSTRUCTION, SEEKER_TRADES, SERVICES, TRADES, load_appellations

CHUNK = 50_000
MONTHS_PER_HIRE = 24
PATH = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
# Where applications that did not (yet) lead to a hire stand: last step reached → weight.
OPEN_STAGES = {S.SUBMITTED: 15, S.VALIDATED: 10, S.SHORTLISTED: 10, S.SENT: 15, S.INTERVIEW: 10,
               S.REFUSED: 30, S.WITHDRAWN: 10}
PRESCRIBER_KINDS = [PrescriberKind.FRANCE_TRAVAIL] * 8 + [PrescriberKind.MISSION_LOCALE] * 6 + [
    PrescriberKind.PLIE] * 2 + [PrescriberKind.CAP_EMPLOI, PrescriberKind.SOCIAL_SERVICE, PrescriberKind.SIAE,
                                 PrescriberKind.ASSOCIATION]
OFFER_STATUSES = [OfferStatus.PUBLISHED] * 7 + [OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.FILLED,
                                                OfferStatus.CLOSED]
CONTRACT_TYPES = {ContractType.CDD: 45, ContractType.INTERIM: 20, ContractType.CDI: 10, ContractType.CDDI: 10,
                  ContractType.PROFESSIONNALISATION: 8, ContractType.APPRENTISSAGE: 7}
MODES = {Mode.DIRECT: 60, Mode.ETTI: 15, Mode.AI: 5, Mode.GEIQ: 10, Mode.SUBCONTRACTING_SIAE: 10}


def communes_by_territory(groups: list[list[str]]) -> list[list[tuple]]:
    """(insee, latitude, longitude, population) of each territory's communes, from the referential."""
    rows = db.session.execute(sa.select(Commune.insee_code, Commune.latitude, Commune.longitude,
                                        Commune.population, Commune.department)
                              .where(Commune.kind == "COM").order_by(Commune.insee_code)).all()
    by_department: dict[str, list[tuple]] = {}
    for insee, lat, lon, population, department in rows:
        by_department.setdefault(department, []).append((insee, lat, lon, max(population or 0, 1)))
    result = [[c for d in group for c in by_department.get(d, [])] for group in groups]
    if not all(result):
        raise RuntimeError("Référentiel des communes absent : lancez d'abord « flask ref load ».")
    return result


def prescriber_of(c: int, layout) -> tuple[int, int]:
    """(prescriber index, referent 0/1) of candidate c: a pure function, so applications need no lookup."""
    h = (c * 2654435761) & 0xFFFFFFFF
    return h % layout.prescribers, (h >> 8) & 1


def seed_activity(step, layout, plan, communes, candidates: int, offers: int, hours: int, territories: int,
                  echo=print) -> None:
    rng = random.Random(f"scale:{candidates}:{offers}:{hours}:{territories}")
    appellations = load_appellations()
    pickers = [_picker(rows) for rows in communes]
    offer_lots = [0] * offers
    step("offres", m.Offer, OFFER_COLUMNS, _offers(rng, layout, plan, pickers, appellations, offers, territories,
                                                   offer_lots))
    for first in range(0, candidates, CHUNK):
        people = list(_people(rng, layout, plan, pickers, range(first, min(first + CHUNK, candidates)),
                              territories))
        step("candidats", m.Candidate, CANDIDATE_COLUMNS, (p[0] for p in people))
        step("métiers recherchés", m.CandidateDesiredJob, ("candidate_id", "appellation_code", "position"),
             ((p[0][0], code, position) for p in people for position, code in enumerate(p[1], start=1)))
        step("consentements", m.Consent, ("candidate_id", "given_on", "recorded_by_id", "purposes", "recorded_at"),
             ((p[0][0], p[0][-1].date(), p[0][3], PURPOSES, p[0][-1]) for p in people))
        step("critères d'éligibilité", m.EligibilityCriterion, CRITERIA_COLUMNS,
             (row for p in people for row in _criteria(rng, layout, p)))
    hires = min(candidates, -(-hours // MONTHS_PER_HIRE)) if hours else 0
    total = min(candidates, max(2 * hires, candidates // 3))
    employment: list[tuple] = []
    applications = list(_applications(rng, layout, plan, candidates, offers, territories, hires, total, hours,
                                      offer_lots, employment))
    step("candidatures", m.Application, APPLICATION_COLUMNS, (a[0] for a in applications))
    step("événements de candidature", m.ApplicationEvent, EVENT_COLUMNS, (e for a in applications for e in a[1]))
    del applications
    step("contrats de travail", m.EmploymentContract, EMPLOYMENT_COLUMNS, (e[:12] for e in employment))
    with hours_totals.suspended():
        step("relevés d'heures", m.HoursEntry, HOURS_COLUMNS, _hours(rng, layout, plan, employment, hours))
        began = perf_counter()
    echo(f"  totaux d'heures par lot et par mois : {perf_counter() - began:.1f} s")


def _picker(rows: list[tuple]):
    cumulative = list(itertools.accumulate(r[3] for r in rows))

    def pick(rng):
        return rng.choices(rows, cum_weights=cumulative)[0]
    return pick


OFFER_COLUMNS = ("id", "territory_id", "lot_id", "company_id", "title", "appellation_code", "rome_code", "sector",
                 "description", "search_text", "search_words", "commune_insee", "latitude", "longitude",
                 "contract_type", "weekly_hours", "positions", "start_date", "publication_end", "status",
                 "published_at", "created_by_id", "created_at", "updated_at")


def _offers(rng, layout, plan, pickers, appellations, offers, territories, offer_lots):
    now = datetime.combine(plan.anchor, time(8, 0))
    for o in range(offers):
        t = o % territories
        k = rng.randrange(layout.lots)
        offer_lots[o] = k
        track = CONSTRUCTION if rng.random() < 0.62 else SERVICES
        trade = weighted(rng, SEEKER_TRADES[track])
        code = rng.choice(TRADES[trade].appellations)
        job = appellations[code]
        title = job["label"].split(" / ")[0] + (" H/F" if rng.random() < 0.3 else "")
        insee, lat, lon, _ = pickers[t](rng)
        status = rng.choice(OFFER_STATUSES)
        created = now - timedelta(days=rng.randint(1, 400), minutes=rng.randint(0, 600))
        published = created + timedelta(days=rng.randint(0, 5)) if status != OfferStatus.DRAFT else None
        yield (o + 1, t + 1, layout.lot(t, k), layout.lot_company(t, k), title, code, job["rome_code"],
               Sector(TRADES[trade].sector), "Poste ouvert au titre de la clause sociale d'insertion.",
               offer_search_text(title, job["label"], job["rome_label"]), document(title, label_text(job["label"])),
               insee, lat, lon,
               weighted(rng, CONTRACT_TYPES), rng.choice((24.0, 35.0, 35.0, 39.0)), 1,
               (published or created).date() + timedelta(days=rng.randint(14, 45)),
               plan.anchor + timedelta(days=rng.randint(-60, 90)) if published else None, status,
               published if status == OfferStatus.PUBLISHED else None, layout.company_user(t, k % layout.companies),
               created, published or created)


CANDIDATE_COLUMNS = ("id", "territory_id", "prescriber_id", "referent_id", "first_name", "last_name", "name_key",
                     "birth_date", "gender", "commune_insee", "education_level",
                     "desired_jobs_text", "mobility_km", "driving_licence", "available", "updated_at", "created_at")


def _people(rng, layout, plan, pickers, ids, territories):
    """(candidate row, desired jobs, age, prescriber kind, lives in a QPV) per candidate; created_at last
    in the row."""
    for c in ids:
        t = c % territories
        track, trade, gender, age, first, last = draw_person(rng)
        jobs = _desired_jobs(rng, trade, track)
        k, n = prescriber_of(c, layout)
        created = datetime.combine(plan.anchor - timedelta(days=rng.randint(1, 800)), time(rng.randint(8, 17)))
        birth = plan.anchor - timedelta(days=int((age + rng.random()) * 365.25))
        commune = pickers[t](rng)[0]
        qpv = rng.random() < 0.55
        row = (c + 1, t + 1, layout.prescriber(t, k), layout.prescriber_user(t, k, n), first, last,
               name_key(first, last), birth, gender, commune, _education(rng, age), _typed(rng, jobs),
               weighted(rng, MOBILITY_KM), age >= 20 and rng.random() < 0.4, rng.random() < 0.92, created, created)
        yield row, jobs, age, PRESCRIBER_KINDS[k % len(PRESCRIBER_KINDS)], qpv


CRITERIA_COLUMNS = ("candidate_id", "criterion", "evidence", "declared_by_id", "declared_at", "status",
                    "validated_by_id", "validated_at", "valid_until")


def _criteria(rng, layout, person):
    row, _jobs, age, kind, qpv = person
    candidate = {"education_level": row[10]}
    created = row[-1]
    t = row[1] - 1
    validated = rng.random() < 0.6
    when = created + timedelta(days=rng.randint(1, 12))
    for code in _codes(rng, candidate, {"age": age, "prescriber_kind": kind, "qpv": qpv}):
        yield (row[0], code, EVIDENCE[code], row[3], created,
               EligibilityStatus.VALIDATED if validated else EligibilityStatus.DECLARED,
               layout.facilitator(t, row[0] % layout.facilitators) if validated else None,
               when if validated else None, add_months(when.date(), 6) if validated else None)


APPLICATION_COLUMNS = ("id", "candidate_id", "offer_id", "prescriber_id", "proposed_by_id", "message", "status",
                       "refusal_reason", "created_at", "last_event_at")
EVENT_COLUMNS = ("application_id", "from_status", "to_status", "actor_id", "occurred_at", "refusal_reason")
EMPLOYMENT_COLUMNS = ("id", "candidate_id", "application_id", "lot_id", "company_id", "employer_id",
                      "contract_type", "mode", "start_date", "weekly_hours", "created_at", "planned_end_date")


def _applications(rng, layout, plan, candidates, offers, territories, hires, total, hours, offer_lots, employment):
    """`total` applications, one per candidate spread evenly, exactly `hires` of them hired; the hires'
    employment contracts are appended to `employment` (with the hours months and territory)."""
    months = -(-hours // hires) if hires else 0
    for i in range(total):
        c = i * candidates // total
        t = c % territories
        count_t = (offers - t + territories - 1) // territories
        o = t + territories * rng.randrange(count_t)
        k, n = prescriber_of(c, layout)
        hired = hires and ((i + 1) * hires) // total > (i * hires) // total
        if hired:
            e = len(employment)
            start = add_months(plan.last_month, -(months - 1))
            created = datetime.combine(start - timedelta(days=rng.randint(20, 60)), time(rng.randint(8, 17)))
            path, reason = PATH, None
        else:
            created = datetime.combine(plan.anchor - timedelta(days=rng.randint(1, 700)), time(rng.randint(8, 17)))
            last = weighted(rng, OPEN_STAGES)
            if last in (S.REFUSED, S.WITHDRAWN):
                path = PATH[:rng.randint(1, 5)] + [last]
            else:
                path = PATH[:PATH.index(last) + 1]
            reason = rng.choice(list(RefusalReason)) if last == S.REFUSED else None
        times = [created + timedelta(days=3 * step, hours=step) for step in range(len(path))]
        application = (i + 1, c + 1, o + 1, layout.prescriber(t, k), layout.prescriber_user(t, k, n),
                       "Personne motivée, disponible rapidement.", path[-1], reason, times[0], times[-1])
        events = [(i + 1, path[s - 1] if s else None, path[s], layout.facilitator(t), times[s],
                   reason if path[s] == S.REFUSED else None) for s in range(len(path))]
        if hired:
            lot_k = offer_lots[o]
            company = layout.lot_company(t, lot_k)
            kind = weighted(rng, CONTRACT_TYPES)
            employment.append((e + 1, c + 1, i + 1, layout.lot(t, lot_k), company, company, kind,
                               weighted(rng, MODES), start, 35.0, times[-1],
                               None if kind == ContractType.CDI else add_months(start, months + 6), months, t))
        yield application, events


HOURS_COLUMNS = ("contract_id", "candidate_id", "lot_id", "company_id", "mode", "month", "kind", "hours",
                 "status", "declared_by_id", "validated_by_id", "validated_at", "created_at", "updated_at")


def _hours(rng, layout, plan, employment, total):
    """Exactly `total` entries: the same number of months per hire (24 unless candidates run short),
    back from last month; the last hire gets what is left."""
    produced = 0
    for cid, person, _app, lot, company, _employer, _type, mode, start, _weekly, _created, _end, months, t \
            in employment:
        declarer = layout.company_user(t, (company - layout.company(t, 0)))
        for n in range(months):
            if produced == total:
                return
            month = add_months(start, n)
            declared = datetime.combine(add_months(month, 1), time(16, 0))
            pending = month == plan.last_month
            validated = None if pending else declared + timedelta(days=3 + cid % 10)
            hours = Decimal(120 + (cid * 7 + n * 13) % 50)
            yield (cid, person, lot, company, mode, month, HoursKind.WORK, hours,
                   HoursStatus.DECLARED if pending else HoursStatus.VALIDATED, declarer,
                   None if pending else layout.facilitator(t, cid % layout.facilitators), validated, declared,
                   validated or declared)
            produced += 1
