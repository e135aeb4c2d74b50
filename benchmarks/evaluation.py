"""Offline evaluation of the ranking: ``python -m benchmarks.evaluation``.

A labelled territory is generated from the appellations (synthetic.py with mix=True: noisy
typed titles, trade slang from benchmarks/slang_titles.csv, filler words, several jobs in one
field, offers with and without a declared ROME code; positions across Île-de-France, criteria,
availability). Candidates hold certificates of their trade's family and CERTIFICATE_SHARE of
the offers require one or two (synthetic.certify). For each offer every candidate gets a grade:
3 when one of their true ROME codes is the offer's, 1 for the same ROME domain, 0 otherwise, and
0 whenever a constraint is broken (unavailable, criteria, distance beyond mobility); GRADE_RULES
then adjust grades: 2 for the same trade without every required certificate. The engine's top 10 is scored against
these grades, and so are two baselines given the same constraints:
- "code ROME exact + distance": what public platforms do — a candidate's code is the one given,
  else the one of a title typed exactly like an appellation or a code label (no slang table,
  no filler removal: the engine's mapper is not used); same code only, nearest first;
- "TF-IDF seul": cosine of word TF-IDF (scikit-learn) between the offer's title and the
  candidate's titles, highest first.
Metrics: nDCG@10 (grades as gains, ideal = the 10 best grades over all candidates) and
recall@10 (same-code candidates among the 10 returned, over min(10, how many exist)), averaged
over the offers that have at least one same-code candidate; plus the engine's constraint
violations, checked here independently of the engine's own code (must be 0).

nDCG@10 is printed overall and per kind of offer (KINDS: one entry per kind, a name and a test
on the labelled offer), twice: with the ROME codes as declared (70 % of offers, 30 % of
candidates), then with no declared code at all (every code stripped, titles only). Slang titles
come from a hand-written list; the kind "argot hors table" keeps the titles whose search key is
not a term of the mapper's job_slang.csv, the honest measure of what the table did not learn
(a diagnostic subset of "argot", printed but outside the per-kind target: Kind.target).
"""
import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from benchmarks.synthetic import ILE_DE_FRANCE, Labelled, World, certify
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.engine.referential import Referential, default_referential, domain_of
from clausematch.matching.engine.scoring import haversine_km
from clausematch.referential.certificates import catalogue
from clausematch.text import gendered_forms, search_key

K = 10
TARGET_OVERALL, TARGET_KIND = 0.95, 0.90
CERTIFICATE_SHARE = 0.3  # share of the offers requiring certificates


@dataclass(frozen=True)
class Kind:
    """A kind of offer reported apart: its French name and which labelled offers belong to it."""

    name: str
    applies: Callable[[Labelled, "Territory"], bool]
    target: bool = True  # False: a diagnostic subset, printed but outside the ≥ 0.90 target


def _slang_off_table(item: Labelled, territory: "Territory") -> bool:
    mapper = territory.referential.mapper
    return "slang" in item.kinds and mapper.key(item.profile.title) not in getattr(mapper, "slang", {})


# Per-kind reporting: one line per kind. A new kind is one entry here (and the generator tagging
# its offers in synthetic.py).
KINDS: list[Kind] = [
    Kind("avec code déclaré", lambda item, t: item.profile.rome_code is not None),
    Kind("sans code déclaré", lambda item, t: item.profile.rome_code is None),
    Kind("argot", lambda item, t: "slang" in item.kinds),
    # The slang titles the table does not hold: what spelling alone gives (a subset of "argot").
    Kind("argot hors table", _slang_off_table, target=False),
    Kind("mots parasites", lambda item, t: "filler" in item.kinds),
    Kind("multi-métiers", lambda item, t: "multi" in item.kinds),
    Kind("certificat exigé", lambda item, t: "certificate" in item.kinds),
]


def lacking_required(territory: "Territory", item: Labelled, grades: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Same trade without every certificate the offer requires: 2 instead of 3."""
    required = item.profile.required_certificates
    if not required:
        return grades
    complete = np.array([required <= held for held in territory.certificates])
    return np.where((grades == 3) & ~complete, 2, grades)


# Adjustments of the grades of one offer, applied in order after the base grades:
# rule(territory, labelled offer, grades, allowed) -> grades.
GRADE_RULES: list[Callable] = [lacking_required]


class Territory:
    """Candidates as numpy columns, for grading every candidate for an offer at once."""

    def __init__(self, labelled, referential=None):
        profiles = [item.profile for item in labelled]
        self.labelled = labelled
        self.referential = referential or default_referential()
        self.profiles = profiles
        self.ids = np.array([p.id for p in profiles])
        self.rows_of_code: dict[str, list[int]] = {}
        self.rows_of_domain: dict[str, list[int]] = {}
        for row, item in enumerate(labelled):
            for code in item.true_codes:
                self.rows_of_code.setdefault(code, []).append(row)
            for domain in {domain_of(code) for code in item.true_codes}:
                self.rows_of_domain.setdefault(domain, []).append(row)
        self.lat = np.array([np.nan if p.latitude is None else p.latitude for p in profiles])
        self.lon = np.array([np.nan if p.longitude is None else p.longitude for p in profiles])
        self.mobility = np.array([p.mobility_km for p in profiles])
        self.available = np.array([p.available for p in profiles])
        self.criteria = [p.criteria for p in profiles]
        self.certificates = [p.certificates for p in profiles]

    def allowed(self, offer) -> tuple[np.ndarray, np.ndarray]:
        """Constraint mask and distances of every candidate for `offer`."""
        held_any = np.array([not offer.eligible_criteria or bool(c & offer.eligible_criteria) for c in self.criteria])
        held_all = np.array([offer.required_criteria <= c for c in self.criteria])
        if offer.latitude is None:
            distance = np.full(len(self.ids), np.nan)
        else:
            distance = haversine_km(offer.latitude, offer.longitude, self.lat, self.lon)
        near = np.isnan(distance) | (distance <= self.mobility)
        return self.available & held_any & held_all & near, distance

    def grades(self, item: Labelled, allowed: np.ndarray) -> np.ndarray:
        grades = np.zeros(len(self.ids), np.int64)
        grades[self.rows_of_domain.get(domain_of(item.rome_code), [])] = 1
        grades[self.rows_of_code.get(item.rome_code, [])] = 3
        grades = np.where(allowed, grades, 0)
        for rule in GRADE_RULES:
            grades = rule(self, item, grades, allowed)
        return grades

    def without_codes(self) -> "Territory":
        """The same candidates with no declared ROME code."""
        return Territory([replace(item, profile=replace(item.profile, rome_codes=[])) for item in self.labelled],
                         self.referential)


def ndcg_at_k(returned_grades: np.ndarray, all_grades: np.ndarray, k: int = K) -> float:
    discounts = 1 / np.log2(np.arange(2, k + 2))
    ideal = np.sort(all_grades)[::-1][:k]
    idcg = float((ideal * discounts[:len(ideal)]).sum())
    dcg = float((returned_grades[:k] * discounts[:len(returned_grades[:k])]).sum())
    return dcg / idcg if idcg else 0.0


def recall_at_k(returned_grades: np.ndarray, all_grades: np.ndarray, k: int = K) -> float:
    relevant = int((all_grades == 3).sum())
    return int((returned_grades[:k] == 3).sum()) / min(k, relevant) if relevant else 0.0


def exact_code_baseline(territory: Territory, referential: Referential):
    """Ranker: same exact code (given, or title typed as an appellation), nearest first."""
    # Appellations (every gendered form) and code labels only: no slang, no filler stripping.
    entries: dict[str, str] = {}
    for appellation in referential.appellations:
        for form in appellation.forms:
            entries.setdefault(search_key(form), appellation.rome_code)
    for code, label in referential.code_labels.items():
        entries.setdefault(search_key(label), code)

    def key(text: str) -> str:
        return search_key(gendered_forms(text)[0] if "/" in text or "(" in text else text)

    codes = []
    for profile in territory.profiles:
        known = referential.known_codes(profile.rome_codes)
        exact = [entries[k] for k in map(key, profile.job_titles) if k in entries]
        codes.append(set(known or exact))

    def rank(offer, allowed, distance):
        code = offer.rome_code or entries.get(key(offer.title))
        same = np.array([code in c for c in codes]) & allowed
        rows = np.flatnonzero(same)
        order = np.argsort(np.where(np.isnan(distance[rows]), np.inf, distance[rows]), kind="stable")
        return rows[order][:K]
    return rank


def tfidf_baseline(territory: Territory):
    """Ranker: cosine of word TF-IDF between the offer's title and the candidate's titles."""
    vectoriser = TfidfVectorizer(preprocessor=search_key)
    matrix = vectoriser.fit_transform([" ".join(p.job_titles) for p in territory.profiles]).tocsc()

    def rank(offer, allowed, distance):
        scores = np.asarray((matrix @ vectoriser.transform([offer.title]).T).todense()).ravel()
        scores = np.where(allowed, scores, 0.0)
        rows = np.flatnonzero(scores > 0)
        return rows[np.argsort(-scores[rows], kind="stable")][:K]
    return rank


def evaluate(candidates: int = 20_000, offers: int = 300, seed: int = 0) -> dict:
    referential = default_referential()
    world = World(referential, seed=seed, departments=ILE_DE_FRANCE, mix=True)
    labelled, labelled_offers = certify([world.candidate(i) for i in range(candidates)],
                                        [world.offer(f"offre-{i}") for i in range(offers)], catalogue(), seed,
                                        offer_share=CERTIFICATE_SHARE)
    territory = Territory(labelled, referential)
    declared = _evaluate_pass(territory, labelled_offers, referential)
    uncoded_offers = [replace(item, profile=replace(item.profile, rome_code=None)) for item in labelled_offers]
    stripped = _evaluate_pass(territory.without_codes(), uncoded_offers, referential, kinds_of=labelled_offers)
    return {"candidates": candidates, "offers": offers, "offers_scored": declared["offers_scored"], "seed": seed,
            "index_build_s": declared["index_build_s"], "results": declared["results"],
            "kinds": declared["kinds"], "without_codes": stripped}


def _evaluate_pass(territory: Territory, labelled_offers, referential, kinds_of=None) -> dict:
    """Every ranker on every offer; `kinds_of` labels the offers for the per-kind figures (the
    offers as generated, when the ones ranked had their codes stripped)."""
    kinds_of = kinds_of or labelled_offers
    engine = MatchingEngine(referential=referential, certificates=catalogue())
    started = time.perf_counter()
    engine.index_candidates(territory.profiles)
    build_seconds = time.perf_counter() - started
    row_of = {id: row for row, id in enumerate(territory.ids.tolist())}
    rankers = {"moteur": lambda offer, allowed, distance: np.array(
                   [row_of[m.id] for m in engine.candidates_for(offer, k=K)], dtype=np.int64),
               "code ROME exact + distance": exact_code_baseline(territory, referential),
               "TF-IDF seul": tfidf_baseline(territory)}
    results = {name: {"ndcg": [], "recall": [], "violations": 0} for name in rankers}
    members = {kind.name: [] for kind in KINDS}  # positions in the scored offers
    scored = 0
    for item, labels in zip(labelled_offers, kinds_of, strict=True):
        allowed, distance = territory.allowed(item.profile)
        grades = territory.grades(item, allowed)
        if not (grades == 3).any():
            continue
        for kind in KINDS:
            if kind.applies(labels, territory):
                members[kind.name].append(scored)
        scored += 1
        for name, rank in rankers.items():
            rows = rank(item.profile, allowed, distance)
            results[name]["violations"] += int((~allowed[rows]).sum())
            results[name]["ndcg"].append(ndcg_at_k(grades[rows], grades))
            results[name]["recall"].append(recall_at_k(grades[rows], grades))
    summary = {name: {"ndcg@10": round(float(np.mean(r["ndcg"])), 4),
                      "recall@10": round(float(np.mean(r["recall"])), 4),
                      "violations": r["violations"]} for name, r in results.items()}
    kinds = {kind: {"offers": len(rows), **{name: round(float(np.mean(np.array(r["ndcg"])[rows])), 4) if rows else None
                                            for name, r in results.items()}}
             for kind, rows in members.items()}
    return {"offers_scored": scored, "index_build_s": round(build_seconds, 2), "results": summary, "kinds": kinds}


def report(result: dict) -> str:
    lines = [f"Évaluation hors ligne : {thousands(result['candidates'])} candidats d'Île-de-France, "
             f"{result['offers_scored']} offres notées sur {result['offers']} (graine {result['seed']}), "
             f"index construit en {decimal(result['index_build_s'], 1)} s"]
    passes = [("codes ROME tels que déclarés", result),
              ("sans aucun code ROME déclaré (intitulés seuls)", result["without_codes"])]
    verdicts = []
    for title, figures in passes:
        lines += ["", f"— {title} —", f"{'Classement':<30} {'nDCG@10':>8} {'rappel@10':>10} {'violations':>11}"]
        for name, r in figures["results"].items():
            lines.append(f"{name:<30} {decimal(r['ndcg@10'], 3):>8} {decimal(r['recall@10'], 3):>10} "
                         f"{r['violations']:>11}")
        names = list(figures["results"])
        lines.append(f"nDCG@10 par type d'offre (objectif ≥ {decimal(TARGET_KIND, 2)} pour le moteur) :")
        lines.append(f"  {'type':<22} {'offres':>6} " + " ".join(f"{_short(n):>10}" for n in names))
        targets = {kind.name: kind.target for kind in KINDS}
        for kind, k in figures["kinds"].items():
            cells = " ".join(f"{'—' if k[n] is None else decimal(k[n], 3):>10}" for n in names)
            note = "" if targets.get(kind, True) else "  (indicatif)"
            lines.append(f"  {kind:<22} {k['offers']:>6} {cells}{note}")
        engine = figures["results"]["moteur"]
        kinds_ok = all(k["moteur"] is None or k["moteur"] >= TARGET_KIND for kind, k in figures["kinds"].items()
                       if targets.get(kind, True))
        verdicts.append(engine["ndcg@10"] >= TARGET_OVERALL and engine["violations"] == 0 and kinds_ok)
    lines.append("")
    lines.append(f"Objectif nDCG@10 ≥ {decimal(TARGET_OVERALL, 2)} au total et ≥ {decimal(TARGET_KIND, 2)} "
                 f"par type (hors types indicatifs), avec et sans codes déclarés, sans violation : "
                 f"{'atteint' if all(verdicts) else 'NON atteint'}")
    return "\n".join(lines)


def _short(name: str) -> str:
    return {"code ROME exact + distance": "code exact", "TF-IDF seul": "TF-IDF"}.get(name, name)


def thousands(number: int) -> str:
    """12 345 678, with narrow no-break spaces as French typography wants."""
    return f"{number:,}".replace(",", "\u202f")


def decimal(number: float, digits: int) -> str:
    return f"{number:.{digits}f}".replace(".", ",")


def command_line(description: str, evaluate_fn: Callable, report_fn: Callable, argv=None) -> None:
    """An offline evaluation's command line: sizes and seed, the French report, optional JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--candidates", type=int, default=20_000, help="nombre de candidats générés")
    parser.add_argument("--offers", type=int, default=300, help="nombre d'offres notées")
    parser.add_argument("--seed", type=int, default=0, help="graine du générateur")
    parser.add_argument("--json", help="écrit aussi les résultats dans ce fichier JSON")
    args = parser.parse_args(argv)
    result = evaluate_fn(args.candidates, args.offers, args.seed)
    sys.stdout.write(report_fn(result) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2)


def main(argv=None) -> None:
    command_line("Évaluation hors ligne du moteur de rapprochement.", evaluate, report, argv)


if __name__ == "__main__":
    main()
