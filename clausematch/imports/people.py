"""The `people` import kind: participants with their employment contracts, one line per contract
(a person without contract: one line, contract columns empty).

Natural keys: a person is her names (compared as the duplicate finder does: accents, case,
punctuation and word order aside, `duplicates.name_key`) and birth date, among the territory's
active records; a contract is the person, the lot and the start date.

Decisions (README, « Importer les données existantes »):
- A person is created only with the consent the model requires: its date is a column; a line
  without it is refused, never given an invented consent. The purposes recorded are the
  standard ones of the candidate form (services.STANDARD_PURPOSES).
- Imported publics are historical facts the facilitation team already checked: they are recorded
  as validated by the importing facilitator on the import day (valid for the territory's
  validity period), the evidence reading « Import des données existantes ».
- An empty optional cell leaves the record's value as it is (an import never erases); the
  prescriber organisation of an existing record never changes by import (refused).
- A new person whose birth date is shared by an active record with a close name (the duplicate
  finder's score) is refused: write the name as on the record, or merge the records first.
- The lot must exist (import the contracts first); the company owing the hours is the lot's
  titulaire unless a SIRET is given; the employer (SIAE, ETTI, AI, GEIQ) sets the mode as a hire does.
- An exit is recorded with the contract; an existing exit is never changed by import.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from clausematch import bulk
from clausematch.accounts.models import Company, Prescriber
from clausematch.candidates.checks import ConsentInput, _birth_date, _name, checked_consent
from clausematch.candidates.duplicates import SAME_BIRTH_DATE_SCORE, forms_similarity, name_forms, name_key
from clausematch.candidates.eligibility import valid_until_for
from clausematch.candidates.models import Candidate, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.candidates.name_words import insert_name_words
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.siret import normalise_siret, siret_error
from clausematch.database import insert_with_ids, today, utcnow
from clausematch.errors import DomainError, refusals
from clausematch.extensions import db
from clausematch.formats import format_date, parse_decimal, parse_email, parse_phone
from clausematch.imports.base import CHUNK, Column, LineResult, Outcome, Row, header_key
from clausematch.pathways.hiring import MODE_FOR_EMPLOYER_KIND, HireData, checked_terms
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.referential.models import Commune
from clausematch.referential.resolve import find_commune, territory_departments
from clausematch.vocabulary import EXIT_CATEGORY, ContractType, Criterion, EducationLevel, ExitDetail, Gender, Mode

if TYPE_CHECKING:
    from clausematch.accounts.models import Territory, User

IMPORT_EVIDENCE = "Import des données existantes"
LOTS_FIRST = "importez d'abord les marchés"

COLUMNS = (
    Column("last_name", "Nom", True, ("nom de famille", "nom de naissance"), "Nom de la personne."),
    Column("first_name", "Prénom", True, ("prenoms",), "Prénom de la personne."),
    Column("birth_date", "Date de naissance", True, ("ne le", "nee le", "naissance"), "JJ/MM/AAAA."),
    Column("gender", "Sexe", False, ("genre",), "F (femme), H (homme) ; vide : non précisé."),
    Column("education_level", "Niveau de formation", False, ("niveau", "diplome", "niveau de diplome"),
           "Sans diplôme, CAP-BEP, Bac, Bac+2, Bac+3 et plus ; obligatoire pour créer la personne."),
    Column("commune", "Commune", False, ("ville", "commune de residence"),
           "Nom et code postal (« Saint-Denis (93200) ») ou code INSEE."),
    Column("phone", "Téléphone", False, ("tel", "portable", "telephone portable")),
    Column("email", "E-mail", False, ("courriel", "adresse electronique", "mail", "email")),
    Column("publics", "Publics", False, ("criteres", "criteres d eligibilite", "public", "eligibilite"),
           "Critères séparés par des virgules : RSA, QPV, RQTH, DELD, -26 ans, +50 ans…"),
    Column("prescriber", "Structure prescriptrice", False, ("prescripteur", "orienteur", "structure"),
           "Nom d'une structure prescriptrice du territoire ; obligatoire pour créer la personne."),
    Column("consent_date", "Date du consentement", False, ("consentement", "date de consentement"),
           "Date à laquelle la personne a consenti au traitement de ses données ; obligatoire pour la créer."),
    Column("company_siret", "SIRET de l'entreprise", False, ("siret entreprise", "siret titulaire", "siret"),
           "Entreprise qui doit les heures ; vide : le titulaire du lot."),
    Column("contract_reference", "Référence du marché", False, ("marche", "reference marche", "n marche")),
    Column("lot_number", "Numéro de lot", False, ("lot", "n lot", "numero du lot")),
    Column("contract_type", "Type de contrat", False, ("contrat",), "CDI, CDD, intérim, apprentissage…"),
    Column("start_date", "Date de début", False, ("debut", "date d embauche", "date de debut du contrat")),
    Column("planned_end_date", "Fin prévue", False, ("date de fin prevue", "fin de contrat prevue")),
    Column("weekly_hours", "Heures hebdomadaires", False, ("duree hebdomadaire", "heures par semaine")),
    Column("employer_siret", "SIRET de l'employeur", False, ("siret siae", "siret employeur"),
           "La structure d'insertion (SIAE, ETTI, GEIQ) qui emploie la personne, si ce n'est pas l'entreprise."),
    Column("exit_date", "Date de sortie", False, ("sortie le",)),
    Column("exit_detail", "Situation à la sortie", False, ("situation de sortie", "motif de sortie", "sortie")),
)
CONTRACT_KEYS = ("company_siret", "contract_reference", "lot_number", "contract_type", "start_date",
                 "planned_end_date", "weekly_hours", "employer_siret", "exit_date", "exit_detail")


# --- Tolerant words ------------------------------------------------------------------------------

def _words(enum_cls, extra: dict[str, str]) -> dict[str, object]:
    """Every way of writing a member (header_key form): its code, its label, and the extra words."""
    words: dict[str, object] = {}
    for member in enum_cls:
        words[header_key(member.value)] = member
        words[header_key(member.label)] = member
    words.update({header_key(word): enum_cls(code) for word, code in extra.items()})
    return words


CONTRACT_TYPE_WORDS = _words(ContractType, {
    "interim": "interim", "mission d interim": "interim", "travail temporaire": "interim", "ctt": "interim",
    "apprenti": "apprentissage", "contrat d apprentissage": "apprentissage",
    "contrat pro": "professionnalisation", "contrat de professionnalisation": "professionnalisation",
    "cdd insertion": "cddi", "cdd d insertion": "cddi", "mad": "mise_a_disposition",
    "mise a disposition": "mise_a_disposition", "cdd tempo": "cdd", "contrat a duree determinee": "cdd",
    "contrat a duree indeterminee": "cdi"})
EXIT_WORDS = _words(ExitDetail, {
    "cdd long": "long_cdd", "cdd de plus de 6 mois": "long_cdd", "cdd 6 mois": "long_cdd",
    "cdd court": "short_cdd", "cdd de moins de 6 mois": "short_cdd", "cdd": "short_cdd",
    "interim long": "long_interim", "interim court": "short_interim", "interim": "short_interim",
    "fonctionnaire": "civil_service", "creation d entreprise": "business_creation",
    "creation": "business_creation", "contrat aide": "subsidised", "formation": "training",
    "formation pre qualifiante": "pre_qualifying_training", "siae": "siae_hire", "embauche en siae": "siae_hire",
    "chomage": "unemployment", "demandeur d emploi": "unemployment", "recherche d emploi": "unemployment",
    "inactif": "inactivity", "inconnue": "unknown", "inconnu": "unknown", "sans nouvelles": "unknown"})
GENDER_WORDS = _words(Gender, {"femme": "f", "feminin": "f", "homme": "m", "h": "m", "masculin": "m",
                               "non precise": "x", "autre": "x"})
EDUCATION_WORDS = _words(EducationLevel, {
    "sans diplome": "none", "aucun": "none", "aucun diplome": "none", "niveau 3": "cap_bep", "cap": "cap_bep",
    "bep": "cap_bep", "cap bep": "cap_bep", "niveau 4": "bac", "bac": "bac", "baccalaureat": "bac",
    "bac pro": "bac", "bac 2": "bac_2", "niveau 5": "bac_2", "bts": "bac_2", "dut": "bac_2",
    "bac 3": "bac_3_plus", "bac 3 et plus": "bac_3_plus", "bac 5": "bac_3_plus", "licence": "bac_3_plus",
    "master": "bac_3_plus", "niveau 6": "bac_3_plus", "niveau 7": "bac_3_plus"})
CRITERION_WORDS = _words(Criterion, {
    "th": "rqth", "travailleur handicape": "rqth", "bobeth": "rqth", "beneficiaire du rsa": "rsa",
    "quartier prioritaire": "qpv", "residant qpv": "qpv", "resident qpv": "qpv",
    "de longue duree": "deld", "deld 12 mois": "deld", "detld 24 mois": "detld", "jeune": "under_26",
    "26": "under_26", "26 ans": "under_26", "moins de 26 ans": "under_26", "jeune de moins de 26 ans": "under_26",
    "senior": "over_50", "50": "over_50", "50 ans": "over_50", "50 ans et plus": "over_50",
    "plus de 50 ans": "over_50", "pass iae": "iae", "salarie iae": "iae", "pension d invalidite": "invalidity_pension",
    "invalidite": "invalidity_pension", "minimum social": "other_minimum_income", "epide": "structure",
    "e2c": "structure", "ecole de la 2e chance": "structure", "geiq": "structure", "regie de quartier": "structure",
    "derogation": "derogation", "avis motive": "derogation"})
PUBLICS_SEPARATORS = re.compile(r"[,;/|\n]+")
# Short forms for the export (the import reads them back).
CRITERION_SHORT = {Criterion.RSA: "RSA", Criterion.QPV: "QPV", Criterion.RQTH: "RQTH", Criterion.DELD: "DELD",
                   Criterion.DETLD: "DETLD", Criterion.ASS: "ASS", Criterion.AAH: "AAH",
                   Criterion.UNDER_26: "-26 ans", Criterion.OVER_50: "+50 ans", Criterion.IAE: "PASS IAE"}


def parse_word(words: dict, text: str, what: str, examples: str):
    """The member `text` names, or DomainError naming the column and examples."""
    member = words.get(header_key(text))
    if member is None:
        raise DomainError(f"« {text} » n'est pas un {what} connu ({examples}).")
    return member


def parse_contract_type(text: str) -> ContractType:
    return parse_word(CONTRACT_TYPE_WORDS, text, "type de contrat", "CDI, CDD, intérim, apprentissage, CDDI…")


def parse_exit_detail(text: str) -> ExitDetail:
    return parse_word(EXIT_WORDS, text, "situation de sortie",
                      "CDI, CDD de plus de 6 mois, formation qualifiante, demandeur d'emploi…")


def parse_criteria(text: str) -> list[Criterion]:
    """The publics listed in a cell, in order, without repeats: "RSA, QPV; rqth" → rsa, qpv, rqth."""
    found: list[Criterion] = []
    unknown: list[str] = []
    for part in PUBLICS_SEPARATORS.split(text or ""):
        if not part.strip():
            continue
        criterion = CRITERION_WORDS.get(header_key(part))
        if criterion is None:
            unknown.append(part.strip())
        elif criterion not in found:
            found.append(criterion)
    if unknown:
        listed = ", ".join(f"« {word} »" for word in unknown)
        raise DomainError(f"Public inconnu : {listed} (exemples : RSA, QPV, RQTH, DELD, -26 ans, +50 ans, AAH).")
    return found


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_date(text: str, what: str) -> date | None:
    """"17/05/1990", "17.05.1990", "1990-05-17" (or a spreadsheet's "1990-05-17 00:00:00"); empty → None."""
    text = (text or "").strip()
    if not text:
        return None
    day = month = year = None
    if match := _DAY_MONTH_YEAR.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
    try:
        if year is not None:
            return date(year, month, day)
    except ValueError:
        pass
    raise DomainError(f"{what} : « {text} » n'est pas une date (format JJ/MM/AAAA, exemple : 17/05/1990).")


def date_text(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def siret_of(text: str, what: str) -> str:
    siret = normalise_siret(text)
    problem = siret_error(siret)
    if problem:
        raise DomainError(f"{what} « {text} » : {problem}")
    return siret


# --- Looking records up in bulk --------------------------------------------------------------------

def chunks(items, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


PersonKey = tuple[str, date]


def person_key(first_name: str, last_name: str, birth_date: date) -> PersonKey:
    return name_key(first_name, last_name), birth_date


def people_born(territory_id: int, birth_dates, *columns) -> list:
    """The territory's active records born on these days (chunks of CHUNK days): rows of
    `columns` (Candidate entities when none)."""
    found = []
    select = sa.select(*columns) if columns else sa.select(Candidate)
    for part in chunks(sorted(set(birth_dates))):
        stmt = select.where(Candidate.territory_id == territory_id, Candidate.is_active,
                            Candidate.birth_date.in_(part)).order_by(Candidate.id)
        found.extend(db.session.execute(stmt).all() if columns else db.session.scalars(stmt).all())
    return found


def territory_lots(territory_id: int) -> dict[tuple[str, int], list[Lot]]:
    """The territory's lots by (contract reference as compared, lot number): one query."""
    lots: dict[tuple[str, int], list[Lot]] = {}
    stmt = (sa.select(Lot, Contract.reference).join(Contract, Contract.id == Lot.contract_id)
            .where(Contract.territory_id == territory_id))
    for lot, reference in db.session.execute(stmt):
        lots.setdefault((header_key(reference), lot.number), []).append(lot)
    return lots


def find_lot(lots: dict, reference: str, number_text: str) -> Lot:
    """The lot named by a contract reference and a lot number, else DomainError in French."""
    if not reference.strip() or not number_text.strip():
        raise DomainError("Indiquez la référence du marché et le numéro de lot.")
    try:
        number = int(number_text.strip().removeprefix("lot").removeprefix("Lot").strip())
    except ValueError:
        raise DomainError(f"« {number_text} » n'est pas un numéro de lot (un nombre entier, exemple : 2).") from None
    found = lots.get((header_key(reference), number), [])
    if not found:
        raise DomainError(f"Le lot {number} du marché « {reference} » n'existe pas sur le territoire : {LOTS_FIRST}.")
    if len(found) > 1:
        raise DomainError(f"Plusieurs marchés du territoire portent la référence « {reference} » avec un lot "
                          f"{number} : ce lot ne peut pas être désigné sans ambiguïté.")
    return found[0]


def lot_label(reference: str, number: int) -> str:
    return f"marché {reference}, lot {number}"


# --- One line, read ------------------------------------------------------------------------------

@dataclass
class PersonLine:
    first_name: str
    last_name: str
    birth_date: date
    gender: Gender | None = None
    education_level: EducationLevel | None = None
    commune_insee: str | None = None
    phone: str | None = None
    email: str | None = None
    criteria: list[Criterion] = field(default_factory=list)
    prescriber_id: int | None = None
    consent_on: date | None = None

    def comparable(self) -> tuple:
        return (self.gender, self.education_level, self.commune_insee, self.phone, self.email,
                tuple(sorted(c.value for c in self.criteria)), self.prescriber_id, self.consent_on)


@dataclass
class ContractLine:
    lot: Lot
    lot_name: str
    company_id: int
    employer_id: int
    mode: Mode
    contract_type: ContractType
    start_date: date
    planned_end_date: date | None
    weekly_hours: float
    exit_date: date | None = None
    exit_detail: ExitDetail | None = None


PERSON_FIELDS = {"gender": "sexe", "education_level": "niveau de formation", "commune_insee": "commune",
                 "phone": "téléphone", "email": "e-mail"}
CONTRACT_FIELDS = {"contract_type": "type de contrat", "planned_end_date": "fin prévue",
                   "weekly_hours": "heures hebdomadaires", "company_id": "entreprise", "employer_id": "employeur"}


@dataclass
class PersonState:
    """A person as the import leaves her: the existing record (None: created by line `line`)."""

    key: PersonKey
    line: int
    read: PersonLine
    record: Candidate | None
    held: set[Criterion]  # the record's criteria (those written by the import added)
    created: _NewPerson | None = None


@dataclass(eq=False)
class _NewPerson:
    """A person the import creates: her values, and her id once written."""

    values: dict
    id: int | None = None


@dataclass
class _Created:
    """What the lines create — people, their consents and criteria, contracts and exits — written
    in bulk at the end (`write`), never one ORM object per row (100 000 people in under a
    minute). The people's ids come with their bulk INSERT (database.insert_with_ids), which the
    matching index notes (matching/events.py); their name words are written here
    (candidates/name_words.py). The criteria added to an existing record stay ORM objects, for
    the index to see them; `write` flushes them first, with the updates."""

    people: list[_NewPerson] = field(default_factory=list)
    consents: list[tuple[_NewPerson, dict]] = field(default_factory=list)
    criteria: list[tuple[_NewPerson, dict]] = field(default_factory=list)
    contracts: list[tuple[Candidate | _NewPerson, dict, dict | None]] = field(default_factory=list)  # with exit

    def write(self) -> None:
        db.session.flush()  # the updates, before the inserts
        for part in chunks(self.people):
            ids = insert_with_ids(db.session, Candidate, [person.values for person in part])
            for person, id in zip(part, ids, strict=True):
                person.id = id
            insert_name_words((person.id, person.values["first_name"], person.values["last_name"]) for person in part)
        # COPY on PostgreSQL: no session event needs these rows (their people were noted above).
        for model, items in ((Consent, self.consents), (EligibilityCriterion, self.criteria)):
            if items:
                bulk.write_dicts(model, ({**values, "candidate_id": record.id} for record, values in items))
        for part in chunks(self.contracts):
            ids = insert_with_ids(db.session, EmploymentContract,
                                  [{**values, "candidate_id": record.id} for record, values, _ in part])
            exits = [{**exit_, "contract_id": id} for id, (_, _, exit_) in zip(ids, part, strict=True) if exit_]
            if exits:
                bulk.write_dicts(Exit, exits)


class _Reader:
    """Reads the lines' values with what the territory holds (loaded once per run)."""

    def __init__(self, territory: Territory, rows: list[Row]):
        self.territory = territory
        self.today = today()
        self.departments = territory_departments(territory.id)
        prescribers = db.session.execute(sa.select(Prescriber.id, Prescriber.name).where(
            Prescriber.territory_id == territory.id, Prescriber.is_active.is_(True))).all()
        self.prescribers: dict[str, list[int]] = {}
        for prescriber_id, name in prescribers:
            self.prescribers.setdefault(header_key(name), []).append(prescriber_id)
        sirets = set()
        for row in rows:
            for key in ("company_siret", "employer_siret"):
                if row.get(key):
                    sirets.add(normalise_siret(row.get(key)))
        self.companies: dict[str, Company] = {}
        for part in chunks(sirets):
            for company in db.session.scalars(sa.select(Company).where(Company.territory_id == territory.id,
                                                                       Company.siret.in_(part))):
                self.companies[company.siret] = company
        self.lots = territory_lots(territory.id) if any(row.get("contract_reference") for row in rows) else {}
        self.communes: dict[str, str | DomainError] = {}

    def person(self, row: Row, reasons: list[str]) -> PersonLine | None:
        def check(function, *args):
            try:
                return function(*args)
            except DomainError as error:
                reasons.extend(e.message for e in refusals(error))
            except ValueError as error:
                reasons.append(str(error))
            return None

        first = check(_name, row.get("first_name"), "first_name", "le prénom")
        last = check(_name, row.get("last_name"), "last_name", "le nom")
        born = check(parse_date, row.get("birth_date"), "Date de naissance")
        if born is None and row.get("birth_date") == "":
            reasons.append("Indiquez la date de naissance.")
        elif born is not None:
            born = check(_birth_date, born, self.today)
        line = PersonLine(first or "", last or "", born or date.min)
        if row.get("gender"):
            line.gender = check(parse_word, GENDER_WORDS, row.get("gender"), "sexe", "F, H ou vide")
        if row.get("education_level"):
            line.education_level = check(parse_word, EDUCATION_WORDS, row.get("education_level"),
                                         "niveau de formation", "sans diplôme, CAP-BEP, Bac, Bac+2, Bac+3")
        if row.get("commune"):
            line.commune_insee = check(self.commune, row.get("commune"))
        line.phone = check(parse_phone, row.get("phone"))
        line.email = check(parse_email, row.get("email"))
        line.criteria = check(parse_criteria, row.get("publics")) or []
        if row.get("prescriber"):
            line.prescriber_id = check(self.prescriber, row.get("prescriber"))
        if row.get("consent_date"):
            given_on = check(parse_date, row.get("consent_date"), "Date du consentement")
            if given_on is not None and check(checked_consent, ConsentInput(True, given_on, STANDARD_PURPOSES),
                                              self.today) is not None:
                line.consent_on = given_on
        return line if first and last and born else None

    def commune(self, text: str) -> str:
        if text not in self.communes:
            try:
                commune = find_commune(text, None, self.departments)
                self.communes[text] = commune.insee_code
            except DomainError as error:
                self.communes[text] = error
        found = self.communes[text]
        if isinstance(found, DomainError):
            raise found
        return found

    def prescriber(self, text: str) -> int:
        found = self.prescribers.get(header_key(text), [])
        if len(found) == 1:
            return found[0]
        if found:
            raise DomainError(f"Plusieurs structures prescriptrices du territoire s'appellent « {text} ».")
        if normalise_siret(text).isdigit():
            raise DomainError(f"Structure prescriptrice « {text} » : les prescripteurs sont désignés par leur nom "
                              "(le SIRET n'est enregistré que pour les entreprises et les acheteurs).")
        raise DomainError(f"La structure prescriptrice « {text} » n'existe pas sur le territoire : créez-la "
                          "ou écrivez son nom comme dans l'annuaire.")

    def company(self, text: str, what: str) -> Company:
        siret = siret_of(text, what)
        company = self.companies.get(siret)
        if company is None:
            raise DomainError(f"{what} : aucune entreprise du territoire n'a le SIRET {text} "
                              "(importez d'abord les entreprises).")
        return company

    def contract(self, row: Row, reasons: list[str]) -> ContractLine | None:
        if not any(row.get(key) for key in CONTRACT_KEYS):
            return None
        before = len(reasons)

        def check(function, *args):
            try:
                return function(*args)
            except DomainError as error:
                reasons.extend(e.message for e in refusals(error))
            return None

        lot = check(find_lot, self.lots, row.get("contract_reference"), row.get("lot_number"))
        company = None
        if row.get("company_siret"):
            company = check(self.company, row.get("company_siret"), "SIRET de l'entreprise")
        elif lot is not None and lot.company_id is None:
            reasons.append("Indiquez le SIRET de l'entreprise qui doit les heures : le lot n'a pas de titulaire.")
        employer = check(self.company, row.get("employer_siret"), "SIRET de l'employeur") \
            if row.get("employer_siret") else None
        contract_type = check(parse_contract_type, row.get("contract_type")) if row.get("contract_type") else None
        start = check(parse_date, row.get("start_date"), "Date de début")
        planned_end = check(parse_date, row.get("planned_end_date"), "Fin prévue")
        weekly_hours = None
        try:
            value = parse_decimal(row.get("weekly_hours"))
            weekly_hours = float(value) if value is not None else None
        except ValueError:
            reasons.append(f"« {row.get('weekly_hours')} » n'est pas un nombre d'heures hebdomadaires (exemple : 35).")
        terms = None
        if len(reasons) == before:
            terms = check(checked_terms, HireData(contract_type.value if contract_type else None, start,
                                                  planned_end, weekly_hours))
        exit_date = check(parse_date, row.get("exit_date"), "Date de sortie")
        detail = check(parse_exit_detail, row.get("exit_detail")) if row.get("exit_detail") else None
        if bool(row.get("exit_date")) != bool(row.get("exit_detail")):
            reasons.append("Indiquez la date de sortie et la situation à la sortie, ou aucune des deux.")
        if exit_date is not None and start is not None and exit_date < start:
            reasons.append(f"La date de sortie ne peut pas précéder le début du contrat ({format_date(start)}).")
        elif exit_date is not None and exit_date > self.today:
            reasons.append("La date de sortie ne peut pas être dans le futur : enregistrez la sortie "
                           "une fois le contrat terminé.")
        if len(reasons) > before or terms is None or lot is None:
            return None
        owing = company.id if company is not None else lot.company_id
        employer_id = employer.id if employer is not None else owing
        mode = MODE_FOR_EMPLOYER_KIND.get(employer.company_kind, Mode.DIRECT) if employer is not None else Mode.DIRECT
        lot_name = lot_label(row.get("contract_reference"), lot.number)
        return ContractLine(lot, lot_name, owing, employer_id, mode, terms["contract_type"], terms["start_date"],
                            terms["planned_end_date"], terms["weekly_hours"], exit_date, detail)


# --- The kind ------------------------------------------------------------------------------------

class PeopleKind:
    name = "people"
    label = "Personnes et contrats de travail"
    tables = ("candidates", "candidate_name_words", "consents", "eligibility_criteria", "employment_contracts",
              "exits")
    columns = COLUMNS

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        reader = _Reader(territory, rows)
        read: list[tuple[Row, list[str], PersonLine | None, ContractLine | None]] = []
        for row in rows:
            reasons: list[str] = []
            person = reader.person(row, reasons)
            contract = reader.contract(row, reasons)
            read.append((row, reasons, person, contract))

        # Existing people (by birth date, names compared in Python), their criteria and contracts.
        born = people_born(territory.id, [p.birth_date for _, _, p, _ in read if p is not None])
        existing: dict[PersonKey, list[Candidate]] = {}
        forms_by_day: dict[date, list[tuple[Candidate, object]]] = {}
        for candidate in born:
            existing.setdefault(person_key(candidate.first_name, candidate.last_name, candidate.birth_date),
                                []).append(candidate)
            forms_by_day.setdefault(candidate.birth_date, []).append(
                (candidate, name_forms(candidate.first_name, candidate.last_name)))
        ids = [candidate.id for candidate in born]
        criteria: dict[int, set[Criterion]] = {}
        contracts: dict[tuple[int, int, date], EmploymentContract] = {}
        for part in chunks(ids):
            for candidate_id, criterion in db.session.execute(
                    sa.select(EligibilityCriterion.candidate_id, EligibilityCriterion.criterion)
                    .where(EligibilityCriterion.candidate_id.in_(part))):
                criteria.setdefault(candidate_id, set()).add(criterion)
            for contract, exit_ in db.session.execute(
                    sa.select(EmploymentContract, Exit).outerjoin(Exit, Exit.contract_id == EmploymentContract.id)
                    .where(EmploymentContract.candidate_id.in_(part))):
                contracts[(contract.candidate_id, contract.lot_id, contract.start_date)] = (contract, exit_)

        now, day = utcnow(), reader.today
        valid_until = valid_until_for(day, territory.eligibility_validity_months)
        actor_id = actor.id if actor is not None else None
        people: dict[PersonKey, PersonState] = {}
        created = _Created()
        seen_contracts: dict[tuple, int] = {}
        results: list[LineResult] = []
        for row, reasons, person, contract in read:
            key_text = (f"{person.first_name} {person.last_name}, né(e) le {format_date(person.birth_date)}"
                        if person is not None else f"Ligne {row.line}")
            if contract is not None:
                key_text += f", {contract.lot_name}, début le {format_date(contract.start_date)}"
            if person is None:
                results.append(LineResult.refused(row.line, key_text, reasons))
                continue
            key = person_key(person.first_name, person.last_name, person.birth_date)
            state = people.get(key)
            changes: list[str] = []
            new_person = False
            if state is None:
                state = self._first_line(row, key, person, existing, forms_by_day, criteria, reasons)
                new_person = state is not None and state.record is None
                if state is not None and state.record is not None:
                    changes = self._person_changes(state.record, person, state.held)
            elif person.comparable() != state.read.comparable():
                reasons.append(f"Les informations de la personne diffèrent de la ligne {state.line} "
                               "(une personne s'écrit de la même façon sur toutes ses lignes).")
            contract_changes: list[str] = []
            new_contract = False
            if contract is not None and state is not None and not reasons:
                ckey = (key, contract.lot.id, contract.start_date)
                if ckey in seen_contracts:
                    reasons.append("Même personne, même lot et même date de début que la ligne "
                                   f"{seen_contracts[ckey]}.")
                else:
                    seen_contracts[ckey] = row.line
                    found = (contracts.get((state.record.id, contract.lot.id, contract.start_date))
                             if state.record is not None else None)
                    if found is None:
                        new_contract = True
                    else:
                        contract_changes = self._contract_changes(*found, contract, reasons)
            if reasons:
                results.append(LineResult.refused(row.line, key_text, reasons))
                continue
            if key not in people:
                people[key] = state
            if write:
                record = self._write_person(state, person, changes, territory, actor_id, now, valid_until, created)
                if new_contract:
                    self._write_contract(record, contract, actor_id, created)
                elif contract_changes:
                    self._update_contract(found, contract, actor_id)
            if new_person or new_contract:
                what = ("Personne et contrat créés" if new_person and new_contract
                        else "Personne créée" if new_person else "Contrat de travail créé")
                extra = f" ; mis à jour : {', '.join(changes)}" if changes else ""
                results.append(LineResult(row.line, Outcome.CREATED, key_text, what + extra))
            elif changes or contract_changes:
                results.append(LineResult(row.line, Outcome.UPDATED, key_text,
                                          "Mis à jour : " + ", ".join(changes + contract_changes) + "."))
            else:
                results.append(LineResult(row.line, Outcome.UNCHANGED, key_text))
        if write:
            created.write()
        return results

    # --- Per line

    def _first_line(self, row: Row, key, person: PersonLine, existing, forms_by_day, criteria,
                    reasons) -> PersonState | None:
        line = row.line
        found = existing.get(key, [])
        if len(found) > 1:
            reasons.append(f"Plusieurs fiches actives portent ce nom et cette date de naissance "
                           f"(n° {', '.join(str(c.id) for c in found)}) : fusionnez d'abord les doublons.")
            return None
        if found:
            record = found[0]
            if person.prescriber_id is not None and person.prescriber_id != record.prescriber_id:
                reasons.append("Cette personne est déjà suivie par une autre structure prescriptrice : "
                               "la structure d'une fiche ne change pas par import.")
            return PersonState(key, line, person, record, set(criteria.get(record.id, set())))
        forms = name_forms(person.first_name, person.last_name)
        close = [c for c, other in forms_by_day.get(person.birth_date, [])
                 if forms_similarity(forms, other) >= SAME_BIRTH_DATE_SCORE]
        if close:
            reasons.append(f"Une fiche proche existe déjà (« {close[0].first_name} {close[0].last_name} », même date "
                           "de naissance) : écrivez le nom comme sur la fiche pour la compléter, ou vérifiez "
                           "qu'il s'agit bien d'une autre personne et créez-la dans l'application.")
        if person.education_level is None and not row.get("education_level"):
            reasons.append("Indiquez le niveau de formation pour créer la personne (sans diplôme, CAP-BEP, Bac, "
                           "Bac+2, Bac+3 et plus).")
        if person.prescriber_id is None and not row.get("prescriber"):
            reasons.append("Indiquez la structure prescriptrice qui suit la personne pour la créer.")
        if person.consent_on is None and not row.get("consent_date"):
            reasons.append("Le consentement de la personne est obligatoire avant d'enregistrer ses données : "
                           "indiquez sa date (colonne « Date du consentement »).")
        return PersonState(key, line, person, None, set())

    def _person_changes(self, record: Candidate, person: PersonLine, held: set[Criterion]) -> list[str]:
        changes = [label for name, label in PERSON_FIELDS.items()
                   if getattr(person, name) is not None and getattr(person, name) != getattr(record, name)]
        added = [c for c in person.criteria if c not in held]
        if added:
            changes.append("publics (" + ", ".join(CRITERION_SHORT.get(c, c.label) for c in added) + " ajoutés)")
        return changes

    def _contract_changes(self, contract: EmploymentContract, exit_: Exit | None, line: ContractLine,
                          reasons: list[str]) -> list[str]:
        changes = [label for name, label in CONTRACT_FIELDS.items() if getattr(line, name) != getattr(contract, name)]
        if line.exit_date is not None:
            if exit_ is None:
                changes.append("sortie")
            elif (exit_.exit_date, exit_.detail) != (line.exit_date, line.exit_detail):
                reasons.append(f"La sortie enregistrée ({format_date(exit_.exit_date)}, {exit_.detail.label}) "
                               "diffère : une sortie se corrige dans l'application, pas par import.")
        return changes

    # --- Writing

    def _write_person(self, state: PersonState, person: PersonLine, changes, territory, actor_id, now,
                      valid_until, created: _Created) -> Candidate | _NewPerson:
        if state.record is not None:
            record = state.record
            if changes:
                for name in PERSON_FIELDS:
                    if getattr(person, name) is not None:
                        setattr(record, name, getattr(person, name))
        elif state.created is not None:
            return state.created
        else:
            record = _NewPerson({
                "territory_id": territory.id, "prescriber_id": person.prescriber_id, "first_name": person.first_name,
                "last_name": person.last_name, "name_key": state.key[0], "birth_date": person.birth_date,
                "gender": person.gender or Gender.OTHER, "education_level": person.education_level,
                "email": person.email, "phone": person.phone, "commune_insee": person.commune_insee,
                "created_at": now, "updated_at": now})
            created.people.append(record)
            created.consents.append((record, {"given_on": person.consent_on, "purposes": STANDARD_PURPOSES,
                                              "recorded_by_id": actor_id, "recorded_at": now}))
            state.created = record
        for criterion in person.criteria:
            if criterion in state.held:
                continue
            state.held.add(criterion)
            values = {"criterion": criterion, "evidence": IMPORT_EVIDENCE, "declared_by_id": actor_id,
                      "declared_at": now, "status": EligibilityStatus.VALIDATED, "validated_by_id": actor_id,
                      "validated_at": now, "valid_until": valid_until}
            if state.record is None:
                created.criteria.append((record, values))
            else:  # by id: appending to the record's list would load it, line by line
                db.session.add(EligibilityCriterion(candidate_id=record.id, **values))
        return record

    def _write_contract(self, record: Candidate | _NewPerson, line: ContractLine, actor_id, created: _Created) -> None:
        contract = {"lot_id": line.lot.id, "company_id": line.company_id, "employer_id": line.employer_id,
                    "contract_type": line.contract_type, "mode": line.mode, "start_date": line.start_date,
                    "planned_end_date": line.planned_end_date, "end_date": line.exit_date,
                    "weekly_hours": line.weekly_hours, "created_by_id": actor_id}
        exit_ = None if line.exit_date is None else {
            "exit_date": line.exit_date, "detail": line.exit_detail, "category": EXIT_CATEGORY[line.exit_detail],
            "recorded_by_id": actor_id}
        created.contracts.append((record, contract, exit_))

    def _update_contract(self, found, line: ContractLine, actor_id) -> None:
        contract, exit_ = found
        for name in CONTRACT_FIELDS:
            setattr(contract, name, getattr(line, name))
        contract.mode = line.mode
        if line.exit_date is not None and exit_ is None:
            contract.end_date = line.exit_date
            db.session.add(Exit(contract=contract, exit_date=line.exit_date, detail=line.exit_detail,
                                category=EXIT_CATEGORY[line.exit_detail], recorded_by_id=actor_id))

    # --- Export

    def export_rows(self, territory: Territory) -> list[dict[str, str]]:
        return export_rows(territory)



def export_rows(territory: Territory) -> list[dict[str, str]]:
    """The territory's active people with their contracts in the template's columns (one line per
    contract, one for a person without): what `people` imports back to the same records. Publics:
    the validated criteria; consent: the first one not withdrawn."""
    candidates = db.session.scalars(sa.select(Candidate).where(Candidate.territory_id == territory.id,
                                                               Candidate.is_active).order_by(Candidate.id)).all()
    ids = [c.id for c in candidates]
    prescribers = dict(db.session.execute(sa.select(Prescriber.id, Prescriber.name)
                                          .where(Prescriber.territory_id == territory.id)).all())
    sirets = dict(db.session.execute(sa.select(Company.id, Company.siret)
                                     .where(Company.territory_id == territory.id)).all())
    communes: dict[str, str] = {}
    criteria: dict[int, list[Criterion]] = {}
    consents: dict[int, date] = {}
    contracts: dict[int, list] = {}
    for part in chunks(ids):
        for candidate_id, criterion in db.session.execute(
                sa.select(EligibilityCriterion.candidate_id, EligibilityCriterion.criterion)
                .where(EligibilityCriterion.candidate_id.in_(part),
                       EligibilityCriterion.status == EligibilityStatus.VALIDATED)
                .order_by(EligibilityCriterion.id)):
            criteria.setdefault(candidate_id, []).append(criterion)
        for candidate_id, given_on in db.session.execute(
                sa.select(Consent.candidate_id, sa.func.min(Consent.given_on))
                .where(Consent.candidate_id.in_(part), Consent.withdrawn_on.is_(None)).group_by(Consent.candidate_id)):
            consents[candidate_id] = given_on
        for row in db.session.execute(
                sa.select(EmploymentContract, Exit, Contract.reference, Lot.number, Lot.company_id)
                .join(Lot, Lot.id == EmploymentContract.lot_id).join(Contract, Contract.id == Lot.contract_id)
                .outerjoin(Exit, Exit.contract_id == EmploymentContract.id)
                .where(EmploymentContract.candidate_id.in_(part))
                .order_by(EmploymentContract.start_date, EmploymentContract.id)):
            contracts.setdefault(row[0].candidate_id, []).append(row)
        codes = {c.commune_insee for c in candidates if c.commune_insee}
        for insee, name in db.session.execute(sa.select(Commune.insee_code, Commune.name)
                                              .where(Commune.insee_code.in_(codes))):
            communes[insee] = f"{name} ({insee})"
    rows = []
    for candidate in candidates:
        person = {
            "last_name": candidate.last_name, "first_name": candidate.first_name,
            "birth_date": date_text(candidate.birth_date),
            "gender": {Gender.FEMALE: "F", Gender.MALE: "H"}.get(candidate.gender, ""),
            "education_level": candidate.education_level.label,
            "commune": communes.get(candidate.commune_insee, ""), "phone": candidate.phone or "",
            "email": candidate.email or "",
            "publics": ", ".join(CRITERION_SHORT.get(c, c.value) for c in criteria.get(candidate.id, [])),
            "prescriber": prescribers.get(candidate.prescriber_id, ""),
            "consent_date": date_text(consents.get(candidate.id))}
        empty = dict.fromkeys(CONTRACT_KEYS, "")
        lines = contracts.get(candidate.id, [])
        if not lines:
            rows.append(person | empty)
        for contract, exit_, reference, number, titulaire in lines:
            rows.append(person | {
                "company_siret": sirets.get(contract.company_id, "") if contract.company_id != titulaire else "",
                "contract_reference": reference, "lot_number": str(number),
                "contract_type": contract.contract_type.label, "start_date": date_text(contract.start_date),
                "planned_end_date": date_text(contract.planned_end_date),
                "weekly_hours": _number(contract.weekly_hours),
                "employer_siret": sirets.get(contract.employer_id, "") if contract.employer_id != contract.company_id
                else "",
                "exit_date": date_text(exit_.exit_date) if exit_ else "",
                "exit_detail": exit_.detail.label if exit_ else ""})
    return rows


def _number(value) -> str:
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


KIND = PeopleKind()
