"""Helpers of the candidates tests: form values and consent as plain values."""
import itertools
from datetime import date

from clausematch.candidates.checks import CandidateInput, ConsentInput, CriterionInput, DesiredJobInput
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today

_numbers = itertools.count(1)


def make_input(**values) -> CandidateInput:
    """A valid candidate form, as plain values; keyword arguments override."""
    defaults = dict(first_name="Hélène", last_name="Martin", birth_date=date(1990, 5, 17), gender="f",
                    education_level="cap_bep", email="helene.martin@exemple.fr", phone="06 12 34 56 78",
                    commune_text="Saint-Denis (93200)", commune_insee="93066",
                    desired_jobs=[DesiredJobInput("Maçon / Maçonne (F1703 Maçonnerie)", "16250")],
                    skills="Coffrage", experience="Deux ans sur chantier", mobility_km=20,
                    criteria=[CriterionInput("rsa", "Attestation CAF", date(2025, 3, 1))])
    defaults.update(values)
    return CandidateInput(**defaults)


def make_consent(**values) -> ConsentInput:
    defaults = dict(given=True, given_on=today(), purposes=STANDARD_PURPOSES)
    defaults.update(values)
    return ConsentInput(**defaults)


def next_number() -> int:
    return next(_numbers)
