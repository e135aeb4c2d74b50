"""The ROME referential as the engine needs it, read from the bundled CSV files (no database).

`Referential` holds the codes, their labels, the appellations (job titles) with their gendered
forms, and the job mapper built from them (titles → ROME codes, see titles.py). Loading takes about
a second; `default_referential()` loads it once per process, at the first call, never at import.
"""
import csv
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from clausematch.text import gendered_forms, search_key

DATA_DIR = Path(__file__).resolve().parents[2] / "referential" / "data"  # clausematch/referential/data

# The 14 families of the ROME ("grands domaines"), labelling the 3-character domains (F17…).
FAMILIES = {
    "A": "Agriculture, espaces naturels et espaces verts, soins aux animaux",
    "B": "Arts et façonnage d'ouvrages d'art",
    "C": "Banque, assurance, immobilier",
    "D": "Commerce, vente et grande distribution",
    "E": "Communication, média et multimédia",
    "F": "Construction, bâtiment et travaux publics",
    "G": "Hôtellerie-restauration, tourisme, loisirs et animation",
    "H": "Industrie",
    "I": "Installation et maintenance",
    "J": "Santé",
    "K": "Services à la personne et à la collectivité",
    "L": "Spectacle",
    "M": "Support à l'entreprise",
    "N": "Transport et logistique",
}


@dataclass(frozen=True)
class Appellation:
    code: int
    label: str
    rome_code: str

    @property
    def forms(self) -> list[str]:
        """Masculine then feminine reading ("Maçon / Maçonne" → ["Maçon", "Maçonne"])."""
        return gendered_forms(self.label)


def domain_of(rome_code: str) -> str:
    """The ROME domain of a code: its first three characters ("F1703" → "F17")."""
    return rome_code[:3]


class Referential:
    """ROME codes, domains and appellations, with positions usable as matrix columns."""

    def __init__(self, codes: dict[str, str], appellations: list[Appellation]):
        self.code_labels = codes
        self.codes: list[str] = sorted(codes)
        self.code_index = {code: i for i, code in enumerate(self.codes)}
        self.domains: list[str] = sorted({domain_of(code) for code in self.codes})
        self.domain_index = {domain: i for i, domain in enumerate(self.domains)}
        self.appellations = appellations

    @classmethod
    def from_csv(cls, data_dir: Path = DATA_DIR) -> "Referential":
        with open(data_dir / "rome_codes.csv", newline="", encoding="utf-8") as handle:
            codes = {row["rome_code"]: row["label"] for row in csv.DictReader(handle)}
        with open(data_dir / "rome_appellations.csv", newline="", encoding="utf-8") as handle:
            appellations = [Appellation(int(row["appellation_code"]), row["label"], row["rome_code"])
                            for row in csv.DictReader(handle) if row["rome_code"] in codes]
        return cls(codes, appellations)

    def code_label(self, rome_code: str) -> str:
        return self.code_labels.get(rome_code, "")

    def known_codes(self, codes) -> list[str]:
        """The valid ROME codes among `codes` (upper-cased, order kept, duplicates dropped)."""
        cleaned = (str(code).strip().upper() for code in codes or ())
        return list(dict.fromkeys(code for code in cleaned if code in self.code_index))

    @cached_property
    def code_keys(self) -> dict[str, str]:
        """The search key of each code's label, for comparing it as text."""
        return {code: search_key(label) for code, label in self.code_labels.items()}

    @cached_property
    def code_domains(self) -> np.ndarray:
        """Domain column of each code column."""
        return np.array([self.domain_index[domain_of(code)] for code in self.codes], np.int64)

    @cached_property
    def mapper(self):
        """The title → ROME code mapper, built at first use (about a second) and shared."""
        from clausematch.matching.engine.titles import JobMapper

        return JobMapper(self)

    @cached_property
    def words(self):
        """The word vectoriser whose idf comes from the appellations (see vectors.py)."""
        from clausematch.matching.engine.vectors import WordVectoriser

        return WordVectoriser(self)


_default: Referential | None = None
_default_lock = threading.Lock()


def default_referential() -> Referential:
    """The bundled referential, loaded at the first call and then shared by every engine."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Referential.from_csv()
    return _default
