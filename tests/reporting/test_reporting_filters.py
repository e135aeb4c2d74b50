"""The scope read from a query string (or CLI options): bad values ignored, a buyer user's scope
forced to their buyer, periods combined, report options parsed with safe defaults."""
from datetime import date
from decimal import Decimal

from werkzeug.datastructures import MultiDict

from clausematch.reporting.filters import Scope, forced_for_buyer, restricted, scope_from_args
from clausematch.reporting.services import user_options
from clausematch.vocabulary import Mode


def test_values_that_do_not_parse_are_ignored():
    scope = scope_from_args({"acheteur": "abc", "marche": "-3", "annee": "1789", "du": "32/13/2025",
                             "mode": "teleportation", "programme": "7"}, territory_id=1)
    assert scope == Scope(territory_id=1, programme_id=7)


def test_query_args_round_trip():
    scope = Scope(territory_id=1, buyer_id=2, lot_id=3, year=2024, date_from=date(2024, 3, 1), mode=Mode.ETTI)
    assert scope_from_args(scope.query_args(), territory_id=1) == scope


def test_year_and_dates_combine_into_one_period():
    assert Scope(1, year=2024).period == (date(2024, 1, 1), date(2024, 12, 31))
    assert Scope(1, year=2024, date_from=date(2024, 6, 1)).period == (date(2024, 6, 1), date(2024, 12, 31))
    assert Scope(1, date_to=date(2023, 5, 31)).period == (None, date(2023, 5, 31))


def test_a_buyer_is_forced_and_unread_filters_dropped():
    asked = scope_from_args({"acheteur": "9", "mode": "direct", "programme": "4"}, territory_id=1)
    assert forced_for_buyer(asked, 5).buyer_id == 5 and forced_for_buyer(asked, None).buyer_id == 9
    assert restricted(asked, ("acheteur", "annee")) == Scope(1, buyer_id=9)


def test_report_options(personas):
    facilitator, buyer = personas["facilitator"], personas["buyer"]
    options = user_options(facilitator, MultiDict({"par": "annee", "tolerance": "35", "page": "3"}), paged=True)
    assert (options.group, options.tolerance, options.page) == ("annee", Decimal("0.35"), 3)
    fallback = user_options(facilitator, MultiDict({"par": "x", "tolerance": "NaN", "page": "zéro"}), paged=True)
    assert (fallback.group, fallback.tolerance, fallback.page) == ("lot", Decimal("0.20"), 1)
    assert user_options(facilitator, MultiDict({"tolerance": "150", "page": "2"}), paged=False).page is None
    assert user_options(facilitator, MultiDict({"tolerance": "150"}), paged=False).tolerance == Decimal("0.20")
    assert not options.hide_small_counts
    assert user_options(buyer, MultiDict(), paged=True).hide_small_counts
