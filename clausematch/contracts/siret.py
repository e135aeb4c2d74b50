"""SIRET numbers: 14 digits (SIREN + NIC) protected by a Luhn checksum.

La Poste is the known exception (docs/domain.md): its establishments share SIREN 356000000 and
carry NICs that break the Luhn rule; INSEE checks them instead with "the sum of the 14 digits
is a multiple of 5". We accept a La Poste SIRET that passes either rule.
"""
import re

LA_POSTE_SIREN = "356000000"

MESSAGE_LENGTH = "Le SIRET doit comporter 14 chiffres (espaces acceptés)."
MESSAGE_CHECKSUM = "Le SIRET saisi n'est pas valide : sa clé de contrôle est invalide. Vérifiez chaque chiffre."

_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


def normalise_siret(text: str | None) -> str:
    """The digits people typed, without spaces, dots or dashes ("732 829 320 00074" → "73282932000074")."""
    return _SEPARATORS.sub("", text or "")


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def siret_error(siret: str) -> str | None:
    """The French message explaining why a normalised SIRET is wrong, or None if it is valid."""
    if len(siret) != 14 or not siret.isdigit():
        return MESSAGE_LENGTH
    if luhn_valid(siret):
        return None
    if siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0:
        return None
    return MESSAGE_CHECKSUM
