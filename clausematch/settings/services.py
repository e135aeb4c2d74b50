"""Read and change the settings of the acting facilitator's territory."""
from dataclasses import dataclass
from decimal import Decimal

from clausematch import audit, versioning
from clausematch.accounts.models import Territory, User
from clausematch.contracts.permissions import can_manage_contracts, territory_of
from clausematch.database import lock
from clausematch.errors import Collector, DomainError, NotAllowed, parsed
from clausematch.extensions import db
from clausematch.formats import format_number, parse_email, percent_to_share
from clausematch.vocabulary import ExitConvention

MAX_VALIDITY_MONTHS = 60
MAX_HOURLY_COST = Decimal("999999.99")
MAX_CDI_LUMP_HOURS = 100_000
# The retention settings: field -> (lowest, highest, the French sentence of its refusal).
RETENTION_LIMITS = {
    "inactivity_months": (1, 120, "La durée d'inactivité avant anonymisation s'exprime en mois, entre 1 et 120."),
    "accountability_years": (1, 30, "La durée de conservation des contrats et des heures s'exprime en années, "
                                    "entre 1 et 30."),
    "access_log_months": (1, 120, "La durée de conservation du journal des accès s'exprime en mois, entre 1 et 120."),
}
MAX_CONTROLLER_NAME = 200
MAX_CONTROLLER_ADDRESS = 300
TARGET_FIELDS = ("target_women_share", "target_under_26_share", "target_over_50_share", "target_qpv_share",
                 "target_local_share")


@dataclass(frozen=True)
class SettingsInput:
    """Shares as typed, in percent (50 for 50 %); targets None when the territory sets none."""

    eligibility_validity_months: int
    default_labour_share: Decimal
    default_insertion_rate: Decimal
    default_hourly_cost: Decimal
    count_training_hours: bool
    cdi_lump_hours: int | None
    globalise_across_lots: bool
    exit_convention: str = ExitConvention.DGEFP.value
    target_women_share: Decimal | None = None
    target_under_26_share: Decimal | None = None
    target_over_50_share: Decimal | None = None
    target_qpv_share: Decimal | None = None
    target_local_share: Decimal | None = None
    controller_name: str | None = None
    controller_address: str | None = None
    dpo_email: str | None = None
    inactivity_months: int = 24
    accountability_years: int = 5
    access_log_months: int = 12


def territory_for(actor: User) -> Territory:
    if not can_manage_contracts(actor):
        raise NotAllowed("Seul un facilitateur peut modifier les paramètres du territoire.")
    return db.session.get(Territory, territory_of(actor))


def update_settings(actor: User, data: SettingsInput, version: int | None = None) -> Territory:
    """Save the settings in one unit of work: the territory row locked, the rules checked, and
    the form's `version` claimed (versioning.py: a save over a newer one is refused)."""
    territory = territory_for(actor)
    lock(db.session, Territory, territory.id)
    check_settings(data)
    territory.eligibility_validity_months = data.eligibility_validity_months
    territory.default_labour_share = percent_to_share(data.default_labour_share)
    territory.default_insertion_rate = percent_to_share(data.default_insertion_rate)
    territory.default_hourly_cost = data.default_hourly_cost
    territory.count_training_hours = data.count_training_hours
    territory.cdi_lump_hours = data.cdi_lump_hours
    territory.globalise_across_lots = data.globalise_across_lots
    territory.exit_convention = ExitConvention(data.exit_convention)
    for name in TARGET_FIELDS:
        setattr(territory, name, percent_to_share(getattr(data, name)))
    territory.controller_name = _text(data.controller_name)
    territory.controller_address = _text(data.controller_address)
    territory.dpo_email = parse_email(data.dpo_email)
    for name in RETENTION_LIMITS:
        setattr(territory, name, getattr(data, name))
    versioning.claim(territory, version)
    audit.record("territory_settings_updated", "territory", territory.id, actor_id=actor.id)
    db.session.commit()
    return territory


def check_settings(data: SettingsInput) -> None:
    """Every rule of the settings form, all refusals at once (one FieldErrors); reads nothing."""
    collect = Collector()
    if data.exit_convention not in {convention.value for convention in ExitConvention}:
        collect.add("Choisissez comment compter les sorties positives.", field="exit_convention")
    months = data.eligibility_validity_months
    if months is None or not 1 <= months <= MAX_VALIDITY_MONTHS:
        collect.add(f"La durée de validité s'exprime en mois, entre 1 et {MAX_VALIDITY_MONTHS}.",
                    field="eligibility_validity_months")
    collect(_percent, data.default_labour_share, "default_labour_share", "La part de main-d'œuvre",
            zero_allowed=False)
    collect(_percent, data.default_insertion_rate, "default_insertion_rate", "Le taux d'insertion",
            zero_allowed=False)
    cost = data.default_hourly_cost
    if cost is None or cost <= 0 or cost > MAX_HOURLY_COST or cost != cost.quantize(Decimal("0.01")):
        collect.add("Le coût horaire est un montant en euros supérieur à 0 (2 décimales au plus).",
                    field="default_hourly_cost")
    lump = data.cdi_lump_hours
    if lump is not None and not 1 <= lump <= MAX_CDI_LUMP_HOURS:
        collect.add(f"Le forfait d'heures pour un CDI est un nombre d'heures entre 1 et "
                    f"{format_number(MAX_CDI_LUMP_HOURS)} (laissez vide pour ne pas en appliquer).",
                    field="cdi_lump_hours")
    for name in TARGET_FIELDS:
        value = getattr(data, name)
        if value is not None:
            collect(_percent, value, name, "Un objectif", zero_allowed=True)
    if len(_text(data.controller_name) or "") > MAX_CONTROLLER_NAME:
        collect.add(f"Le nom du responsable du traitement compte au plus {MAX_CONTROLLER_NAME} caractères.",
                    field="controller_name")
    if len(_text(data.controller_address) or "") > MAX_CONTROLLER_ADDRESS:
        collect.add(f"L'adresse du responsable du traitement compte au plus {MAX_CONTROLLER_ADDRESS} caractères.",
                    field="controller_address")
    collect(parsed, parse_email, data.dpo_email, "dpo_email")
    for name, (low, high, message) in RETENTION_LIMITS.items():
        value = getattr(data, name)
        if value is None or not low <= value <= high:
            collect.add(message, field=name)
    collect.raise_if_any()


def _text(value: str | None) -> str | None:
    """A typed line as stored: trimmed, None when empty."""
    return (value or "").strip() or None


def _percent(value: Decimal | None, field_name: str, what: str, zero_allowed: bool) -> None:
    low_ok = value is not None and (value >= 0 if zero_allowed else value > 0)
    if not low_ok or value > 100:
        bounds = "entre 0 et 100" if zero_allowed else "supérieur à 0 et au plus 100"
        raise DomainError(f"{what} est un pourcentage {bounds}.", field=field_name)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(f"{what} s'exprime avec 2 décimales au plus (par exemple 5,25).", field=field_name)
