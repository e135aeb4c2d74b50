"""What every template can use: enums, navigation by role, French formats."""
from datetime import date, datetime
from decimal import Decimal

from flask import Flask

from clausematch import vocabulary
from clausematch.accounts.models import Role


def format_number(value, decimals: int = 0) -> str:
    """French number format: narrow no-break space for thousands, comma for decimals."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def format_percent(value, decimals: int = 0) -> str:
    if value is None:
        return "—"
    return f"{format_number(float(value) * 100, decimals)}\u00a0%"


def format_date(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["date_fr"] = format_date

    @app.context_processor
    def inject_globals():
        return {"Role": Role, "vocabulary": vocabulary, "Decimal": Decimal}
