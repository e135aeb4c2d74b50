"""French formats, in one place: numbers, percentages, dates and months as people read them,
and numbers as they type them ("1 000 000", "5,5", "30 €", "50 %").

No locale dependency: the server's locale is not French, so separators are written here.
"""
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")
NARROW_NBSP = "\u202f"  # thousands separator
NBSP = "\u00a0"  # before %, h, ms

_NOISE = re.compile(r"[\s\u00a0\u202f€%]")
# Integer columns (ids included) are 32-bit: PostgreSQL's INTEGER, the smaller of the two databases'.
MAX_INTEGER = 2**31 - 1
# A typed decimal is refused beyond these (wider than every Numeric column, which its service
# checks further): Decimal arithmetic on them can neither overflow nor lose the integer part.
MAX_DECIMAL = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 10


def parse_decimal(text: str | None) -> Decimal | None:
    """Decimal from French input (comma or dot as decimal separator, spaces as thousands
    separators); None for an empty input. Raises ValueError when it is not a number."""
    cleaned = _NOISE.sub("", text or "")
    if not cleaned:
        return None
    if "," in cleaned:
        if "." in cleaned:  # "1.000,50": dots were thousands separators
            cleaned = cleaned.replace(".", "")
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite() or value.copy_abs() >= MAX_DECIMAL:
        raise ValueError(text)
    if _decimal_places(value) > MAX_DECIMAL_PLACES:
        raise ValueError(text)
    exponent = value.as_tuple().exponent
    if exponent > 0:  # "1e5" → 100000
        return value.quantize(Decimal(1))
    return value if exponent >= -MAX_DECIMAL_PLACES else value.quantize(Decimal(1).scaleb(-MAX_DECIMAL_PLACES))


def _decimal_places(value: Decimal) -> int:
    """Significant decimals: 1.50000 → 1, 0.000 → 0, 1E-12 → 12."""
    _, digits, exponent = value.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    return max(0, -(exponent + len(digits) - len(significant))) if significant else 0


def parse_int(text, minimum: int = -MAX_INTEGER, maximum: int = MAX_INTEGER) -> int | None:
    """An integer typed or read from a link, within [minimum, maximum] (an integer column's range
    by default); None when empty, not an integer, or out of range."""
    cleaned = str(text).strip() if text is not None else ""
    if not cleaned or len(cleaned) > 20 or not cleaned.lstrip("+-").isascii():
        return None
    try:
        value = int(cleaned)
    except ValueError:
        return None
    return value if minimum <= value <= maximum else None


def parse_id(text) -> int | None:
    """A record's id from a link or a form (1 to MAX_INTEGER); None otherwise."""
    return parse_int(text, 1, MAX_INTEGER)


def percent_to_share(percent: Decimal | None) -> Decimal | None:
    """50 (%) → 0.5, the way shares are stored."""
    return None if percent is None else percent / Decimal(100)


def share_to_percent(share: Decimal | None) -> Decimal | None:
    """0.5 → 50 for display in a form, without trailing zeros (50, 5.5)."""
    if share is None:
        return None
    value = Decimal(share) * 100
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def format_decimal_fr(value: Decimal | None) -> str:
    """A Decimal as typed back into a French form: "5,5", "1000000" (no thousands separator,
    so the value round-trips through parse_decimal unchanged)."""
    if value is None:
        return ""
    value = Decimal(value)
    text = format(value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize(), "f")
    return text.replace(".", ",")


def format_number(value, decimals: int = 0) -> str:
    """French number format: narrow no-break space for thousands, comma for decimals; "—" for None."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def format_percent(value, decimals: int = 0) -> str:
    """A share as a percentage: 0.5 → "50 %"; "—" for None."""
    if value is None:
        return "—"
    return f"{format_number(float(value) * 100, decimals)}{NBSP}%"


def format_fixed(value, places: int) -> str:
    """A number with exactly `places` decimals and no thousands separator (exports): "12,50"."""
    return f"{value:.{places}f}".replace(".", ",")


def format_compact(value) -> str:
    """A number without trailing zeros and no thousands separator: 35 → "35", 17.5 → "17,5"."""
    return format(Decimal(str(value)).normalize(), "f").replace(".", ",")


def format_hours(value: Decimal | None) -> str:
    """151.67 → "151,67", 35 → "35" (French, no trailing zeros); empty for None."""
    if value is None:
        return ""
    value = Decimal(value)
    return format_number(value, 0 if value == value.to_integral_value() else 2)


def format_date(value) -> str:
    """"05/03/2025", or "05/03/2025 14:30" for a moment; "—" for None."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def month_label(month: date) -> str:
    """"mars 2025"."""
    return f"{MONTHS[month.month - 1]} {month.year}"


def month_key(month: date) -> str:
    """2025-03-01 → "2025-03" (URLs, CSV, audit details)."""
    return f"{month.year:04d}-{month.month:02d}"


def plural(count: int, word: str) -> str:
    """"1 valeur", "3 valeurs"."""
    return f"{count} {word}{'s' if count > 1 else ''}"


# --- Phones and e-mail addresses: one rule for every form and import --------------------------

PHONE_MESSAGE = ("Numéro de téléphone invalide : 10 chiffres, par exemple 06 12 34 56 78 ou +33 6 12 34 56 78 "
                 "(un numéro étranger commence par + et l'indicatif du pays).")
EMAIL_MESSAGE = "Adresse électronique invalide, par exemple prenom.nom@exemple.fr."
MAX_EMAIL_LENGTH = 254
# What people write around the digits: spaces, dots, dashes, slashes, "(0)".
_PHONE_TYPING = re.compile(r"\+?[\d\s.\-/()\u00a0\u202f]+")
_NOT_DIGITS = re.compile(r"\D")
_FRENCH_PHONE = re.compile(r"0[1-9]\d{8}")
_FOREIGN_PHONE = re.compile(r"\+\d{8,15}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, French international prefix written the national way: "+33 6 12-34" → "0612…".
    Other international numbers keep their "+". Lenient (a search or duplicate lookup); a typed
    value to store goes through `parse_phone`."""
    raw = (raw or "").strip()
    if not raw:
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if raw.startswith("+") or raw.startswith("00"):
        digits = digits[2:] if raw.startswith("00") else digits
        if digits.startswith("33"):
            return "0" + digits[2:].removeprefix("0")
        return "+" + digits if digits else None
    return digits or None


def parse_phone(text: str | None) -> str | None:
    """A typed phone number as stored ("06 12 34 56 78", "06.12.34.56.78", "+33 (0)6 12 34 56 78"
    → "0612345678"; "+44 20 7946 0958" → "+442079460958"); None when empty; ValueError
    (PHONE_MESSAGE) for anything else: letters, too few or too many digits."""
    raw = (text or "").strip()
    if not raw:
        return None
    phone = normalise_phone(raw) if _PHONE_TYPING.fullmatch(raw) else None
    if phone is None or not (_FRENCH_PHONE.fullmatch(phone) or _FOREIGN_PHONE.fullmatch(phone)):
        raise ValueError(PHONE_MESSAGE)
    return phone


def format_phone(value: str | None) -> str:
    """A stored phone shown by pairs: "0612345678" → "06 12 34 56 78"; others as stored."""
    if value and _FRENCH_PHONE.fullmatch(value):
        return " ".join(value[i:i + 2] for i in range(0, 10, 2))
    return value or ""


def parse_email(text: str | None) -> str | None:
    """A typed e-mail address as stored (trimmed, lower case); None when empty; ValueError
    (EMAIL_MESSAGE) when it is not of the form name@domain.tld or longer than 254 characters."""
    email = (text or "").strip().lower()
    if not email:
        return None
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        raise ValueError(EMAIL_MESSAGE)
    return email
