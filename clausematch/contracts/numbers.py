"""Numbers as French people type them: "1 000 000", "5,5", "30 €", "50 %"."""
import re
from decimal import Decimal, InvalidOperation

_NOISE = re.compile(r"[\s\u00a0\u202f€%]")


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
    if not value.is_finite():
        raise ValueError(text)
    return value


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
