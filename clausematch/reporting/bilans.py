"""Printable bilans for a year: one contract, or every contract of one buyer. Each section —
hours against objectives, people (the funnel), publics, outcomes, clause share — is a chart and
its table, printed one section per page. The people, publics and outcomes sections are the
reports' runs (reports.Report.run), small counts of people masked for the reader as there."""
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from markupsafe import Markup

from clausematch.accounts.models import Buyer, Territory, User
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.contracts.pools import pools_of
from clausematch.database import today
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date, format_number, plural
from clausematch.pathways.models import HoursStatus, SubcontractingInvoice
from clausematch.reporting import charts, tables
from clausematch.reporting.filters import Scope
from clausematch.reporting.permissions import can_view_buyer_bilan, can_view_contract_bilan, sees_small_counts
from clausematch.reporting.queries.clause_share import clause_share
from clausematch.reporting.queries.hours import HoursReport, hours_report
from clausematch.reporting.queries.scoping import in_period, scoped_lot_ids
from clausematch.reporting.queries.sql import ratio
from clausematch.reporting.reports import BY_SLUG, Options
from clausematch.reporting.tables import HOURS, PERCENT, TEXT, Column, Table


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str
    chart: Markup | None
    tables: list[Table]


@dataclass(frozen=True)
class Bilan:
    title: str
    subject: str
    year: int
    years: list[int]
    facts: list[tuple[str, str]]
    sections: list[Section]
    basis: list[str] = field(default_factory=list)  # how the hours were counted, in French


def contract_bilan(user: User, contract: Contract, year: int | None) -> Bilan:
    if not can_view_contract_bilan(user, contract):
        raise NotAllowed("Ce bilan ne vous est pas accessible.")
    last = (contract.end_date or today()).year
    years = list(range(max(last, contract.start_date.year), contract.notified_on.year - 1, -1))
    year = year if year in years else min(max(today().year, years[-1]), years[0])
    scope = Scope(territory_id=contract.territory_id, contract_id=contract.id, year=year)
    share = clause_share(Scope(territory_id=contract.territory_id, buyer_id=contract.buyer_id, year=year))
    facts = [("Acheteur", contract.buyer.name), ("Objet", contract.object),
             ("Clause sociale", contract.clause_kind.label if contract.clause_kind else "Aucune"),
             ("Notifié le", format_date(contract.notified_on))]
    return Bilan(f"Bilan {year} du marché {contract.reference}", contract.reference, year, years, facts,
                 _sections(scope, contract.buyer.territory, "lot", share, _options(user)),
                 counting_basis(scope, contract.buyer.territory))


def buyer_bilan(user: User, buyer: Buyer, year: int | None) -> Bilan:
    if not can_view_buyer_bilan(user, buyer):
        raise NotAllowed("Ce bilan ne vous est pas accessible.")
    share = clause_share(Scope(territory_id=buyer.territory_id, buyer_id=buyer.id))
    first = share[0].year if share else today().year
    years = list(range(max(today().year, share[-1].year if share else first), first - 1, -1))
    year = year if year in years else today().year
    scope = Scope(territory_id=buyer.territory_id, buyer_id=buyer.id, year=year)
    facts = [("Acheteur", buyer.name), ("Type d'acheteur", buyer.kind_label)]
    return Bilan(f"Bilan {year} de {buyer.name}", buyer.name, year, years, facts,
                 _sections(scope, buyer.territory, "marche", share, _options(user)),
                 counting_basis(scope, buyer.territory))


def counting_basis(scope: Scope, territory: Territory) -> list[str]:
    """The bilan's basis, sentence by sentence (docs/domain.md, "Heures qui comptent"): training
    hours, the CDI lump (the territory's and the clauses overriding it), the SIAE invoices
    converted and at which hourly costs, staff provision, the pools covering its lots, the exit
    convention. Three queries."""
    lots = scoped_lot_ids(scope)
    overrides = db.session.execute(
        sa.select(Contract.reference, Lot.number, Clause.cdi_lump_hours).join(Lot, Lot.id == Clause.lot_id)
        .join(Contract, Contract.id == Lot.contract_id)
        .where(Clause.lot_id.in_(lots), Clause.cdi_lump_hours.is_not(None))
        .order_by(Contract.reference, Lot.number)).all()
    costs = db.session.execute(
        sa.select(SubcontractingInvoice.hourly_cost, sa.func.count(), sa.func.sum(SubcontractingInvoice.amount_ht),
                  sa.func.sum(SubcontractingInvoice.converted_hours))
        .where(SubcontractingInvoice.lot_id.in_(lots), SubcontractingInvoice.status == HoursStatus.VALIDATED,
               *in_period(SubcontractingInvoice.month, scope))
        .group_by(SubcontractingInvoice.hourly_cost).order_by(SubcontractingInvoice.hourly_cost)).all()
    basis = ["Seules comptent les heures validées par l'équipe de facilitation ; les heures de formation "
             + ("sont comptées (paramètre du territoire)." if territory.count_training_hours
                else "ne sont pas comptées (paramètre du territoire).")]
    lump = (f"Chaque embauche en CDI sur un lot clausé compte un forfait de {format_number(territory.cdi_lump_hours)} "
            "heures, une fois par personne et par lot (un CDD converti en CDI compte une fois), le mois où le CDI "
            "commence, à la place des heures travaillées en CDI" if territory.cdi_lump_hours
            else "Le territoire n'applique pas de forfait CDI : les heures travaillées en CDI comptent comme "
                 "les autres")
    if overrides:
        lump += " ; clauses qui fixent leur propre forfait : " + ", ".join(
            f"{reference} lot {number} ({'aucun forfait' if hours == 0 else f'{format_number(hours)} h'})"
            for reference, number, hours in overrides)
    basis.append(lump + ".")
    if costs:
        basis.append("Sous-traitance et co-traitance avec une SIAE : " + ", ".join(
            f"{plural(count, 'facture')} validée{'s' if count > 1 else ''} pour {format_number(amount, 2)} € HT "
            f"converties en {format_number(hours, 2)} h au coût horaire de {format_number(cost, 2)} €"
            for cost, count, amount, hours in costs) + " (montant facturé ÷ coût horaire de la clause, figé à la "
            "saisie).")
    else:
        basis.append("Aucune facture de sous-traitance ou de co-traitance avec une SIAE n'est comptée sur la "
                     "période.")
    basis.append("Les salariés mis à disposition par une ETTI, une AI ou un GEIQ comptent pour l'entreprise "
                 "titulaire du lot qui les accueille, jamais pour la structure qui les emploie.")
    basis.append(_pooling_basis(lots, territory))
    basis.append(f"Sorties : {territory.exit_convention.label}.")
    return basis


def _pooling_basis(lots: sa.Select, territory: Territory) -> str:
    """The pools covering the bilan's lots (one query), applied or not by the territory."""
    summaries = pools_of(lot_ids=lots)
    if not summaries:
        return ("Les heures de chaque lot sont jugées sur ce seul lot (aucune globalisation entre lots n'est "
                "appliquée).")
    listed = " ; ".join(f"lots {summary.label()} (accord du {format_date(summary.agreed_on)})"
                        for summary in summaries)
    if not territory.globalise_across_lots:
        return ("Les heures de chaque lot sont jugées sur ce seul lot : la globalisation entre lots est désactivée "
                "dans les paramètres du territoire, les mutualisations enregistrées ne sont pas appliquées "
                f"({listed}).")
    return ("Globalisation entre lots : un lot mutualisé est jugé sur l'ensemble de sa mutualisation (heures réalisées "
            "et objectifs additionnés sur tous ses lots, même hors de ce bilan) ; les totaux restent la somme des "
            f"heures de chaque lot. Mutualisations appliquées : {listed}.")


def _options(user: User) -> Options:
    """The people sections are the reports' own runs, small counts masked as on the report pages."""
    return Options(hide_small_counts=not sees_small_counts(user))


def _sections(scope: Scope, territory: Territory, group: str, share, options: Options) -> list[Section]:
    year_hours = hours_report(scope, territory, group)
    cumulated = hours_report(Scope(territory_id=scope.territory_id, buyer_id=scope.buyer_id,
                                   contract_id=scope.contract_id, date_to=scope.period[1]), territory, group)
    people, publics, outcomes = (BY_SLUG[slug].run(scope, territory, options)
                                 for slug in ("entonnoir", "publics", "sorties"))
    year = scope.year
    return [
        Section("heures", "Heures d'insertion", f"Heures comptées en {year} (voir la base de calcul), et depuis "
                "le début jusqu'à la fin de l'année, face aux objectifs des clauses.", charts.hours_chart(cumulated),
                [_hours_table(year_hours, cumulated, year)]),
        Section("personnes", "Personnes orientées et embauchées", f"Les personnes orientées en {year} et la suite "
                "de leur parcours.", people.chart, people.tables),
        Section("publics", "Publics touchés", f"Les participants dont le contrat a couru en {year}, avec leurs "
                "heures (forfait CDI compris ; les factures de SIAE ne sont les heures de personne).",
                publics.chart, publics.tables),
        Section("sorties", "Sorties et suivi à 6 mois", f"Les sorties de {year} et la situation six mois après.",
                outcomes.chart, outcomes.tables),
        Section("clauses", "Part des marchés avec clause sociale", "La part des marchés de l'acheteur notifiés "
                "avec une clause sociale.", charts.clause_share_chart(share), [tables.clause_share_table(share)]),
    ]


def _hours_table(year_hours: HoursReport, cumulated: HoursReport, year: int) -> Table:
    """Per lot or contract: objective, hours of the year, hours since the start, cumulated rate."""
    in_year = {line.key: line.realised for line in year_hours.lines}
    columns = [Column("groupe", "Lot" if year_hours.group == "lot" else "Marché"), Column("detail", "Intitulé", TEXT),
               Column("objectif_heures", "Objectif (h)", HOURS),
               Column("heures_annee", f"Heures réalisées en {year}", HOURS),
               Column("heures_cumulees", f"Heures cumulées à fin {year}", HOURS),
               Column("taux_realisation", "Taux de réalisation cumulé", PERCENT)]
    rows = [[line.label, f"{line.detail} — {line.pool_text}" if line.pooled else line.detail, line.objective,
             in_year.get(line.key, Decimal(0)), line.realised, line.rate]
            for line in cumulated.lines]
    total = cumulated.total
    return Table("Heures d'insertion face aux objectifs", columns, rows,
                 total=["Total", "", total.objective, year_hours.total.realised, total.realised,
                        ratio(total.realised, total.objective)])

