"""Synthetic territories for the benchmark and the offline evaluation (deterministic by seed).

Job titles come from the ROME appellations, typed the way prescribers type them: masculine or
feminine form, capitals and accents lost, "H/F" added, usual short forms ("agt", "tech"), a
trailing word dropped, one typo. Positions are communes drawn by population, moved by about a
kilometre; criteria follow rough shares of the publics seen on clauses. Each generated profile
comes with its true ROME code(s), which grade the engine's answers.

With `mix=True` (the offline evaluation, issue 16) the territory also holds the harder cases,
each tagged with its kind so the evaluation reports them apart:
- "slang": a title from benchmarks/slang_titles.csv (hand-written, with its true code; part of
  it is not in the mapper's job_slang.csv, see the evaluation), for the codes that file covers;
- "filler": a title polluted by words that say nothing of the trade (FILLER_WORDS);
- "multi": a candidate typing two jobs in one field ("plaquiste / peintre BTP"), for the codes
  of MULTI_CODES (every candidate of those codes types so, half of them with the code second);
- "uncoded" / "coded": an offer without / with a declared ROME code;
- "certificate": an offer requiring certificates or licences (`certify`: candidates then hold
  items of their trade's family, sometimes the near miss).
The default (mix=False) draws exactly what it drew before, for the speed benchmark.
"""
import csv
import itertools
import math
import random
from dataclasses import dataclass, replace
from pathlib import Path

from clausematch.matching.engine import CandidateProfile, OfferProfile
from clausematch.matching.engine.referential import DATA_DIR, Referential
from clausematch.text import STOPWORDS, normalise

# Jobs clauses usually carry (docs/domain.md): half the generated profiles use one of them.
CLAUSE_CODES = ("F1701", "F1702", "F1703", "F1704", "F1705", "F1601", "F1602", "F1603", "F1604",
                "F1606", "F1607", "F1608", "F1610", "F1613", "F1301", "F1302", "K2204", "K2303",
                "A1203", "G1602", "G1603", "M1602", "K1204", "N1103", "N4105", "K2110", "J1301")
ILE_DE_FRANCE = ("75", "77", "78", "91", "92", "93", "94", "95")
# Share of candidates holding each criterion (a candidate may hold several).
CRITERIA_SHARES = {"qpv": 0.45, "deld": 0.3, "rsa": 0.2, "under_26": 0.2, "detld": 0.1, "over_50": 0.1,
                   "rqth": 0.06, "ass": 0.04, "aah": 0.03, "iae": 0.08, "structure": 0.05, "derogation": 0.02}
OFFER_CRITERIA = (frozenset({"deld", "detld", "rsa", "qpv", "under_26"}), frozenset({"rsa", "ass", "aah"}),
                  frozenset({"under_26"}), frozenset({"deld", "detld", "rqth", "over_50", "iae"}))
SKILLS = ("permis B", "CACES R489", "travail en hauteur", "habilitation électrique", "lecture de plans",
          "port des EPI", "coffrage", "pose de carrelage", "HACCP", "autolaveuse", "taille de haies",
          "Pack Office", "accueil du public", "manutention", "soudure")
MOBILITIES = (5.0, 10.0, 15.0, 20.0, 30.0, 30.0, 50.0)
SHORT_FORMS = {"agent": "agt", "agente": "agt", "technicien": "tech", "technicienne": "tech",
               "responsable": "resp"}
KM_PER_DEGREE = 111.2
SLANG_TITLES = Path(__file__).resolve().parent / "slang_titles.csv"
# Words prescribers add to titles that say nothing of the trade (issue 16).
FILLER_WORDS = ("H/F", "CDI", "CDD", "intérim", "URGENT", "débutant accepté", "clause sociale", "temps plein",
                "temps partiel", "week-end", "(F/H)", "poste à pourvoir", "mission intérim")
JOB_SEPARATORS = (" / ", ", ", " + ", " ou ", " et ", "/")
# Codes whose candidates all type two jobs in one field (mix=True); none of them in slang_titles.csv.
MULTI_CODES = ("F1613", "F1609", "F1612", "G1604", "D1102", "D1101", "H3303", "I1604", "K2201", "N1104")

# Certificates (`certify`): the items of each ROME family (first letter; N11 logistics apart), the
# near miss sometimes held instead, and the items held whatever the trade.
FAMILY_ITEMS = {
    "N11": ("caces-r489-3", "caces-r489-5", "caces-r489-1a", "sst"),
    "N": ("permis-c", "permis-ce", "fimo-marchandises", "caces-r490"),
    "F": ("caces-r482-a", "caces-r482-c1", "ss4", "hab-b1v", "hab-br", "aipr-operateur", "caces-r486-b"),
    "K": ("sst", "psc1", "ssiap-1", "tp-agent-proprete", "ssiap-2"),
    "G": ("sst", "psc1", "tp-cuisinier"),
}
OTHER_ITEMS = ("sst", "permis-b", "psc1", "hab-b0")
NEAR_MISSES = {"caces-r489-3": "caces-r489-1a", "caces-r489-5": "caces-r489-3", "ss4": "ss3", "hab-b1v": "hab-b0",
               "ssiap-2": "ssiap-1", "permis-ce": "permis-c", "caces-r482-c1": "caces-r482-a"}
HOLD_SHARE, NEAR_SHARE, OTHER_SHARE = 0.35, 0.15, 0.1


@dataclass(frozen=True)
class Labelled:
    """A generated profile and its true ROME code."""

    profile: CandidateProfile | OfferProfile
    rome_code: str
    codes: tuple[str, ...] = ()  # every true code (a multi-job candidate has two); () = (rome_code,)
    kinds: frozenset[str] = frozenset()  # "slang", "filler", "multi", "coded", "uncoded"…

    @property
    def true_codes(self) -> tuple[str, ...]:
        return self.codes or (self.rome_code,)


class World:
    """Draws candidates and offers for one territory (a set of departments, or all of France)."""

    def __init__(self, referential: Referential, seed: int = 0, departments: tuple[str, ...] = (),
                 mix: bool = False):
        self.rng = random.Random(seed)
        self.mix = mix
        self.slang: dict[str, list[str]] = {}
        if mix:
            with open(SLANG_TITLES, newline="", encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    self.slang.setdefault(row["code_rome"], []).append(row["titre"])
        self.multi_codes = [code for code in MULTI_CODES if code not in self.slang]
        self.referential = referential
        by_code: dict[str, list[str]] = {}
        for appellation in referential.appellations:
            by_code.setdefault(appellation.rome_code, []).extend(appellation.forms)
        self.forms = by_code
        self.clause_codes = [code for code in CLAUSE_CODES if code in by_code]
        self.all_codes = sorted(by_code)
        self.places, weights = _communes(departments)
        self.cumulative = list(itertools.accumulate(weights))

    def code(self) -> str:
        pool = self.clause_codes if self.rng.random() < 0.5 else self.all_codes
        return self.rng.choice(pool)

    def position(self) -> tuple[float | None, float | None]:
        if self.rng.random() < 0.03:
            return None, None  # position not known
        lat, lon = self.rng.choices(self.places, cum_weights=self.cumulative)[0]
        jitter = 1.0 / KM_PER_DEGREE
        return (lat + self.rng.gauss(0, jitter),
                lon + self.rng.gauss(0, jitter / math.cos(math.radians(lat))))

    def candidate(self, id, code: str | None = None) -> Labelled:
        code = code or self.code()
        titles = [noisy_title(self.rng, self.rng.choice(self.forms[code]))]
        if self.rng.random() < 0.3:  # a second, related job typed too
            titles.append(noisy_title(self.rng, self.rng.choice(self.forms[code])))
        codes, kinds = (code,), frozenset()
        if self.mix:
            titles, codes, kinds = self.mixed_titles(code, titles)
        lat, lon = self.position()
        profile = CandidateProfile(
            id, titles, rome_codes=[code] if self.rng.random() < 0.3 else [],
            skills=self.rng.sample(SKILLS, self.rng.choice((0, 0, 1, 2))), latitude=lat, longitude=lon,
            mobility_km=self.rng.choice(MOBILITIES), criteria=self.criteria(),
            available=self.rng.random() < 0.9)
        return Labelled(profile, code, codes, kinds)

    def mixed_titles(self, code: str, titles: list[str]) -> tuple[list[str], tuple[str, ...], frozenset[str]]:
        """A candidate's titles typed the harder ways (mix=True), with its true codes and kinds."""
        rng, kinds, codes = self.rng, set(), (code,)
        if code in self.multi_codes:
            other = rng.choice(self.clause_codes)
            jobs = [titles[0], noisy_title(rng, rng.choice(self.forms[other]))]
            if rng.random() < 0.5:
                jobs.reverse()
            titles = [rng.choice(JOB_SEPARATORS).join(jobs)] + titles[1:]
            codes, kinds = (code, other), {"multi"}
        elif code in self.slang and rng.random() < 0.5:
            titles = [rng.choice(self.slang[code])] + titles[1:]
            kinds.add("slang")
        if rng.random() < 0.15:
            titles = [with_filler(rng, titles[0])] + titles[1:]
            kinds.add("filler")
        return titles, codes, frozenset(kinds)

    def offer(self, id, code: str | None = None) -> Labelled:
        if self.mix:
            return self.mixed_offer(id, code)
        code = code or self.code()
        form = self.rng.choice(self.forms[code])
        title = form + (" H/F" if self.rng.random() < 0.3 else "")
        lat, lon = self.position()
        eligible = self.rng.choice(OFFER_CRITERIA) if self.rng.random() < 0.4 else frozenset()
        required = frozenset({"qpv"}) if self.rng.random() < 0.1 else frozenset()
        profile = OfferProfile(
            id, title, rome_code=code if self.rng.random() < 0.7 else None,
            skills=self.rng.sample(SKILLS, self.rng.choice((0, 1))), latitude=lat, longitude=lon,
            eligible_criteria=eligible, required_criteria=required)
        return Labelled(profile, code)

    def mixed_offer(self, id, code: str | None = None) -> Labelled:
        """An offer of one of the kinds (mix=True): slang title, filler, a code whose candidates
        type several jobs, or a plain one; declared ROME code or not (70 % / 30 %)."""
        rng, kinds = self.rng, set()
        draw = rng.random()
        if code is None and draw < 0.3:
            code = rng.choice(sorted(self.slang))
        elif code is None and draw < 0.5:
            code = rng.choice(self.multi_codes)
        code = code or self.code()
        if code in self.slang and rng.random() < 0.7:
            title = rng.choice(self.slang[code])
            kinds.add("slang")
        else:
            title = rng.choice(self.forms[code])
        if code in self.multi_codes:
            kinds.add("multi")
        if rng.random() < 0.25:
            title = with_filler(rng, title)
            kinds.add("filler")
        coded = rng.random() < 0.7
        kinds.add("coded" if coded else "uncoded")
        lat, lon = self.position()
        eligible = rng.choice(OFFER_CRITERIA) if rng.random() < 0.4 else frozenset()
        required = frozenset({"qpv"}) if rng.random() < 0.1 else frozenset()
        profile = OfferProfile(
            id, title, rome_code=code if coded else None, skills=rng.sample(SKILLS, rng.choice((0, 1))),
            latitude=lat, longitude=lon, eligible_criteria=eligible, required_criteria=required)
        return Labelled(profile, code, (code,), frozenset(kinds))

    def criteria(self) -> frozenset[str]:
        return frozenset(code for code, share in CRITERIA_SHARES.items() if self.rng.random() < share)


def items_of(code: str) -> tuple[str, ...]:
    """The certificates of a ROME code's family (FAMILY_ITEMS)."""
    return FAMILY_ITEMS.get(code[:3]) or FAMILY_ITEMS.get(code[:1]) or OTHER_ITEMS


def held(rng: random.Random, code: str) -> set[str]:
    """Certificates a candidate of `code` holds: each item of the family with HOLD_SHARE, else its
    near miss with NEAR_SHARE, plus the everyday items with OTHER_SHARE."""
    out = set()
    for item in items_of(code):
        draw = rng.random()
        if draw < HOLD_SHARE:
            out.add(item)
        elif draw < HOLD_SHARE + NEAR_SHARE and item in NEAR_MISSES:
            out.add(NEAR_MISSES[item])
    out.update(item for item in OTHER_ITEMS if rng.random() < OTHER_SHARE)
    return out


def certify(candidates: list[Labelled], offers: list[Labelled], catalogue, seed: int,
            offer_share: float) -> tuple[list[Labelled], list[Labelled]]:
    """The candidates holding certificates of their trade's family (`held`, with what the items
    imply in `catalogue`), and the offers of which `offer_share` require one or two items of
    their family and may wish one, tagged "certificate". Draws from its own generator (seed + 1):
    the titles, positions and codes stay those of the world."""
    rng = random.Random(seed + 1)
    candidates = [replace(item, profile=replace(item.profile, certificates=catalogue.closure(
        held(rng, item.rome_code)))) for item in candidates]
    certified = []
    for item in offers:
        if rng.random() < offer_share:
            pool = items_of(item.rome_code)
            required = frozenset(rng.sample(pool, 1 if rng.random() < 0.7 else 2))
            wished = (frozenset(rng.sample([c for c in pool if c not in required], 1)) if rng.random() < 0.4
                      else frozenset())
            item = replace(item, profile=replace(item.profile, required_certificates=required,
                                                 wished_certificates=wished),
                           kinds=item.kinds | {"certificate"})
        certified.append(item)
    return candidates, certified


def noisy_title(rng: random.Random, form: str) -> str:
    """A title as typed: each kind of noise applied with its own probability."""
    title = form
    if rng.random() < 0.5:
        title = normalise(title) if rng.random() < 0.7 else title.lower()
    if rng.random() < 0.1:
        title = " ".join(SHORT_FORMS.get(word, word) for word in title.split())
    words = title.split()
    if len(words) >= 4 and rng.random() < 0.15:  # last word left out, with its article
        words.pop()
        while words and normalise(words[-1]) in STOPWORDS:
            words.pop()
        title = " ".join(words)
    if rng.random() < 0.2:
        title = typo(rng, title)
    if rng.random() < 0.15:
        title += " H/F"
    return title


def with_filler(rng: random.Random, title: str) -> str:
    """The title with one or two filler words before or after it."""
    words = rng.sample(FILLER_WORDS, rng.choice((1, 2)))
    return " ".join(words + [title]) if rng.random() < 0.2 else " ".join([title] + words)


def typo(rng: random.Random, title: str) -> str:
    """One letter deleted, replaced, inserted or swapped with the next, in a word of 5+ letters."""
    words = title.split()
    long_words = [i for i, word in enumerate(words) if len(word) >= 5]
    if not long_words:
        return title
    i = rng.choice(long_words)
    word, at = words[i], rng.randrange(len(words[i]) - 1)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    kind = rng.randrange(4)
    if kind == 0:
        word = word[:at] + word[at + 1:]
    elif kind == 1:
        word = word[:at] + letter + word[at + 1:]
    elif kind == 2:
        word = word[:at] + letter + word[at:]
    else:
        word = word[:at] + word[at + 1] + word[at] + word[at + 2:]
    words[i] = word
    return " ".join(words)


def _communes(departments: tuple[str, ...], data_dir: Path = DATA_DIR) -> tuple[list, list]:
    """Positions and populations of the communes of `departments` (all of them when empty)."""
    places, weights = [], []
    with open(data_dir / "communes.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if departments and row["department"] not in departments:
                continue
            try:
                lat, lon = float(row["latitude"]), float(row["longitude"])
            except ValueError:
                continue
            if math.isfinite(lat) and math.isfinite(lon) and row["kind"] == "COM":
                places.append((lat, lon))
                weights.append(int(row["population"]) if row["population"].isdigit() else 1)
    return places, weights
