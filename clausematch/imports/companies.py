"""Import kind `companies`: the territory's companies (titulaires and SIAE), one per line, keyed
by SIRET. The rules are the company form's (contracts/organisations.py), with its French words:
SIRET checked (Luhn, La Poste), name required, commune resolved, e-mail and phone parsed; a SIRET
held by a buyer or by another territory is refused."""
from __future__ import annotations

import sqlalchemy as sa

from clausematch.accounts.models import Company, CompanyKind, Organisation, OrganisationKind, Territory, User
from clausematch.contracts.siret import normalise_siret, siret_error
from clausematch.database import utcnow
from clausematch.errors import DomainError, refusals
from clausematch.extensions import db
from clausematch.formats import parse_email, parse_phone
from clausematch.imports.base import CHUNK, Column, LineResult, Outcome, Row
from clausematch.imports.tabular import CellError, Choices
from clausematch.referential.models import Commune
from clausematch.referential.resolve import territory_departments, unambiguous_commune

KIND_CHOICES = Choices(CompanyKind, {"entreprise": CompanyKind.TITULAIRE, "siae ei": CompanyKind.EI,
                                     "esat": CompanyKind.EA, "regie de quartier": CompanyKind.REGIE})
FIELD_LABELS = {"name": "raison sociale", "company_kind": "type", "address": "adresse", "commune_insee": "commune",
                "email": "e-mail", "phone": "téléphone"}


class CompaniesKind:
    name = "companies"
    label = "Entreprises"
    tables = ("organisations",)
    key_label = "SIRET"
    columns = (
        Column("siret", "SIRET", True, ("n siret", "numero siret", "siret entreprise", "siret de l entreprise"),
               "14 chiffres, espaces acceptés."),
        Column("name", "Raison sociale", True, ("nom", "entreprise", "nom de l entreprise", "denomination",
                                                "raison sociale de l entreprise"), "Le nom de l'entreprise."),
        Column("company_kind", "Type d'entreprise", False, ("type", "categorie", "type de structure"),
               "Entreprise titulaire (si vide), EI, ETTI, AI, ACI, GEIQ, EA, Régie de quartier."),
        Column("address", "Adresse", False, ("adresse postale",), "Facultatif."),
        Column("commune", "Commune", False, ("ville", "localite", "code postal", "commune insee"),
               "Nom ou code postal, par exemple « Saint-Denis (93066) »."),
        Column("email", "E-mail", False, ("email", "courriel", "adresse e mail", "mail"), "Facultatif."),
        Column("phone", "Téléphone", False, ("tel", "telephone", "numero de telephone"), "Facultatif."),
    )

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        sirets = {normalise_siret(row.get("siret")) for row in rows}
        holders = holders_by_siret(sirets)
        communes = _CommuneCache(territory.id)
        results: list[LineResult] = []
        seen: dict[str, int] = {}
        inserts, updates = [], []
        for row in rows:
            siret = normalise_siret(row.get("siret"))
            key = f"SIRET {siret or row.get('siret')[:20]}"
            try:
                values = _values(row, siret, communes)
            except _Refused as refused:
                results.append(LineResult.refused(row.line, key, refused.reasons))
                continue
            if siret in seen:
                results.append(LineResult.refused(row.line, key, [f"même SIRET que la ligne {seen[siret]}."]))
                continue
            seen[siret] = row.line
            holder = holders.get(siret)
            if holder is None:
                results.append(LineResult(row.line, Outcome.CREATED, key))
                inserts.append(values)
            elif holder.territory_id != territory.id:
                results.append(LineResult.refused(row.line, key,
                                                  ["Ce SIRET est déjà enregistré sur un autre territoire."]))
            elif holder.kind != OrganisationKind.COMPANY:
                results.append(LineResult.refused(row.line, key,
                                                  [f"Un acheteur avec ce SIRET existe déjà : {holder.name}"]))
            else:
                changed = [name for name, value in values.items() if getattr(holder, name) != value]
                if changed:
                    results.append(LineResult(row.line, Outcome.UPDATED, key,
                                              "Modifié : " + ", ".join(FIELD_LABELS[name] for name in changed) + "."))
                    updates.append({"id": holder.id, "version": holder.version + 1, "updated_at": utcnow(), **values})
                else:
                    results.append(LineResult(row.line, Outcome.UNCHANGED, key))
        if write and not any(result.outcome == Outcome.REFUSED for result in results):
            now = utcnow()
            for start in range(0, len(inserts), CHUNK):
                db.session.execute(sa.insert(Organisation), [
                    {**values, "territory_id": territory.id, "kind": OrganisationKind.COMPANY, "is_active": True,
                     "version": 1, "created_at": now, "updated_at": now} for values in inserts[start:start + CHUNK]])
            for start in range(0, len(updates), CHUNK):
                db.session.execute(sa.update(Organisation), updates[start:start + CHUNK])
        return results

    def export_rows(self, territory: Territory) -> list[dict[str, str]]:
        """The territory's companies in the template's format (columns by key), by name."""
        stmt = (sa.select(Company, Commune).outerjoin(Commune, Commune.insee_code == Company.commune_insee)
                .where(Company.territory_id == territory.id).order_by(Company.name, Company.id))
        return [{"siret": company.siret or "", "name": company.name,
                 "company_kind": company.company_kind.label if company.company_kind else "",
                 "address": company.address or "", "commune": commune_text(commune),
                 "email": company.email or "", "phone": company.phone or ""}
                for company, commune in db.session.execute(stmt)]


KIND = CompaniesKind()


class _Refused(Exception):
    def __init__(self, reasons: list[str]):
        self.reasons = reasons



def _values(row: Row, siret: str, communes: _CommuneCache) -> dict:
    """The company's columns from the line, every rule of the company form run."""
    reasons = []
    name = row.get("name")
    if not name:
        reasons.append("Indiquez le nom.")
    elif len(name) > 200:
        reasons.append("La raison sociale dépasse 200 caractères.")
    if not siret:
        reasons.append("Indiquez le SIRET de l'entreprise.")
    elif siret_error(siret):
        reasons.append(siret_error(siret))
    kind = CompanyKind.TITULAIRE
    try:
        kind = KIND_CHOICES.parse(row.get("company_kind"), "Type d'entreprise") or CompanyKind.TITULAIRE
    except CellError as error:
        reasons.append(str(error))
    address = row.get("address")
    if len(address) > 300:
        reasons.append("L'adresse dépasse 300 caractères.")
    commune = None
    try:
        commune = communes.insee(row.get("commune"))
    except DomainError as error:
        reasons.extend(refused.message for refused in refusals(error))
    contact = {}
    for parse, column in ((parse_email, "email"), (parse_phone, "phone")):
        try:
            contact[column] = parse(row.get(column))
        except ValueError as error:
            reasons.append(str(error))
    if reasons:
        raise _Refused(reasons)
    return {"siret": siret, "name": name, "company_kind": kind, "address": address or None,
            "commune_insee": commune, **contact}


def holders_by_siret(sirets: set[str]) -> dict[str, Organisation]:
    """Every organisation (any territory, any kind) holding one of `sirets`: one query per 1 000."""
    wanted = sorted(s for s in sirets if s)
    found: dict[str, Organisation] = {}
    for start in range(0, len(wanted), CHUNK):
        for organisation in db.session.scalars(sa.select(Organisation).where(
                Organisation.siret.in_(wanted[start:start + CHUNK]))):
            found[organisation.siret] = organisation
    return found


class _CommuneCache:
    """Communes resolved once per distinct text (the search index is in memory: no query)."""

    def __init__(self, territory_id: int):
        self.departments = territory_departments(territory_id)
        self.known: dict[str, str | DomainError | None] = {}

    def insee(self, text: str) -> str | None:
        if text not in self.known:
            try:
                self.known[text] = unambiguous_commune(text, self.departments).insee_code if text else None
            except DomainError as error:
                self.known[text] = error
        value = self.known[text]
        if isinstance(value, DomainError):
            raise value
        return value


def commune_text(commune: Commune | None) -> str:
    """A commune as the import reads it back without doubt: "Saint-Denis (93066)" (name and INSEE code)."""
    return f"{commune.name} ({commune.insee_code})" if commune else ""
