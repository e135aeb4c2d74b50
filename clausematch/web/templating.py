"""What every template can use: enums, navigation by role, French formats."""
from dataclasses import dataclass
from decimal import Decimal

from flask import Flask, request, url_for
from flask_login import current_user

from clausematch import vocabulary
from clausematch.accounts.models import Role
from clausematch.formats import format_date, format_number, format_percent, format_phone, month_label
from clausematch.referential import certificates
from clausematch.reporting.masking import is_small


def number(value, decimals: int = 0) -> str:
    """The `number` filter: French format, and "< 5" for a masked count of people."""
    return str(value) if is_small(value) else format_number(value, decimals)


def control_kind(field) -> str:
    """How the form macro lays out a WTForms field: hidden, group (radios, checkbox lists),
    checkbox, or a plain labelled control."""
    from wtforms.widgets import ListWidget

    if field.type in ("HiddenField", "CSRFTokenField"):
        return "hidden"
    if field.type == "RadioField" or isinstance(field.widget, ListWidget):
        return "group"
    if field.type == "BooleanField":
        return "checkbox"
    return "control"


# --- Navigation ------------------------------------------------------------------------------
# The main navigation of each role, as (endpoint, label); a mistyped endpoint fails every page.
ANONYMOUS_NAV = [("main.index", "Accueil"), ("board.search", "Offres"), ("accounts.login", "Se connecter")]
ROLE_NAV: dict[Role, list[tuple[str, str]]] = {
    Role.FACILITATOR: [("main.facilitator_home", "Tableau de bord"), ("board.search", "Bourse publique"),
                       ("candidates.index", "Personnes"), ("applications.territory_list", "Orientations"),
                       ("events.event_list", "Événements"),
                       ("candidate_review.eligibility_queue", "Éligibilités"),
                       ("candidate_review.duplicates", "Doublons"),
                       ("hours_review.pending", "Heures à valider"), ("pathways.contract_list", "Contrats de travail"),
                       ("pathways.follow_up_list", "Suivis à 6 mois"), ("directory.search", "Annuaire de l'inclusion"),
                       ("reporting.index", "Rapports"),
                       ("accounts.invitations", "Invitations"), ("imports.index", "Importer")],
    Role.PRESCRIBER: [("main.prescriber_home", "Mon espace"), ("candidates.index", "Mes candidats"),
                      ("board.search", "Offres"), ("applications.orient", "Orienter un candidat"),
                      ("applications.prescriber_list", "Mes orientations"), ("events.event_list", "Événements"),
                      ("directory.search", "Annuaire de l'inclusion")],
    Role.COMPANY: [("main.company_home", "Mon espace"), ("company_applications.index", "Candidatures reçues"),
                    ("hours.declare", "Heures d'insertion"), ("pathways.contract_list", "Contrats de travail"),
                    ("directory.search", "Annuaire de l'inclusion")],
    Role.BUYER: [("main.buyer_home", "Mon espace"), ("reporting.index", "Rapports"),
                 ("directory.search", "Annuaire de l'inclusion")],
    Role.ADMIN: [("main.admin_home", "Administration"), ("admin_users.people", "Comptes"),
                 ("accounts.invitations", "Invitations"),
                 ("admin.jobs", "Tâches planifiées")],
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


def nav_items() -> list[NavItem]:
    """The main navigation for the current user: anonymous links or their role's links."""
    if current_user.is_authenticated:
        targets = ROLE_NAV.get(current_user.role, [])
    else:
        targets = ANONYMOUS_NAV
    return [NavItem(label=label, url=url_for(endpoint), current=request.endpoint == endpoint)
            for endpoint, label in targets]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["percent"] = format_percent
    app.jinja_env.filters["date_fr"] = format_date
    app.jinja_env.filters["phone"] = format_phone
    app.jinja_env.globals["month_label"] = month_label
    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["certificate_labels"] = certificates.as_text
    app.jinja_env.filters["control_kind"] = control_kind

    @app.context_processor
    def inject_globals():
        return {"Role": Role, "vocabulary": vocabulary, "Decimal": Decimal}
