"""The reports: what each is called (URL and command line), which filters it reads, and how it
runs — the query, its tables and its chart. Pages, exports and the CLI all go through `run`."""
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from clausematch.accounts.models import Territory
from clausematch.pagination import Page
from clausematch.reporting import charts, tables
from clausematch.reporting.filters import Scope
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
    """Settings of one run besides the scope. `page` None: every line (exports, CLI)."""

    group: str = "lot"
    tolerance: Decimal = DEFAULT_TOLERANCE
    page: int | None = None


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
    runner: Callable[[Scope, Territory, Options], Result]
    period_help: str = ""  # what the year or dates filter on, for people

    def run(self, scope: Scope, territory: Territory, options: Options = Options()) -> Result:
        return self.runner(scope, territory, options)


def _funnel(scope: Scope, territory: Territory, options: Options) -> Result:
    data = funnel(scope)
    return Result(data, [tables.funnel_table(data)], charts.funnel_chart(data))


def _hours(scope: Scope, territory: Territory, options: Options) -> Result:
    data = hours_report(scope, territory, options.group, options.page)
    return Result(data, [tables.hours_table(data)], charts.hours_chart(data), data.page)


def _publics(scope: Scope, territory: Territory, options: Options) -> Result:
    data = publics_report(scope, territory)
    return Result(data, [tables.publics_table(data)], charts.publics_chart(data))


def _outcomes(scope: Scope, territory: Territory, options: Options) -> Result:
    data = outcomes_report(scope)
    return Result(data, [tables.outcomes_table(data), tables.follow_up_table(data)], charts.outcomes_chart(data))


def _warnings(scope: Scope, territory: Territory, options: Options) -> Result:
    data = lagging_lots(scope, territory, tolerance=options.tolerance, page=options.page)
    return Result(data, [tables.warnings_table(data)], charts.warnings_chart(data), data.page)


def _clause_share(scope: Scope, territory: Territory, options: Options) -> Result:
    data = clause_share(scope)
    return Result(data, [tables.clause_share_table(data)], charts.clause_share_chart(data))


REPORTS = [
    Report("entonnoir", "funnel", "Entonnoir de recrutement",
           "De l'orientation à l'emploi au suivi à 6 mois, étape par étape, avec les taux de passage.",
           LOTS + PEOPLE + PERIOD, _funnel, "La période porte sur la date d'orientation des personnes."),
    Report("heures", "hours", "Heures d'insertion",
           "Heures réalisées et validées face aux objectifs, par lot, marché, acheteur, entreprise, année ou mode ; "
           "équivalents temps plein.", LOTS + PEOPLE + PERIOD + ("mode",), _hours,
           "La période porte sur le mois des heures ; les lots affichés sont ceux qui ont des heures ou courent "
           "pendant la période."),
    Report("publics", "publics", "Publics touchés",
           "Femmes, jeunes, seniors, résidents QPV et du territoire, RQTH, RSA : parmi les participants et en "
           "heures, face aux objectifs du territoire.", LOTS + PEOPLE + PERIOD + ("mode",), _publics,
           "La période retient les personnes dont un contrat a couru pendant celle-ci, et leurs heures de la période."),
    Report("sorties", "outcomes", "Sorties et suivi à 6 mois",
           "Les sorties par catégorie et par situation, et la part des personnes en emploi six mois après.",
           LOTS + PEOPLE + PERIOD + ("mode",), _outcomes, "La période porte sur la date de sortie."),
    Report("alertes", "warnings", "Alertes : lots en retard",
           "Les lots en cours dont les heures réalisées sont en retard sur le rythme nécessaire pour atteindre "
           "l'objectif, avec le retard en heures.", LOTS, _warnings),
    Report("clauses", "clause-share", "Part des marchés avec clause sociale",
           "Pour un acheteur ou tout le territoire, la part des marchés notifiés chaque année qui comportent "
           "une clause sociale (indicateur du SPASER).", ("acheteur",) + PERIOD, _clause_share,
           "La période porte sur la date de notification des marchés."),
]
BY_SLUG = {report.slug: report for report in REPORTS}
BY_NAME = {report.name: report for report in REPORTS}
HOURS_GROUPS = GROUPS
