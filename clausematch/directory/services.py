"""Edit an inclusive structure's directory profile: checked, locked, versioned and audited.

The company's row is locked first (database.lock): two first saves of the same structure cannot
both create a profile, and an edit re-reads the profile under the lock. The form names the
version it was loaded at (0 when there was no profile yet): saving over a newer one is refused
(versioning.claim)."""
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from clausematch import audit, versioning
from clausematch.accounts.models import Company, User
from clausematch.database import lock, utcnow
from clausematch.directory.models import OFFER_TYPES, DirectoryCommune, DirectoryProfile, DirectoryRomeCode
from clausematch.directory.permissions import can_edit_profile
from clausematch.errors import Collector, DomainError, NotAllowed, parsed
from clausematch.extensions import db
from clausematch.formats import parse_email, parse_phone
from clausematch.referential.models import RomeAppellation, RomeCode
from clausematch.referential.resolve import find_commune, territory_departments
from clausematch.text import normalise

MAX_RADIUS_KM = 200
MAX_ROME_CODES = 20
MAX_COMMUNES = 40
MAX_ACTIVITIES = 2000
_ROME = re.compile(r"\b([A-Na-n]\d{4})\b")
_COMMUNE_SEPARATORS = re.compile(r"[;\n]+")


@dataclass(frozen=True)
class ProfileInput:
    activities: str = ""
    rome_codes: str = ""  # codes or autocomplete labels, separated by commas, spaces or lines
    communes: str = ""  # one commune per line (or separated by « ; »)
    radius_km: int | None = 10
    capacity_positions: int | None = None
    capacity_hours: int | None = None
    offers: frozenset[str] = field(default_factory=frozenset)  # columns of OFFER_TYPES
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    is_published: bool = False


def profile_of(company_id: int) -> DirectoryProfile | None:
    return db.session.scalar(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == company_id))


def check_profile(company: Company, data: ProfileInput) -> dict:
    """The profile's values from `data`, every rule checked, every refusal gathered (one
    FieldErrors); nothing written. The form page runs it at the first submit, save_profile again
    under the lock."""
    collect = Collector()
    activities = data.activities.strip()
    if len(activities) > MAX_ACTIVITIES:
        collect.add(f"Décrivez les activités en {MAX_ACTIVITIES} caractères au plus.", field="activities")
    codes = collect(_rome_codes, data.rome_codes)
    communes = collect(_communes, data.communes, company.territory_id)
    radius = collect(_bounded, data.radius_km, "radius_km", "Le rayon d'intervention", MAX_RADIUS_KM, default=0)
    positions = collect(_bounded, data.capacity_positions, "capacity_positions", "Le nombre de postes", 100_000)
    hours = collect(_bounded, data.capacity_hours, "capacity_hours", "Le nombre d'heures par mois", 1_000_000)
    if not activities and not codes and not collect.refused("rome_codes") and not collect.refused("activities"):
        collect.add("Indiquez au moins une activité ou un code ROME.", field="activities")
    email = collect(parsed, parse_email, data.contact_email, "contact_email")
    phone = collect(parsed, parse_phone, data.contact_phone, "contact_phone")
    if data.is_published and not (email or phone) and not collect.refused("contact_email") \
            and not collect.refused("contact_phone"):
        collect.add("Pour publier la fiche, indiquez un e-mail ou un téléphone de contact.", field="contact_email")
    collect.raise_if_any()
    return {"activities": activities, "codes": codes, "communes": communes, "radius": radius,
            "positions": positions, "hours": hours, "email": email, "phone": phone}


def save_profile(actor: User, company_id: int, data: ProfileInput, version: int | None = None) -> DirectoryProfile:
    """Create or update the profile of company `company_id`; one commit."""
    company = lock(db.session, Company, company_id)
    if company is None:
        raise DomainError("Cette structure n'existe pas.")
    if not can_edit_profile(actor, company):
        raise NotAllowed("Vous ne pouvez pas modifier la fiche annuaire de cette structure.")
    checked = check_profile(company, data)
    activities, codes, communes = checked["activities"], checked["codes"], checked["communes"]
    email, phone = checked["email"], checked["phone"]

    profile = profile_of(company.id)
    created = profile is None
    if created:
        profile = DirectoryProfile(company_id=company.id)
        db.session.add(profile)
    # Every check passed: only now change the record, so a refusal leaves it untouched.
    profile.activities = activities
    profile.radius_km = checked["radius"]
    profile.capacity_positions, profile.capacity_hours = checked["positions"], checked["hours"]
    for column, _, _ in OFFER_TYPES:
        setattr(profile, column, column in data.offers)
    profile.contact_name = data.contact_name.strip()[:200] or None
    profile.contact_email, profile.contact_phone = email, phone
    if data.is_published and not profile.is_published:
        profile.published_at = utcnow()
    profile.is_published = data.is_published
    profile.search_text = search_text_for(activities, codes)
    if not created:
        versioning.claim(profile, version)
    _replace(profile, codes, communes)
    db.session.flush()
    audit.record("directory_profile_created" if created else "directory_profile_updated", "directory_profile",
                 profile.id, actor_id=actor.id, company_id=company.id, published=profile.is_published,
                 rome_codes=sorted(codes), communes=len(communes))
    db.session.commit()
    return profile


def _replace(profile: DirectoryProfile, codes: set[str], communes: set[str]) -> None:
    """The profile's codes and communes become these (rows kept where unchanged)."""
    for row in [r for r in profile.rome_codes if r.rome_code not in codes]:
        profile.rome_codes.remove(row)
    have = {r.rome_code for r in profile.rome_codes}
    profile.rome_codes.extend(DirectoryRomeCode(rome_code=code) for code in sorted(codes - have))
    for row in [r for r in profile.communes if r.commune_insee not in communes]:
        profile.communes.remove(row)
    have = {r.commune_insee for r in profile.communes}
    profile.communes.extend(DirectoryCommune(commune_insee=code) for code in sorted(communes - have))


def _rome_codes(text: str) -> set[str]:
    """The ROME codes named in `text` ("F1703, K2204" or autocomplete labels), each known."""
    found = {code.upper() for code in _ROME.findall(text or "")}
    if (text or "").strip() and not found:
        raise DomainError("Indiquez des codes ROME comme « F1703 », séparés par des virgules.", field="rome_codes")
    if len(found) > MAX_ROME_CODES:
        raise DomainError(f"Indiquez {MAX_ROME_CODES} codes ROME au plus.", field="rome_codes")
    known = (set(db.session.scalars(sa.select(RomeCode.code).where(RomeCode.code.in_(sorted(found)))))
             if found else set())
    unknown = sorted(found - known)
    if unknown:
        raise DomainError(f"Code ROME inconnu : {', '.join(unknown)}.", field="rome_codes")
    return found


def _communes(text: str, territory_id: int) -> set[str]:
    """The INSEE codes of the communes typed, one per line; each resolved without doubt."""
    names = [part.strip() for part in _COMMUNE_SEPARATORS.split(text or "") if part.strip()]
    if len(names) > MAX_COMMUNES:
        raise DomainError(f"Indiquez {MAX_COMMUNES} communes au plus.", field="communes")
    departments = territory_departments(territory_id)
    return {find_commune(name, None, departments, field="communes").insee_code for name in names}


def _bounded(value: int | None, name: str, label: str, maximum: int, default: int | None = None) -> int | None:
    if value is None:
        return default
    if value < 0 or value > maximum:
        raise DomainError(f"{label} doit être compris entre 0 et {maximum:,}.".replace(",", "\u202f"), field=name)
    return value


def search_text_for(activities: str, codes: set[str]) -> str:
    """What the trade search reads: activities, the codes' labels and appellations, normalised."""
    parts = [activities]
    if codes:
        parts += db.session.scalars(sa.select(RomeCode.label).where(RomeCode.code.in_(sorted(codes))))
        parts += db.session.scalars(sa.select(RomeAppellation.label).where(RomeAppellation.rome_code.in_(sorted(codes)))
                                    .order_by(RomeAppellation.code))
    words = dict.fromkeys(normalise(" ".join(parts)).split())  # each word once, in order
    return " " + " ".join(words) + " "
