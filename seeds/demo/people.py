"""The 3 000 candidates: who they are, where they live, what they look for, who sends them.

Dates (creation, eligibility, consent) are set later by `seeds.demo.eligibility`, once the
applications tell when each person was first oriented."""
from datetime import timedelta

from clausematch.accounts.models import PrescriberKind
from clausematch.candidates.models import Candidate
from clausematch.formats import normalise_phone
from clausematch.referential.certificates import as_text, parse_items
from clausematch.vocabulary import EducationLevel, Gender
from seeds.demo.common import Plan, name_key, plain, weighted
from seeds.demo.names import FEMALE_FIRST_NAMES, LAST_NAMES, MALE_FIRST_NAMES, NAME_VARIANTS
from seeds.demo.organisations import FT_SAINT_DENIS, PRESCRIBERS
from seeds.demo.territory import is_local, resident_commune
from seeds.demo.trades import CONSTRUCTION, SEEKER_TRADES, SERVICES, TRADES, TYPED

CANDIDATE_COUNT = 3000
DUPLICATES = 12  # people registered a second time by another prescriber, names typed differently
MOBILITY_KM = {5: 8, 10: 20, 15: 18, 20: 18, 30: 20, 40: 10, 50: 6}  # km → weight
WOMEN_SHARE = {CONSTRUCTION: 0.07, SERVICES: 0.40}
FT_AGENCY = {"93001": "France Travail Aubervilliers", "93027": "France Travail La Courneuve",
             "93031": "France Travail Épinay-sur-Seine"}
EXPERIENCE = {
    CONSTRUCTION: ["Six mois d'intérim sur chantier de gros œuvre.", "Aide familial dans le bâtiment au pays.",
                   "Deux chantiers d'insertion (second œuvre).", "Sans expérience, très motivé pour le bâtiment.",
                   "Manœuvre pendant trois ans, arrêt pour raison familiale.", "Stage de découverte en plomberie."],
    SERVICES: ["Ménage chez des particuliers, sans déclaration.", "Un an d'agent d'entretien en CDD.",
               "Aide-cuisine en restauration rapide.", "Accueil en association de quartier (bénévole).",
               "Jardinage en chantier d'insertion.", "Sans expérience professionnelle en France."],
}
SKILLS = {
    CONSTRUCTION: ["Lecture de plans simple, port de charges", "Travail en équipe, ponctualité",
                   "Manipulation d'outils électroportatifs", "Respect des consignes de sécurité"],
    SERVICES: ["Utilisation des produits d'entretien, autonomie", "Accueil du public, bonne élocution",
               "Bureautique de base", "Horaires décalés acceptés"],
}


def build_candidates(plan: Plan) -> None:
    """Queue the candidates; `plan.refs["people"]` keeps what the other builders need per id."""
    rng = plan.rng("people")
    plan.refs["people"] = {}
    for _ in range(CANDIDATE_COUNT - DUPLICATES):
        _add_person(plan, rng)
    originals = rng.sample(plan.rows[Candidate], DUPLICATES)
    for original in originals:
        _add_duplicate(plan, rng, original)


def draw_person(rng) -> tuple[str, str, Gender, int, str, str]:
    """Track, trade, gender, age, first and last name of one job seeker, with the territory's
    shares (the demo, and `flask seed scale`)."""
    track = CONSTRUCTION if rng.random() < 0.62 else SERVICES
    trade = weighted(rng, SEEKER_TRADES[track])
    roll = rng.random()
    gender = Gender.OTHER if roll < 0.005 else Gender.FEMALE if roll < WOMEN_SHARE[track] else Gender.MALE
    age = _age(rng)
    first = rng.choice(FEMALE_FIRST_NAMES if gender is Gender.FEMALE else MALE_FIRST_NAMES)
    return track, trade, gender, age, first, rng.choice(LAST_NAMES)


def _add_person(plan: Plan, rng) -> dict:
    track, trade, gender, age, first, last = draw_person(rng)
    commune = resident_commune(plan, rng)
    qpv = rng.random() < (0.75 if is_local(plan, commune) else 0.30)
    jobs = _desired_jobs(rng, trade, track)
    prescriber, referent = _prescriber(plan, rng, age, commune)
    row = plan.add(
        Candidate, territory_id=plan.refs["territory"]["id"], prescriber_id=prescriber["id"],
        referent_id=referent["id"], first_name=first, last_name=last, name_key=name_key(first, last),
        birth_date=plan.anchor - timedelta(days=int((age + rng.random()) * 365.25)), gender=gender,
        email=_email(rng, first, last), phone=normalise_phone(_phone(rng)), commune_insee=commune,
        education_level=_education(rng, age), desired_jobs_text=_typed(rng, jobs), skills=rng.choice(SKILLS[track]),
        experience=rng.choice(EXPERIENCE[track]), mobility_km=weighted(rng, MOBILITY_KM),
        driving_licence=age >= 20 and rng.random() < (0.32 if gender is Gender.FEMALE else 0.42),
        **_certificates(TRADES[trade].certificates if rng.random() < 0.15 else ""),
        available=rng.random() < 0.92, available_from=None, merged_into_id=None, created_at=None, updated_at=None)
    if not row["available"]:
        row["available_from"] = plan.anchor + timedelta(days=rng.randint(7, 75))
    # Residence in a QPV is the "qpv" eligibility criterion, queued with the others (eligibility.py).
    plan.refs["people"][row["id"]] = {"track": track, "trade": trade, "age": age, "jobs": jobs, "qpv": qpv,
                                      "prescriber_kind": prescriber["prescriber_kind"], "apps": [],
                                      "validated": None, "not_eligible": False}
    return row


def _add_duplicate(plan: Plan, rng, original: dict) -> None:
    first = NAME_VARIANTS.get(original["first_name"], plain(original["first_name"]).title())
    last = NAME_VARIANTS.get(original["last_name"], original["last_name"].upper())
    people = plan.refs["people"]
    prescriber, referent = _prescriber(plan, rng, people[original["id"]]["age"], original["commune_insee"],
                                       avoid=original["prescriber_id"])
    copy = {**original, "prescriber_id": prescriber["id"], "referent_id": referent["id"], "first_name": first,
            "last_name": last, "name_key": name_key(first, last), "email": None, "phone": original["phone"]}
    del copy["id"]
    row = plan.add(Candidate, **copy)
    people[row["id"]] = {**people[original["id"]], "apps": [], "prescriber_kind": prescriber["prescriber_kind"],
                         "twin": original["id"]}
    people[original["id"]]["twin"] = row["id"]


def _age(rng) -> int:
    roll = rng.random()
    if roll < 0.25:
        return rng.randint(18, 25)
    if roll < 0.88:
        return rng.randint(26, 49)
    return rng.randint(50, 62)


def _education(rng, age: int) -> EducationLevel:
    young = {"none": 35, "cap_bep": 35, "bac": 22, "bac_2": 6, "bac_3_plus": 2}
    older = {"none": 38, "cap_bep": 34, "bac": 16, "bac_2": 8, "bac_3_plus": 4}
    return EducationLevel(weighted(rng, young if age < 26 else older))


def _desired_jobs(rng, trade: str, track: str) -> list[int]:
    codes = list(TRADES[trade].appellations)
    jobs = [rng.choices(codes, weights=range(len(codes) + 1, 1, -1))[0]]
    if rng.random() < 0.45:
        other = rng.choice(codes)
        if other not in jobs:
            jobs.append(other)
    if rng.random() < 0.2:
        neighbour = weighted(rng, SEEKER_TRADES[track])
        extra = TRADES[neighbour].appellations[0]
        if extra not in jobs:
            jobs.append(extra)
    return jobs


def _typed(rng, jobs: list[int]) -> str:
    separator = rng.choice([", ", " / ", " ou ", " - "])
    return separator.join(rng.choice(TYPED[code]) for code in jobs)


def _email(rng, first: str, last: str) -> str | None:
    if rng.random() < 0.22:
        return None
    local = f"{plain(first).replace(' ', '')}.{plain(last).replace(' ', '')}"
    return f"{local}{rng.randint(1, 99) if rng.random() < 0.6 else ''}@example.{rng.choice(['net', 'org', 'com'])}"


def _phone(rng) -> str | None:
    # 06 39 98 xx xx: the mobile range ARCEP reserves for fiction.
    return None if rng.random() < 0.08 else f"06 39 98 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d}"


def _prescriber(plan: Plan, rng, age: int, commune: str, avoid: int | None = None):
    orgs = plan.refs["orgs"]
    kind = weighted(rng, {PrescriberKind.MISSION_LOCALE: 55 if age < 26 else 0,
                          PrescriberKind.FRANCE_TRAVAIL: 30 if age < 26 else 52, PrescriberKind.CAP_EMPLOI: 4,
                          PrescriberKind.PLIE: 0 if age < 26 else 15, PrescriberKind.SOCIAL_SERVICE: 8,
                          PrescriberKind.SIAE: 4, PrescriberKind.ASSOCIATION: 7,
                          PrescriberKind.OTHER: 6 if age < 26 else 0})
    if kind is PrescriberKind.FRANCE_TRAVAIL:
        name = FT_AGENCY.get(commune, FT_SAINT_DENIS)
    else:
        name = rng.choice([n for n, k, _ in PRESCRIBERS if k is kind])
    if orgs[name]["id"] == avoid:
        name = FT_SAINT_DENIS if name != FT_SAINT_DENIS else "PLIE Plaine Commune"
    prescriber = orgs[name]
    staff = plan.refs["staff"][prescriber["id"]]
    # The demo prescriber account follows twice as many people as its colleagues.
    weights = [2 if user["email"].startswith("prescripteur@") else 1 for user in staff]
    return prescriber, rng.choices(staff, weights=weights)[0]


def pick_candidates(plan: Plan, rng, count: int, track: str, taken: set[int]) -> list[int]:
    """`count` distinct candidates of `track` not yet in a story (added to `taken`)."""
    pool = [cid for cid, person in plan.refs["people"].items() if person["track"] == track and cid not in taken]
    chosen = rng.sample(pool, count)
    taken.update(chosen)
    return chosen


def _certificates(text: str) -> dict:
    """The typed certificates and their referential codes (clausematch/referential/certificates.py)."""
    items, _ = parse_items(text)
    codes = [item.code for item in items]
    return {"certificates": as_text(codes) if codes else text, "certificate_codes": codes}
