"""Reading DECP files (données essentielles de la commande publique) into rows, and the published
values' meaning.

Three shapes are read, all published by the State or its consolidators:

- JSON, 2022 schema (arrêté du 22 décembre 2022, in force since 2024):
  ``{"marches": {"marche": [{...}]}}``; list fields wrapped in an object
  (``"considerationsSociales": {"considerationSociale": ["Clause sociale"]}``), titulaires as
  ``[{"titulaire": {"typeIdentifiant": "SIRET", "id": "…"}}]``, modifications as
  ``[{"modification": {"id": 1, "montant": …, "dureeMois": …}}]``.
- JSON, 2019 schema: ``{"marches": [{...}]}``; ``acheteur`` has ``id`` and ``nom``, titulaires
  and modifications unwrapped, no ``considerationsSociales`` (the clause is then unknown).
- CSV, the tabular exports (decp.info / data.gouv.fr: one line per titulaire and per
  modification, ``donneesActuelles`` marking the current state; data.economie.gouv.fr: ``;``
  separated, lower-case headers such as ``acheteurid``, ``considerationssociales``), list values
  separated by ``,`` or ``;``.

Each marché becomes a `Row` whose values are strings keyed by `FIELDS`; the rows of a CSV that
repeat a marché with the same values (one per titulaire) are read once. A marché's current amount
and duration are those of its latest modification that gives them.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from clausematch.contracts.models import ClauseKind
from clausematch.contracts.siret import normalise_siret
from clausematch.database import add_months
from clausematch.errors import DomainError
from clausematch.formats import parse_decimal
from clausematch.imports.base import Row, header_key
from clausematch.vocabulary import Sector

# The values of a row read from a DECP file.
FIELDS = ("id", "buyer_siret", "buyer_name", "object", "cpv", "nature", "notified_on", "amount",
          "duration_months", "social")

# CSV headers (compared with `header_key`: accents, case and punctuation aside) → row key.
CSV_HEADERS = {
    "id": "id", "identifiant": "id", "identifiant interne": "id", "id marche": "id",
    "acheteur id": "buyer_siret", "acheteurid": "buyer_siret", "id acheteur": "buyer_siret",
    "siret acheteur": "buyer_siret", "acheteur siret": "buyer_siret",
    "acheteur nom": "buyer_name", "nom acheteur": "buyer_name", "acheteurnom": "buyer_name",
    "objet": "object",
    "codecpv": "cpv", "code cpv": "cpv",
    "nature": "nature",
    "datenotification": "notified_on", "date notification": "notified_on", "date de notification": "notified_on",
    "montant": "amount", "montant attribue": "amount",
    "dureemois": "duration_months", "duree mois": "duration_months",
    "considerationssociales": "social", "considerations sociales": "social",
    "donneesactuelles": "current", "donnees actuelles": "current",
}
CSV_REQUIRED = {"id": "id", "buyer_siret": "acheteur_id", "notified_on": "dateNotification"}
SEPARATOR = "; "  # between the published social considerations kept in a row

# --- What the published values mean --------------------------------------------------------------

# Published social considerations (2022 schema) → the ClauseMatch kinds they may stand for. The
# first kind is the one given to a new contract; an existing contract whose kind is among them
# keeps it (a hand-typed "réservé EA/ESAT" is finer than the published "Marché réservé").
SOCIAL_KINDS: dict[str, tuple[ClauseKind, ...]] = {
    "marche reserve": (ClauseKind.RESERVED_SIAE, ClauseKind.RESERVED_EA),
    "clause sociale": (ClauseKind.EXECUTION_CONDITION, ClauseKind.INSERTION_CONTRACT),
    "critere social": (ClauseKind.AWARD_CRITERION,),
}
NO_SOCIAL = {"pas de consideration sociale", "sans objet", "aucune", "non", "pas de clause sociale"}
UNKNOWN = {"", "nc", "non communique", "null", "none", "nan"}


@dataclass(frozen=True)
class Social:
    """What the file says of the social clause: `known` False when it says nothing usable (field
    absent, "NC"); `kinds` the candidate kinds by priority (empty: no social clause)."""
    known: bool
    kinds: tuple[ClauseKind, ...] = ()


def parse_social(text: str) -> Social:
    """The row's social considerations ("Critère social; Clause sociale") → a `Social`.
    Raises ValueError naming a value that is none of the published ones."""
    values = [header_key(part) for part in re.split(r"[;,|]", text or "")]
    values = [value for value in values if value not in UNKNOWN]
    if not values:
        return Social(known=False)
    kinds: list[ClauseKind] = []
    for published, candidates in SOCIAL_KINDS.items():  # priority: reserved, clause, criterion
        if published in values:
            kinds.extend(candidates)
    strange = [value for value in values if value not in SOCIAL_KINDS and value not in NO_SOCIAL]
    if strange:
        raise ValueError(strange[0])
    return Social(known=True, kinds=tuple(kinds))


def clause_kind_for(social: Social, current: ClauseKind | None) -> ClauseKind | None:
    """The kind a contract gets: unknown → the current one (None for a new contract); a kind the
    file allows → the current one if it is among them, else the first."""
    if not social.known:
        return current
    if not social.kinds:
        return None
    return current if current in social.kinds else social.kinds[0]


def sector_for(cpv: str, nature: str = "") -> Sector:
    """Works (CPV division 45) → construction; services and supplies → services (the two sectors
    ClauseMatch knows). Without a CPV code, a nature or CCAG saying "Travaux" means works."""
    digits = re.sub(r"\D", "", cpv or "")
    if digits:
        return Sector.CONSTRUCTION if digits.startswith("45") else Sector.SERVICES
    return Sector.CONSTRUCTION if "travaux" in header_key(nature) else Sector.SERVICES


_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_published_date(text: str) -> date | None:
    """"2024-02-08", "2024-02-08+01:00", "2024-02-08T00:00:00Z" or "08/02/2024"; None when empty.
    Raises ValueError when it is not a date."""
    text = (text or "").strip()
    if header_key(text) in UNKNOWN:
        return None
    if match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _FR_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


def normalise_buyer_siret(value: str) -> str:
    """The acheteur's SIRET as ClauseMatch stores it: digits only; a 13-digit number (an export that
    typed the column as an integer dropped the leading zero) is padded back to 14."""
    digits = normalise_siret(value)
    return digits.zfill(14) if digits.isdigit() and 9 < len(digits) < 14 else digits


# --- Reading ---------------------------------------------------------------------------------------

@dataclass
class Reading:
    """The rows of the marchés kept, and how many records were left out: marchés of buyers outside
    the given SIRETs, and records that are not marchés (concessions)."""
    rows: list[Row]
    other_buyers: int = 0
    not_marches: int = 0


def read_decp(data: bytes, filename: str, buyer_sirets: Collection[str] | None = None) -> Reading:
    """Every marché of the file as a row; with `buyer_sirets`, only those of these buyers (the
    territory's), the others counted. Raises DomainError (French) when the file is no DECP file."""
    text = _decoded(data)
    stripped = text.lstrip()
    is_json = filename.lower().endswith(".json") or stripped.startswith(("{", "["))
    records = _json_records(stripped) if is_json else _csv_records(text)
    reading = Reading(rows=[])
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for line, values in records:
        if values is None:
            reading.not_marches += 1
            continue
        siret = values["buyer_siret"]
        if buyer_sirets is not None and siret not in buyer_sirets:
            reading.other_buyers += 1
            continue
        key = (siret, values["id"].lower())
        if values["id"] and seen.get(key) == values:
            continue  # the same marché again: another titulaire's line, or a republication
        seen.setdefault(key, values)
        reading.rows.append(Row(line=line, values=values))
    return reading


def _decoded(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# A consolidated file opens with its list of marchés: read it one marché at a time.
_MARCHES_OPENING = re.compile(r'\s*\{\s*"marches"\s*:\s*(?:\{\s*"marche"\s*:\s*)?\[')
_BLANK = re.compile(r"\s*")
UNREADABLE = "Ce fichier JSON est illisible : vérifiez qu'il est complet."


def _json_records(text: str) -> Iterator[tuple[int, dict[str, str] | None]]:
    marches = _streamed_marches(text) if _MARCHES_OPENING.match(text) else _parsed_marches(text)
    for position, marche in enumerate(marches, start=1):
        if not isinstance(marche, dict):
            yield position, None
            continue
        kind = header_key(str(marche.get("_type") or ""))
        yield position, (None if "concession" in kind else _json_values(marche))


def _streamed_marches(text: str) -> Iterator:
    """The marchés of a file opening with ``{"marches": [`` or ``{"marches": {"marche": [``, decoded
    one by one: a marché of another buyer is dropped as soon as it is read, never the whole
    document held as objects. What follows the list (concessions) is not read."""
    decoder = json.JSONDecoder()
    position = _BLANK.match(text, _MARCHES_OPENING.match(text).end()).end()
    if text.startswith("]", position):
        return
    while True:
        try:
            marche, position = decoder.raw_decode(text, position)
        except ValueError as error:
            raise DomainError(UNREADABLE) from error
        yield marche
        position = _BLANK.match(text, position).end()
        if text.startswith(",", position):
            position = _BLANK.match(text, position + 1).end()
        elif text.startswith("]", position):
            return
        else:
            raise DomainError(UNREADABLE)


def _parsed_marches(text: str) -> list:
    """Any other layout (keys in another order, a bare list): the whole document parsed."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise DomainError(UNREADABLE) from error
    marches = document.get("marches") if isinstance(document, dict) else document
    if isinstance(marches, dict):  # 2022 schema
        marches = marches.get("marche")
    if not isinstance(marches, list):
        raise DomainError("Ce fichier JSON n'est pas au format DECP : la liste « marches » est introuvable.")
    return marches


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _unwrapped(value, inner: str) -> list:
    """A 2022-schema list (``{"considerationSociale": [...]}`` or ``[{"modification": {...}}]``)
    or a 2019 one, as a plain list."""
    if isinstance(value, dict):
        value = value.get(inner, [])
    if not isinstance(value, list):
        value = [value] if value not in (None, "") else []
    return [item[inner] if isinstance(item, dict) and isinstance(item.get(inner), dict) else item
            for item in value]


def _json_values(marche: dict) -> dict[str, str]:
    buyer = marche.get("acheteur") if isinstance(marche.get("acheteur"), dict) else {}
    amount, duration = marche.get("montant"), marche.get("dureeMois")
    modifications = [m for m in _unwrapped(marche.get("modifications"), "modification") if isinstance(m, dict)]
    for modification in sorted(modifications, key=_modification_order):
        if modification.get("montant") not in (None, ""):
            amount = modification["montant"]
        if modification.get("dureeMois") not in (None, ""):
            duration = modification["dureeMois"]
    socials = _unwrapped(marche.get("considerationsSociales"), "considerationSociale")
    return {
        "id": _text(marche.get("id")),
        "buyer_siret": normalise_buyer_siret(_text(buyer.get("id") or marche.get("acheteur.id")
                                                   or marche.get("acheteur_id"))),
        "buyer_name": _text(buyer.get("nom") or marche.get("acheteur.nom")),
        "object": _text(marche.get("objet")),
        "cpv": _text(marche.get("codeCPV")),
        "nature": _text(marche.get("nature")),
        "notified_on": _text(marche.get("dateNotification")),
        "amount": _text(amount),
        "duration_months": _text(duration),
        "social": SEPARATOR.join(_text(value) for value in socials if _text(value)),
    }


def _modification_order(modification: dict) -> tuple[str, int]:
    number = modification.get("id")
    return (_text(modification.get("dateNotificationModification")),
            number if isinstance(number, int) else 0)


def _csv_records(text: str) -> Iterator[tuple[int, dict[str, str] | None]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise DomainError("Le fichier est vide.")
    columns = {index: CSV_HEADERS[header_key(name)] for index, name in enumerate(header)
               if header_key(name) in CSV_HEADERS}
    missing = [label for key, label in CSV_REQUIRED.items() if key not in columns.values()]
    if missing:
        raise DomainError("Ce fichier CSV n'est pas au format DECP : colonne(s) introuvable(s) : "
                          + ", ".join(missing) + ".")
    return _csv_lines(reader, columns)


def _csv_lines(reader: Iterable[list[str]], columns: dict[int, str]) -> Iterator[tuple[int, dict[str, str] | None]]:
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = dict.fromkeys(FIELDS, "")
        for index, key in columns.items():
            if index < len(cells):
                values[key] = cells[index].strip()
        current = values.pop("current", "")
        if current and header_key(current) not in {"true", "1", "oui", "vrai"}:
            continue  # an earlier state of a modified marché (decp.info: donneesActuelles false)
        values["buyer_siret"] = normalise_buyer_siret(values["buyer_siret"])
        values["social"] = SEPARATOR.join(part.strip() for part in re.split(r"[;,|]", values["social"])
                                          if part.strip())
        yield line, values


def parse_published_amount(text: str):
    """"127835.12", "1.0E7" (JSON numbers) or "127 835,12 €" (French exports); None when empty.
    Raises ValueError when it is not a number."""
    return parse_decimal(text.replace("€", "")) if text else None


def today_limit(today: date) -> date:
    """The latest notification date accepted: a marché is published after its notification, so a
    date beyond next month is a typing mistake."""
    return add_months(today, 1)

