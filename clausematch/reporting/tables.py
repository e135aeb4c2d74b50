"""Every report as one table — columns with a kind, rows of raw values — so that the page, the
CSV, the XLSX and the command line all show the same numbers from the same place."""
from dataclasses import dataclass, field
from decimal import Decimal

from clausematch.formats import format_date
from clausematch.reporting.masking import is_small
from clausematch.reporting.queries.clause_share import ClauseShareLine
from clausematch.reporting.queries.funnel import Funnel
from clausematch.reporting.queries.hours import GROUPS, LOT_GROUPS, HoursReport
from clausematch.reporting.queries.outcomes import OutcomesReport
from clausematch.reporting.queries.publics import PublicsReport
from clausematch.reporting.queries.warnings import Warnings
from clausematch.vocabulary import HOURS_PER_FTE

# Kinds of cells: how each is shown on the page and written to the exports. A YEAR cell holds an
# int, a DATE cell a date (any other value in them, a total line's label, is shown as text).
TEXT, COUNT, HOURS, FTE, PERCENT, YEAR, DATE = "text", "count", "hours", "fte", "percent", "year", "date"


@dataclass(frozen=True)
class Column:
    key: str  # name in the JSON output
    label: str
    kind: str = TEXT

    @property
    def numeric(self) -> bool:
        """Right-aligned on the page."""
        return self.kind not in (TEXT, DATE)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    total: list | None = None

    def records(self) -> list[dict]:
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]


def funnel_table(funnel: Funnel) -> Table:
    columns = [Column("etape", "Étape"), Column("etape_principale", "Étape principale"),
               Column("personnes", "Personnes", COUNT),
               Column("taux_etape_precedente", "Taux depuis l'étape précédente", PERCENT),
               Column("part_des_orientes", "Part des personnes orientées", PERCENT)]
    rows = [[step.label, "oui" if step.main else "non", step.count, step.rate, step.share_of_oriented]
            for step in funnel.steps]
    return Table("Entonnoir de recrutement", columns, rows)


def hours_table(report: HoursReport) -> Table:
    with_objective = report.group in LOT_GROUPS
    columns = [Column("groupe", GROUPS[report.group], YEAR if report.group == "annee" else TEXT)]
    if report.group in ("lot", "marche"):
        columns.append(Column("detail", "Intitulé"))
    columns += [Column("objectif_heures", "Objectif (h)", HOURS),
                Column("heures_realisees", "Heures réalisées", HOURS),
                Column("taux_realisation", "Taux de réalisation", PERCENT),
                Column("etp", "Équivalent temps plein", FTE),
                Column("part_des_heures", "Part des heures réalisées", PERCENT)]
    if report.pooling:  # the territory applies pooling: each pooled lot says on what it is judged
        columns.append(Column("mutualisation", "Mutualisation (taux sur l'ensemble des lots mutualisés)"))

    def row(line, share):
        first = line.key if report.group == "annee" and line is not report.total else line.label
        cells = [first] + ([line.detail] if report.group in ("lot", "marche") else [])
        cells += [line.objective if with_objective or line is report.total else None, line.realised,
                  line.rate if with_objective or line is report.total else None, fte(line.realised), share]
        return cells + ([line.pool_text] if report.pooling else [])

    rows = [row(line, report.share(line)) for line in report.lines]
    title = f"Heures d'insertion par {GROUPS[report.group].lower()}"
    return Table(title, columns, rows, total=row(report.total, Decimal(1) if report.total.realised else None))


def publics_table(report: PublicsReport) -> Table:
    columns = [Column("public", "Public"), Column("personnes", "Personnes", COUNT),
               Column("part_des_participants", "Part des participants", PERCENT),
               Column("heures", "Heures réalisées", HOURS), Column("part_des_heures", "Part des heures", PERCENT),
               Column("objectif_territoire", "Objectif du territoire", PERCENT)]
    rows = [[line.label, line.people, line.share, line.hours, line.hours_share, line.target] for line in report.lines]
    total = ["Ensemble des participants", report.participants, Decimal(1) if report.participants else None,
             report.hours, Decimal(1) if report.hours else None, None]
    return Table("Publics touchés", columns, rows, total=total)


OUTCOME_COLUMNS = [Column("categorie", "Catégorie de sortie"), Column("situation", "Situation à la sortie"),
                   Column("sorties", "Sorties", COUNT), Column("part_des_sorties", "Part des sorties", PERCENT)]


def outcomes_tables(report: OutcomesReport) -> list[Table]:
    """The exits as the territory's convention counts them, titled with it: under the PLIE
    convention its positive exits first, then the situations at exit (DGEFP categories)."""
    by_category = outcomes_table(report)
    if report.plie is None:
        return [by_category]
    plie = report.plie
    positive = "Sortie positive (PLIE)"
    rows = [[positive, "Toutes", plie.positive, plie.share(plie.positive)],
            [positive, "Emploi durable confirmé au suivi à 6 mois", plie.durable_confirmed,
             plie.share(plie.durable_confirmed)],
            [positive, "Formation qualifiante", plie.qualifying_training, plie.share(plie.qualifying_training)],
            ["Autre sortie", "Toutes", plie.others, plie.share(plie.others)],
            ["Autre sortie", "Dont emploi durable en attente du suivi à 6 mois", plie.awaiting,
             plie.share(plie.awaiting)]]
    return [Table("Sorties positives selon la convention des PLIE", OUTCOME_COLUMNS, rows,
                  total=["Toutes les sorties", "", plie.total, Decimal(1) if plie.total else None]), by_category]


def outcomes_table(report: OutcomesReport) -> Table:
    rows = []
    for category in report.categories:
        rows.append([category.label, "Toutes", category.exits, category.share])
        rows += [[category.label, line.label, line.exits, line.share]
                 for line in report.details if line.category is category.category]
    return Table("Sorties par catégorie (définitions de la DGEFP)", OUTCOME_COLUMNS, rows,
                 total=["Toutes les sorties", "", report.total, Decimal(1) if report.total else None])


def follow_up_table(report: OutcomesReport) -> Table:
    f = report.follow_ups
    columns = [Column("indicateur", "Suivi à 6 mois"), Column("personnes", "Suivis", COUNT),
               Column("part_des_suivis_realises", "Part des suivis réalisés", PERCENT)]
    rows = [["Suivis réalisés", f.done, Decimal(1) if f.done else None],
            ["En emploi au suivi", f.in_work, f.in_work_share],
            ["En emploi durable au suivi", f.in_durable_work, f.durable_share],
            ["Suivis à réaliser", f.pending, None]]
    return Table("Situation six mois après la sortie", columns, rows)


def warnings_table(warnings: Warnings) -> Table:
    columns = [Column("marche", "Marché"), Column("lot", "Lot"), Column("titulaire", "Titulaire"),
               Column("fin", "Fin du lot", DATE), Column("objectif_heures", "Objectif (h)", HOURS),
               Column("heures_realisees", "Heures réalisées", HOURS),
               Column("part_realisee", "Part de l'objectif réalisée", PERCENT),
               Column("part_du_temps_ecoulee", "Part de la durée écoulée", PERCENT),
               Column("retard_heures", "Retard sur le rythme (h)", HOURS)]
    rows = [[lot.reference, f"Lot {lot.number} – {lot.title}"
             + (" (jugé sur sa mutualisation : part réalisée de l'ensemble)" if lot.pool_share is not None else ""),
             lot.company or "Non attribué",
             lot.end_date, lot.objective, lot.realised, lot.realised_share, lot.elapsed, lot.gap]
            for lot in warnings.lots]
    return Table("Lots en retard sur leur objectif d'heures", columns, rows)


def clause_share_table(lines: list[ClauseShareLine]) -> Table:
    columns = [Column("annee", "Année de notification", YEAR), Column("marches", "Marchés notifiés", COUNT),
               Column("marches_avec_clause", "Dont avec une clause sociale", COUNT),
               Column("part_avec_clause", "Part des marchés avec clause", PERCENT)]
    rows = [[int(line.year), line.contracts, line.with_clause, line.share] for line in lines]
    contracts = sum(line.contracts for line in lines)
    with_clause = sum(line.with_clause for line in lines)
    total = ["Toutes les années", contracts, with_clause, Decimal(with_clause) / contracts if contracts else None]
    return Table("Part des marchés comportant une clause sociale", columns, rows, total=total)


def fte(hours: Decimal) -> Decimal:
    return Decimal(hours) / HOURS_PER_FTE


def display(value, kind: str) -> str:
    """A cell as shown on the page (French formats; "—" for a figure that does not exist, "< 5"
    for a masked count of people)."""
    from clausematch.formats import format_number, format_percent

    if is_small(value):
        return str(value)
    if value is None or value == "":
        return "—" if kind != TEXT else ""
    if kind == DATE:
        return format_date(value)
    if kind == YEAR:
        return str(value)
    if kind == PERCENT:
        return format_percent(value)
    if kind == FTE:
        return format_number(value, 1)
    if kind in (COUNT, HOURS):
        return format_number(value)
    return str(value)
