"""`flask seed scale`: a national-scale database for the load test and the EXPLAIN plans.

Territories cut France into groups of departments; each holds the same small world of
organisations, accounts and contracts (the `Layout` below), while candidates, offers, applications,
employment contracts and hours entries are spread over them in the counts asked. People, jobs and
criteria follow the demo generator's distributions (seeds.demo: ages, education, trades, typed
job titles, eligibility criteria); rows are streamed to the database with PostgreSQL COPY or
SQLite batches (seeds.scale.bulk), ids given explicitly, sequences moved past them at the end.
"""
import csv
import logging
import time
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from clausematch import models as m
from clausematch.accounts.models import BuyerKind, CompanyKind, OrganisationKind, Role
from clausematch.bulk import write
from clausematch.candidates.name_words import rebuild_name_words
from clausematch.contracts.models import ClauseKind, ObjectiveMethod
from clausematch.database import add_months, today
from clausematch.extensions import db
from clausematch.matching.engine.referential import DATA_DIR
from clausematch.text import normalise
from clausematch.vocabulary import Sector
from seeds.demo import advance_sequences
from seeds.demo.common import Plan, siret
from seeds.scale import activity
from seeds.scale.activity import PRESCRIBER_KINDS
from seeds.scale.bulk import constraints_deferred

log = logging.getLogger(__name__)

PASSWORD = "clausematch-charge"
DOMAIN = "charge.clausematch.fr"
COMPANY_KINDS = [CompanyKind.TITULAIRE] * 40 + [CompanyKind.EI, CompanyKind.ETTI, CompanyKind.AI, CompanyKind.ACI,
                                                 CompanyKind.GEIQ] * 2


@dataclass(frozen=True)
class Layout:
    """The ids of one territory's organisations, users, contracts and lots (all 1-based, in blocks)."""

    buyers: int = 10
    companies: int = 50
    prescribers: int = 20
    facilitators: int = 5
    contracts_per_buyer: int = 10
    lots_per_contract: int = 3

    @property
    def orgs(self) -> int:  # the team, then buyers, companies, prescribers
        return 1 + self.buyers + self.companies + self.prescribers

    def team(self, t: int) -> int:
        return t * self.orgs + 1

    def buyer(self, t: int, k: int) -> int:
        return t * self.orgs + 2 + k

    def company(self, t: int, k: int) -> int:
        return t * self.orgs + 2 + self.buyers + k

    def prescriber(self, t: int, k: int) -> int:
        return t * self.orgs + 2 + self.buyers + self.companies + k

    @property
    def users(self) -> int:  # facilitators, buyers' (1), companies' (1), prescribers' (2)
        return self.facilitators + self.buyers + self.companies + 2 * self.prescribers

    def facilitator(self, t: int, k: int = 0) -> int:
        return t * self.users + 1 + k

    def buyer_user(self, t: int, k: int) -> int:
        return t * self.users + 1 + self.facilitators + k

    def company_user(self, t: int, k: int) -> int:
        return t * self.users + 1 + self.facilitators + self.buyers + k

    def prescriber_user(self, t: int, k: int, n: int = 0) -> int:
        return t * self.users + 1 + self.facilitators + self.buyers + self.companies + 2 * k + n

    @property
    def lots(self) -> int:
        return self.buyers * self.contracts_per_buyer * self.lots_per_contract

    def lot(self, t: int, k: int) -> int:
        return t * self.lots + 1 + k

    def lot_company(self, t: int, k: int) -> int:
        return self.company(t, (k * 7 + k // self.lots_per_contract) % self.companies)


def email(role: str, t: int, k: int = 0) -> str:
    """The login of account k of `role` in territory t (printed for the load test)."""
    return f"{role}-{t + 1}-{k + 1}@{DOMAIN}"


# The tables filled by the millions: their foreign keys and indexes are created after the copy.
BULK_MODELS = (m.Offer, m.Candidate, m.CandidateDesiredJob, m.Consent, m.EligibilityCriterion, m.Application,
               m.ApplicationEvent, m.EmploymentContract, m.HoursEntry)


def seed_scale(candidates: int, offers: int, hours: int, territories: int, echo=print) -> dict[str, int]:
    """Fill an empty database in one transaction (nothing kept if a step fails); returns the count
    written per kind of record."""
    started = time.perf_counter()
    layout = Layout()
    plan = Plan(today())  # only for its anchor and rolling window of months
    groups = department_groups(territories)
    counts: dict[str, int] = {}

    def step(label: str, model, columns, rows) -> None:
        began = time.perf_counter()
        counts[label] = counts.get(label, 0) + write(model, columns, rows)
        echo(f"  {label} : {counts[label]} en {time.perf_counter() - began:.1f} s")

    step("territoires", m.Territory, ("id", "name", "default_labour_share", "default_insertion_rate",
                                      "default_hourly_cost", "target_qpv_share"),
         ((t + 1, f"Territoire de charge {t + 1} ({', '.join(groups[t][:3])}…)", Decimal("0.5"), Decimal("0.05"),
           Decimal("30"), Decimal("0.6")) for t in range(territories)))
    communes = activity.communes_by_territory(groups)
    step("communes des territoires", m.TerritoryCommune, ("territory_id", "commune_insee"),
         ((t + 1, insee) for t in range(territories) for insee, *_ in communes[t]))
    step("organisations", m.Organisation, ("id", "territory_id", "kind", "name", "prescriber_kind",
                                           "company_kind", "buyer_kind", "siret", "commune_insee"),
         _organisations(layout, territories, communes))
    step("utilisateurs", m.User, ("id", "email", "full_name", "search_name", "role", "password_hash"),
         ((ident, address, name, normalise(name), *rest)
          for ident, address, name, *rest in _users(layout, territories)))
    step("rattachements", m.Membership, ("user_id", "organisation_id"), _memberships(layout, territories))
    step("marchés", m.Contract, ("id", "territory_id", "buyer_id", "reference", "object", "sector", "amount_ht",
                                 "notified_on", "start_date", "end_date", "clause_kind"),
         _contracts(layout, territories, plan))
    step("lots", m.Lot, ("id", "contract_id", "number", "title", "company_id", "amount_ht", "start_date",
                         "end_date"), _lots(layout, territories, plan))
    step("clauses", m.Clause, ("id", "lot_id", "hours_objective", "objective_method"),
         ((lot, lot, Decimal(8000 + 500 * (lot % 7)), ObjectiveMethod.FIXED)
          for lot in range(1, territories * layout.lots + 1)))
    with constraints_deferred(BULK_MODELS):
        activity.seed_activity(step, layout, plan, communes, candidates, offers, hours, territories, echo)
        copied = time.perf_counter()
    echo(f"  clés étrangères et index recréés après la copie : {time.perf_counter() - copied:.1f} s")
    began = time.perf_counter()  # the name search's words (COPY skips the mapper events that keep them)
    counts["mots des noms"] = rebuild_name_words(db.session.connection())
    echo(f"  mots des noms : {counts['mots des noms']} en {time.perf_counter() - began:.1f} s")
    if db.session.get_bind().dialect.name == "postgresql":
        advance_sequences()
        db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    echo(f"Base remplie en {time.perf_counter() - started:.0f} s.")
    return counts


def department_groups(territories: int) -> list[list[str]]:
    """France's departments (those of the communes referential) dealt into `territories` groups."""
    with open(DATA_DIR / "communes.csv", newline="", encoding="utf-8") as handle:
        departments = sorted({row["department"] for row in csv.DictReader(handle) if row["department"]})
    size = max(1, len(departments) // territories)
    groups = [departments[t * size:(t + 1) * size] for t in range(territories)]
    groups[-1] += departments[territories * size:]
    return groups


def _organisations(layout: Layout, territories: int, communes):
    for t in range(territories):
        seat = communes[t][0][0]
        yield (layout.team(t), t + 1, OrganisationKind.FACILITATOR, f"Facilitation {t + 1}", None, None, None,
               None, seat)
        for k in range(layout.buyers):
            yield (layout.buyer(t, k), t + 1, OrganisationKind.BUYER, f"Acheteur {t + 1}-{k + 1}", None, None,
                   BuyerKind.CITY if k % 3 else BuyerKind.SOCIAL_LANDLORD,
                   siret(4_000_000_000_000 + layout.buyer(t, k)), seat)
        for k in range(layout.companies):
            yield (layout.company(t, k), t + 1, OrganisationKind.COMPANY, f"Entreprise {t + 1}-{k + 1}", None,
                   COMPANY_KINDS[k % len(COMPANY_KINDS)], None, siret(5_000_000_000_000 + layout.company(t, k)),
                   seat)
        for k in range(layout.prescribers):
            yield (layout.prescriber(t, k), t + 1, OrganisationKind.PRESCRIBER, f"Prescripteur {t + 1}-{k + 1}",
                   PRESCRIBER_KINDS[k % len(PRESCRIBER_KINDS)], None, None, None, seat)


def _users(layout: Layout, territories: int):
    password_hash = generate_password_hash(PASSWORD)  # slow on purpose: once for everybody
    for t in range(territories):
        for k in range(layout.facilitators):
            yield layout.facilitator(t, k), email("facilitateur", t, k), f"Facilitatrice {t + 1}-{k + 1}", \
                Role.FACILITATOR, password_hash
        for k in range(layout.buyers):
            yield layout.buyer_user(t, k), email("acheteur", t, k), f"Acheteur {t + 1}-{k + 1}", Role.BUYER, \
                password_hash
        for k in range(layout.companies):
            yield layout.company_user(t, k), email("entreprise", t, k), f"Chargé RH {t + 1}-{k + 1}", \
                Role.COMPANY, password_hash
        for k in range(layout.prescribers):
            for n in range(2):
                yield layout.prescriber_user(t, k, n), email("prescripteur", t, 2 * k + n), \
                    f"Conseiller {t + 1}-{2 * k + n + 1}", Role.PRESCRIBER, password_hash
    yield territories * layout.users + 1, f"admin@{DOMAIN}", "Administration (charge)", Role.ADMIN, password_hash


def _memberships(layout: Layout, territories: int):
    for t in range(territories):
        for k in range(layout.facilitators):
            yield layout.facilitator(t, k), layout.team(t)
        for k in range(layout.buyers):
            yield layout.buyer_user(t, k), layout.buyer(t, k)
        for k in range(layout.companies):
            yield layout.company_user(t, k), layout.company(t, k)
        for k in range(layout.prescribers):
            yield layout.prescriber_user(t, k, 0), layout.prescriber(t, k)
            yield layout.prescriber_user(t, k, 1), layout.prescriber(t, k)


def _contracts(layout: Layout, territories: int, plan: Plan):
    start = add_months(plan.window_start, -12)
    per_territory = layout.buyers * layout.contracts_per_buyer
    for t in range(territories):
        for c in range(per_territory):
            buyer = c // layout.contracts_per_buyer
            yield (t * per_territory + c + 1, t + 1, layout.buyer(t, buyer), f"T{t + 1}-A{buyer + 1}-{c + 1}",
                   f"Travaux et services, marché {c + 1}", Sector.CONSTRUCTION if c % 4 else Sector.SERVICES,
                   Decimal("3000000"), add_months(start, -1), start, add_months(plan.anchor, 36),
                   ClauseKind.EXECUTION_CONDITION if c % 3 else None)


def _lots(layout: Layout, territories: int, plan: Plan):
    start = add_months(plan.window_start, -12)
    for t in range(territories):
        for k in range(layout.lots):
            contract = t * layout.buyers * layout.contracts_per_buyer + k // layout.lots_per_contract + 1
            number = k % layout.lots_per_contract + 1
            yield (layout.lot(t, k), contract, number, f"Lot {number}", layout.lot_company(t, k),
                   Decimal("1000000"), start, add_months(plan.anchor, 36))


def accounts_summary(territories: int) -> list[str]:
    """French lines naming the accounts the load test logs in with."""
    return [f"Mot de passe de tous les comptes : {PASSWORD}",
            f"Facilitateurs : {email('facilitateur', 0)} … (5 par territoire, {territories} territoire(s))",
            f"Prescripteurs : {email('prescripteur', 0)} … (40 par territoire)",
            f"Entreprises : {email('entreprise', 0)} … (50 par territoire)",
            f"Acheteurs : {email('acheteur', 0)} … (10 par territoire)",
            f"Administration : admin@{DOMAIN}"]
