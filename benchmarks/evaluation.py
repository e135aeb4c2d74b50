"""Offline evaluation of the ranking: ``python -m benchmarks.evaluation``.

A labelled territory is generated from the appellations (synthetic.py: noisy typed titles,
positions across Île-de-France, criteria, availability). For each offer every candidate gets
a grade: 3 when their true ROME code is the offer's, 1 for the same ROME domain, 0 otherwise,
and 0 whenever a constraint is broken (unavailable, criteria, distance beyond mobility). The
engine's top 10 is scored against these grades, and so are two baselines given the same
constraints:
- "code ROME exact + distance": what public platforms do — a candidate's code is the one given,
  else the one of a title typed exactly like an appellation; same code only, nearest first;
- "TF-IDF seul": cosine of word TF-IDF (scikit-learn) between the offer's title and the
  candidate's titles, highest first.
Metrics: nDCG@10 (grades as gains, ideal = the 10 best grades over all candidates) and
recall@10 (same-code candidates among the 10 returned, over min(10, how many exist)), averaged
over the offers that have at least one same-code candidate; plus the engine's constraint
violations, checked here independently of the engine's own code (must be 0).
"""
import argparse
import json
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from benchmarks.synthetic import ILE_DE_FRANCE, World
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.engine.referential import Referential, default_referential, domain_of
from clausematch.matching.engine.scoring import haversine_km
from clausematch.text import search_key

K = 10


class Territory:
    """Candidates as numpy columns, for grading every candidate for an offer at once."""

    def __init__(self, labelled):
        profiles = [item.profile for item in labelled]
        self.profiles = profiles
        self.ids = np.array([p.id for p in profiles])
        self.codes = np.array([item.rome_code for item in labelled])
        self.domains = np.array([domain_of(item.rome_code) for item in labelled])
        self.lat = np.array([np.nan if p.latitude is None else p.latitude for p in profiles])
        self.lon = np.array([np.nan if p.longitude is None else p.longitude for p in profiles])
        self.mobility = np.array([p.mobility_km for p in profiles])
        self.available = np.array([p.available for p in profiles])
        self.criteria = [p.criteria for p in profiles]

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

    def grades(self, offer, code: str, allowed: np.ndarray) -> np.ndarray:
        grades = np.where(self.codes == code, 3, np.where(self.domains == domain_of(code), 1, 0))
        return np.where(allowed, grades, 0)


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
    mapper = referential.mapper
    codes = []
    for profile in territory.profiles:
        known = referential.known_codes(profile.rome_codes)
        exact = [mapper.entries[key][0] for key in map(mapper.key, profile.job_titles) if key in mapper.entries]
        codes.append(set(known or exact))

    def rank(offer, allowed, distance):
        code = offer.rome_code or mapper.entries.get(mapper.key(offer.title), (None,))[0]
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
    world = World(referential, seed=seed, departments=ILE_DE_FRANCE)
    territory = Territory([world.candidate(i) for i in range(candidates)])
    labelled_offers = [world.offer(f"offre-{i}") for i in range(offers)]
    engine = MatchingEngine(referential=referential)
    started = time.perf_counter()
    engine.index_candidates(territory.profiles)
    build_seconds = time.perf_counter() - started
    row_of = {id: row for row, id in enumerate(territory.ids.tolist())}
    rankers = {"moteur": lambda offer, allowed, distance: np.array(
                   [row_of[m.id] for m in engine.candidates_for(offer, k=K)], dtype=np.int64),
               "code ROME exact + distance": exact_code_baseline(territory, referential),
               "TF-IDF seul": tfidf_baseline(territory)}
    results = {name: {"ndcg": [], "recall": [], "violations": 0} for name in rankers}
    skipped = 0
    for item in labelled_offers:
        allowed, distance = territory.allowed(item.profile)
        grades = territory.grades(item.profile, item.rome_code, allowed)
        if not (grades == 3).any():
            skipped += 1
            continue
        for name, rank in rankers.items():
            rows = rank(item.profile, allowed, distance)
            results[name]["violations"] += int((~allowed[rows]).sum())
            results[name]["ndcg"].append(ndcg_at_k(grades[rows], grades))
            results[name]["recall"].append(recall_at_k(grades[rows], grades))
    summary = {name: {"ndcg@10": round(float(np.mean(r["ndcg"])), 4),
                      "recall@10": round(float(np.mean(r["recall"])), 4),
                      "violations": r["violations"]} for name, r in results.items()}
    return {"candidates": candidates, "offers": offers, "offers_scored": offers - skipped, "seed": seed,
            "index_build_s": round(build_seconds, 2), "results": summary}


def report(result: dict) -> str:
    lines = [f"Évaluation hors ligne : {thousands(result['candidates'])} candidats d'Île-de-France, "
             f"{result['offers_scored']} offres notées sur {result['offers']} (graine {result['seed']}), "
             f"index construit en {decimal(result['index_build_s'], 1)} s",
             f"{'Classement':<30} {'nDCG@10':>8} {'rappel@10':>10} {'violations':>11}"]
    for name, r in result["results"].items():
        lines.append(f"{name:<30} {decimal(r['ndcg@10'], 3):>8} {decimal(r['recall@10'], 3):>10} {r['violations']:>11}")
    engine = result["results"]["moteur"]
    target = engine["ndcg@10"] >= 0.90 and engine["violations"] == 0
    lines.append(f"Objectif nDCG@10 ≥ 0,90 sans violation : {'atteint' if target else 'NON atteint'}")
    return "\n".join(lines)


def thousands(number: int) -> str:
    """12 345 678, with narrow no-break spaces as French typography wants."""
    return f"{number:,}".replace(",", "\u202f")


def decimal(number: float, digits: int) -> str:
    return f"{number:.{digits}f}".replace(".", ",")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Évaluation hors ligne du moteur de rapprochement.")
    parser.add_argument("--candidates", type=int, default=20_000, help="nombre de candidats générés")
    parser.add_argument("--offers", type=int, default=300, help="nombre d'offres notées")
    parser.add_argument("--seed", type=int, default=0, help="graine du générateur")
    parser.add_argument("--json", help="écrit aussi les résultats dans ce fichier JSON")
    args = parser.parse_args(argv)
    result = evaluate(args.candidates, args.offers, args.seed)
    sys.stdout.write(report(result) + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
