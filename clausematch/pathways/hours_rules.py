"""The rules of one monthly hours value, shared by the grid and the CSV import: how a number is
read ("151,67"), the plausible bounds, months ("2025-03", "03/2025") and the contract's dates.

Pure functions, no database: every message is French and meant for the person who typed it.
"""
import re
from datetime import date, timedelta
from decimal import Decimal

from clausematch.formats import MONTHS, format_date, format_hours, month_label, parse_decimal
from clausematch.pathways.models import EmploymentContract

# Above this a monthly declaration is a typing mistake (a full-time month is ~151,67 h; 230 h
# leaves room for overtime). The database only refuses what is physically impossible.
MAX_MONTHLY_HOURS = Decimal(230)

# "2025-03" or "2025-03-01"; "03/2025" or "01/03/2025" (Excel turns months into dates).
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(?:-\d{1,2})?$")
_FRENCH_MONTH = re.compile(r"^(?:\d{1,2}/)?(\d{1,2})/(\d{4})$")
# "mars 2025", "mars-25" (Excel's French display of a month).
_NAMED_MONTH = re.compile(r"^([a-zéû]+)\.?[\s-]+(\d{2}|\d{4})$")
MONTH_NAMES = {name: number for number, name in enumerate(MONTHS, start=1)} | {
    "janv": 1, "fevr": 2, "févr": 2, "fevrier": 2, "avr": 4, "juil": 7, "aout": 8, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12, "déc": 12, "decembre": 12}


class HoursValueError(ValueError):
    """A value that cannot be accepted; `message` is French."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def parse_hours(text: str | None) -> Decimal | None:
    """Hours as typed: "151,67", "151.67", "35 h"; empty → None. Raises HoursValueError."""
    cleaned = (text or "").strip().removesuffix("h").removesuffix("H")
    try:
        value = parse_decimal(cleaned)
    except ValueError:
        raise HoursValueError(f"« {text.strip()} » n'est pas un nombre d'heures (exemple : 151,67).") from None
    if value is None:
        return None
    check_hours(value)
    return value.quantize(Decimal("0.01"))


def check_hours(value: Decimal) -> None:
    if value < 0:
        raise HoursValueError("Le nombre d'heures ne peut pas être négatif.")
    if value > MAX_MONTHLY_HOURS:
        raise HoursValueError(f"{format_hours(value)} heures dépasse le maximum de "
                              f"{format_hours(MAX_MONTHLY_HOURS)} h par mois.")
    if value != value.quantize(Decimal("0.01")):
        raise HoursValueError("Deux décimales au plus (exemple : 151,67).")


def parse_month(text: str | None) -> date:
    """The first day of the month written "2025-03", "03/2025", "01/03/2025" or "mars 2025".
    Raises HoursValueError."""
    text = (text or "").strip()
    year, month = _month_parts(text.lower())
    if year is None or not 1 <= month <= 12 or not 1990 <= year <= 2100:
        problem = f"« {text} » n'est pas un mois valide" if text else "Indiquez le mois"
        raise HoursValueError(f"{problem} (format AAAA-MM ou MM/AAAA, exemple : 2025-03).")
    return date(year, month, 1)


def _month_parts(text: str) -> tuple[int | None, int]:
    if match := _ISO_MONTH.match(text):
        return int(match.group(1)), int(match.group(2))
    if match := _FRENCH_MONTH.match(text):
        return int(match.group(2)), int(match.group(1))
    if (match := _NAMED_MONTH.match(text)) and match.group(1) in MONTH_NAMES:
        year = int(match.group(2))
        return (2000 + year if year < 100 else year), MONTH_NAMES[match.group(1)]
    return None, 0


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def contract_end(contract: EmploymentContract) -> date | None:
    """The last day hours may be declared: the actual end, else the planned one (None: open)."""
    return contract.end_date or contract.planned_end_date


def check_month_in_contract(contract: EmploymentContract, month: date) -> None:
    """The contract ran at least one day of `month`; else a French message naming the dates."""
    if contract.start_date > month_end(month):
        raise HoursValueError(f"Le contrat commence le {format_date(contract.start_date)} : "
                              f"pas d'heures en {month_label(month)}.")
    end = contract_end(contract)
    if end is not None and end < month:
        ended = "s'est terminé" if contract.end_date else "se termine (fin prévue)"
        raise HoursValueError(f"Le contrat {ended} le {format_date(end)} : pas d'heures en {month_label(month)}.")


def check_month_declarable(month: date, today: date) -> None:
    """Hours are declared once the month has begun, never in advance."""
    if month > today.replace(day=1):
        raise HoursValueError(f"{month_label(month).capitalize()} n'a pas commencé : "
                              "les heures se déclarent une fois le mois commencé.")
