"""How messages name a person: first name and initial of the last name (« Awa D. »), the only
part of the name notifications and e-mails carry; the details are behind their link."""
from clausematch.candidates.models import Candidate

VOWELS = "aàâäeéèêëhiîïoôöuùûüy"  # h: « d'Hélène »


def short_name(candidate: Candidate) -> str:
    initial = (candidate.last_name or "").strip()[:1].upper()
    return f"{candidate.first_name} {initial}." if initial else candidate.first_name


def of_name(name: str) -> str:
    """« d'Awa D. », « de Léa M. » (the French elision before a vowel)."""
    return f"d'{name}" if name and name[0].lower() in VOWELS else f"de {name}"
