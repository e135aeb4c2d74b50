"""Reports for the acting user: the scope read from plain arguments, narrowed to what the user
may see (their territory; their own contracts for a buyer), then one report run. Read-only."""
from dataclasses import dataclass
from decimal import Decimal

from clausematch.accounts.models import Territory, User
from clausematch.database import today
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.formats import parse_decimal
from clausematch.reporting import exports
from clausematch.reporting.choices import Choices, describe, filter_choices
from clausematch.reporting.filters import Scope, forced_for_buyer, positive_int, restricted, scope_from_args
from clausematch.reporting.permissions import can_view_reports, forced_buyer, sees_small_counts
from clausematch.reporting.queries.warnings import DEFAULT_TOLERANCE
from clausematch.reporting.reports import BY_SLUG, HOURS_GROUPS, Options, Report, Result

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": exports.XLSX_MIMETYPE}


@dataclass(frozen=True)
class ReportPage:
    report: Report
    scope: Scope
    options: Options
    result: Result
    choices: Choices
    about: list[tuple[str, str]]
    buyer_forced: bool

    @property
    def query(self) -> dict[str, str]:
        """The page's arguments, for exports, pagination and shareable links."""
        args = self.scope.query_args()
        if "acheteur" in args and self.buyer_forced:
            del args["acheteur"]  # forced anyway; the link stays the same for every buyer user
        if self.report.slug == "heures":
            args["par"] = self.options.group
        if self.report.slug == "alertes":
            args["tolerance"] = format((self.options.tolerance * 100).normalize(), "f")
        return args


@dataclass(frozen=True)
class Download:
    filename: str
    mimetype: str
    content: bytes


def user_territory(user: User) -> Territory:
    """The territory whose reports the user reads; NotAllowed for anyone else."""
    if not can_view_reports(user):
        raise NotAllowed("Les rapports sont réservés aux facilitateurs et aux acheteurs publics.")
    return user.organisation.territory


def user_scope(user: User, args, report: Report) -> Scope:
    territory = user_territory(user)
    scope = restricted(scope_from_args(args, territory.id), report.filters)
    return forced_for_buyer(scope, forced_buyer(user))


def user_options(user: User, args, *, paged: bool) -> Options:
    """Grouping (hours), tolerance in percent (warnings) and page, bad values falling back to
    defaults; small counts of people masked unless the user sees them."""
    group = args.get("par") or "lot"
    page = (positive_int(args.get("page")) or 1) if paged else None
    return Options(group=group if group in HOURS_GROUPS else "lot", tolerance=_tolerance(args.get("tolerance")),
                   page=page, hide_small_counts=not sees_small_counts(user))


def _tolerance(raw) -> Decimal:
    try:
        percent = parse_decimal(str(raw or ""))
    except ValueError:  # not a number, infinite or beyond what anyone types ("1e9999999")
        percent = None
    valid = percent is not None and Decimal(0) <= percent <= Decimal(100)
    return percent / 100 if valid else DEFAULT_TOLERANCE


def report_page(user: User, slug: str, args) -> ReportPage:
    """One page of a report, with the filter options and the words for its scope."""
    report = BY_SLUG[slug]
    scope = user_scope(user, args, report)
    options = user_options(user, args, paged=True)
    territory = db.session.get(Territory, scope.territory_id)
    result = report.run(scope, territory, options)
    buyer_forced = forced_buyer(user) is not None
    return ReportPage(report, scope, options, result, filter_choices(scope, buyer_forced), describe(scope),
                      buyer_forced)


def report_download(user: User, slug: str, args, fmt: str) -> Download:
    """The whole report (every line) as a CSV or XLSX file."""
    report = BY_SLUG[slug]
    scope = user_scope(user, args, report)
    options = user_options(user, args, paged=False)
    result = report.run(scope, db.session.get(Territory, scope.territory_id), options)
    filename = f"rapport-{report.slug}-{today().isoformat()}.{fmt}"
    if fmt == "csv":
        return Download(filename, FORMATS[fmt], exports.csv_text(result.tables).encode("utf-8"))
    return Download(filename, FORMATS[fmt], exports.xlsx_bytes(result.tables, describe(scope)))
