"""The reports: what each is called (URL and command line), which filters it reads, and how it
runs — the query, its tables and its chart. Pages, bilans, exports and the CLI all go through
`run`, which also masks the small counts of people for the readers who must not see them."""
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from clausematch.accounts.models import Territory
from clausematch.pagination import Page
from clausematch.reporting import charts, tables
from clausematch.reporting.filters import Scope
from clausematch.reporting.masking import hide_small_counts
from clausematch.reporting.queries.clause_share import clause_share
from clausematch.reporting.queries.funnel import funnel
from clausematch.reporting.queries.hours import GROUPS, hours_report
from clausematch.reporting.queries.outcomes import outcomes_report
from clausematch.reporting.queries.publics import publics_report
from clausematch.reporting.queries.warnings import DEFAULT_TOLERANCE, lagging_lots

LOTS = ("acheteur", "marche", "lot", "entreprise")
PEOPLE = ("programme", "offre")
PERIOD = ("annee", "du", "au")


@dataclass(frozen=True)
class Options:
    """Settings of one run besides the scope. `page` None: every line (exports, CLI).
    `hide_small_counts`: counts of 1 to 4 people become "< 5" (masking.py), for every reader
    but the facilitators (permissions.sees_small_counts)."""

    group: str = "lot"
    tolerance: Decimal = DEFAULT_TOLERANCE
    page: int | None = None
    hide_small_counts: bool = False


@dataclass(frozen=True)
class Result:
    data: object
    tables: list[tables.Table]
    chart: Markup
    page: Page | None = None


@dataclass(frozen=True)
class Report:
    slug: str  # in URLs (/rapports/<slug>)
    name: str  # on the command line (flask report <name>)
    title: str
    summary: str
    filters: tuple[str, ...]  # query-string names of the scope filters it reads
    query: Callable[[Scope, Territory, Options], object]  # the figures, from SQL
    tables: Callable[[object], list[tables.Table]]
    chart: Callable[[object], Markup]
    period_help: str = ""  # what the year or dates filter on, for people

    def run(self, scope: Scope, territory: Territory, options: Options = Options()) -> Result:
        """The figures, masked for the reader when asked, then the tables and the chart built from
        them: summary, chart, tables and exports all read the same (masked) data."""
        data = self.query(scope, territory, options)
        if options.hide_small_counts:
            data = hide_small_counts(data)
        return Result(data, self.tables(data), self.chart(data), getattr(data, "page", None))


def _hours(scope: Scope, territory: Territory, options: Options):
    return hours_report(scope, territory, options.group, options.page)


def _warnings(scope: Scope, territory: Territory, options: Options):
    return lagging_lots(scope, territory, tolerance=options.tolerance, page=options.page)


REPORTS = [
    Report("entonnoir", "funnel", "Entonnoir de recrutement",
           "De l'orientation à l'emploi au suivi à 6 mois, étape par étape, avec les taux de passage.",
           LOTS + PEOPLE + PERIOD, lambda scope, territory, options: funnel(scope),
           lambda data: [tables.funnel_table(data)], charts.funnel_chart,
           "La période porte sur la date d'orientation des personnes."),
    Report("heures", "hours", "Heures d'insertion",
           "Heures réalisées et validées face aux objectifs, par lot, marché, acheteur, entreprise, année ou mode ; "
           "équivalents temps plein.", LOTS + PEOPLE + PERIOD + ("mode",), _hours,
           lambda data: [tables.hours_table(data)], charts.hours_chart,
           "La période porte sur le mois des heures ; les lots affichés sont ceux qui ont des heures ou courent "
           "pendant la période."),
    Report("publics", "publics", "Publics touchés",
           "Femmes, jeunes, seniors, résidents QPV et du territoire, RQTH, RSA : parmi les participants et en "
           "heures, face aux objectifs du territoire.", LOTS + PEOPLE + PERIOD + ("mode",),
           lambda scope, territory, options: publics_report(scope, territory),
           lambda data: [tables.publics_table(data)], charts.publics_chart,
           "La période retient les personnes dont un contrat a couru pendant celle-ci, et leurs heures de la période."),
    Report("sorties", "outcomes", "Sorties et suivi à 6 mois",
           "Les sorties par catégorie et par situation, et la part des personnes en emploi six mois après.",
           LOTS + PEOPLE + PERIOD + ("mode",),
           lambda scope, territory, options: outcomes_report(scope, territory.exit_convention),
           lambda data: [*tables.outcomes_tables(data), tables.follow_up_table(data)], charts.outcomes_chart,
           "La période porte sur la date de sortie."),
    Report("alertes", "warnings", "Alertes : lots en retard",
           "Les lots en cours dont les heures réalisées sont en retard sur le rythme nécessaire pour atteindre "
           "l'objectif, avec le retard en heures.", LOTS, _warnings, lambda data: [tables.warnings_table(data)],
           charts.warnings_chart),
    Report("clauses", "clause-share", "Part des marchés avec clause sociale",
           "Pour un acheteur ou tout le territoire, la part des marchés notifiés chaque année qui comportent "
           "une clause sociale (indicateur du SPASER).", ("acheteur",) + PERIOD,
           lambda scope, territory, options: clause_share(scope),
           lambda data: [tables.clause_share_table(data)], charts.clause_share_chart,
           "La période porte sur la date de notification des marchés."),
]
BY_SLUG = {report.slug: report for report in REPORTS}
BY_NAME = {report.name: report for report in REPORTS}
HOURS_GROUPS = GROUPS
