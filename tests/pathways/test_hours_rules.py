"""The rules of one monthly value: French numbers, bounds, months, contract dates."""
from datetime import date
from decimal import Decimal

import pytest

from clausematch.pathways.hours_rules import (
    HoursValueError,
    check_month_declarable,
    check_month_in_contract,
    month_end,
    parse_hours,
    parse_month,
    previous_month,
)
from clausematch.pathways.models import EmploymentContract


@pytest.mark.parametrize(("text", "expected"), [
    ("151,67", Decimal("151.67")), ("151.67", Decimal("151.67")), (" 35 ", Decimal("35")), ("35 h", Decimal("35")),
    ("0", Decimal("0")), ("230", Decimal("230")), ("230,00", Decimal("230")), ("", None), ("   ", None),
])
def test_hours_are_read_the_french_way(text, expected):
    assert parse_hours(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("-1", "Le nombre d'heures ne peut pas être négatif."),
    ("-0,5", "Le nombre d'heures ne peut pas être négatif."),
    ("250", "250 heures dépasse le maximum de 230 h par mois."),
    ("230,01", "230,01 heures dépasse le maximum de 230 h par mois."),
    ("12,345", "Deux décimales au plus (exemple : 151,67)."),
    ("douze", "« douze » n'est pas un nombre d'heures (exemple : 151,67)."),
    ("1,2,3", "« 1,2,3 » n'est pas un nombre d'heures (exemple : 151,67)."),
])
def test_implausible_hours_are_refused_with_a_french_message(text, message):
    with pytest.raises(HoursValueError) as refused:
        parse_hours(text)
    assert refused.value.message == message


@pytest.mark.parametrize("text", ["2025-03", "03/2025", "3/2025", "01/03/2025", "2025-03-01", "mars 2025",
                                  "mars-25", "Mars 2025"])
def test_months_in_the_formats_people_and_excel_write(text):
    assert parse_month(text) == date(2025, 3, 1)


@pytest.mark.parametrize("text", ["2025-13", "13/2025", "2025", "mars", "hier", "1890-01", ""])
def test_unreadable_months_are_refused(text):
    with pytest.raises(HoursValueError, match="format AAAA-MM ou MM/AAAA"):
        parse_month(text)


def test_month_arithmetic():
    assert month_end(date(2024, 2, 1)) == date(2024, 2, 29)
    assert month_end(date(2025, 12, 1)) == date(2025, 12, 31)
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)


def test_a_month_outside_the_contract_dates_is_refused():
    contract = EmploymentContract(start_date=date(2025, 3, 15), planned_end_date=date(2025, 6, 10),
                                               end_date=None)
    check_month_in_contract(contract, date(2025, 3, 1))  # started during the month: fine
    check_month_in_contract(contract, date(2025, 6, 1))  # ends during the month: fine
    with pytest.raises(HoursValueError, match="commence le 15/03/2025 : pas d'heures en février 2025"):
        check_month_in_contract(contract, date(2025, 2, 1))
    with pytest.raises(HoursValueError, match=r"se termine \(fin prévue\) le 10/06/2025 : pas d'heures en juillet"):
        check_month_in_contract(contract, date(2025, 7, 1))
    contract.end_date = date(2025, 4, 30)  # ended earlier than planned: the actual end rules
    with pytest.raises(HoursValueError, match="s'est terminé le 30/04/2025 : pas d'heures en mai 2025"):
        check_month_in_contract(contract, date(2025, 5, 1))


def test_an_open_ended_contract_accepts_any_later_month():
    contract = EmploymentContract(start_date=date(2025, 3, 1), planned_end_date=None, end_date=None)
    check_month_in_contract(contract, date(2030, 1, 1))


def test_hours_of_a_month_not_begun_are_refused():
    check_month_declarable(date(2026, 11, 1), today=date(2026, 11, 1))
    with pytest.raises(HoursValueError, match="Décembre 2026 n'a pas commencé"):
        check_month_declarable(date(2026, 12, 1), today=date(2026, 11, 30))
