"""SIRET checks: length, Luhn checksum, La Poste's exception, French messages."""
import pytest

from clausematch.contracts.siret import MESSAGE_CHECKSUM, MESSAGE_LENGTH, normalise_siret, siret_error
from clausematch.formats import format_decimal_fr, parse_decimal, share_to_percent


@pytest.mark.parametrize("typed", ["73282932000074", "732 829 320 00074", "732.829.320.00074", "732-829-320-00074"])
def test_a_valid_siret_is_accepted_whatever_the_separators(typed):
    assert siret_error(normalise_siret(typed)) is None


@pytest.mark.parametrize("typed", ["7328293200007", "732829320000745", "7328293200007A", ""])
def test_a_siret_without_14_digits_says_so(typed):
    assert siret_error(normalise_siret(typed)) == MESSAGE_LENGTH
    assert "14 chiffres" in MESSAGE_LENGTH


def test_a_wrong_checksum_is_told_apart_from_a_wrong_length():
    # One digit changed from a valid SIRET: still 14 digits, checksum broken.
    assert siret_error("73282932000075") == MESSAGE_CHECKSUM
    assert "clé de contrôle" in MESSAGE_CHECKSUM


def test_la_poste_sirets_follow_their_own_rule():
    # La Poste establishments (SIREN 356000000) fail Luhn but their digits add up to a multiple of 5.
    assert siret_error("35600000049837") is None
    assert siret_error("35600000000048") is None  # the head office passes Luhn anyway
    assert siret_error("35600000012345") == MESSAGE_CHECKSUM  # neither rule


def test_the_la_poste_rule_does_not_open_other_sirens():
    # Digits adding up to 50 (a multiple of 5), Luhn wrong, but not La Poste's SIREN.
    assert sum(int(c) for c in "12345678900005") % 5 == 0
    assert siret_error("12345678900005") == MESSAGE_CHECKSUM


@pytest.mark.parametrize(("typed", "expected"), [
    ("5", "5"), ("5,5", "5.5"), ("1 000 000", "1000000"), ("1\u202f000\u00a0000,50", "1000000.50"),
    ("30 €", "30"), ("50 %", "50"), ("1.000,5", "1000.5"), ("12.5", "12.5"), ("", None)])
def test_french_numbers_are_understood(typed, expected):
    value = parse_decimal(typed)
    assert (str(value) if value is not None else None) == expected


@pytest.mark.parametrize("typed", ["cinq", "5,5,5", "1e", "NaN", "Infinity"])
def test_what_is_not_a_number_is_refused(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)


def test_shares_round_trip_as_percentages():
    from decimal import Decimal

    assert share_to_percent(Decimal("0.5000")) == Decimal("50")
    assert share_to_percent(Decimal("0.0550")) == Decimal("5.5")
    assert format_decimal_fr(Decimal("5.5")) == "5,5"
    assert format_decimal_fr(Decimal("1000000.00")) == "1000000"
