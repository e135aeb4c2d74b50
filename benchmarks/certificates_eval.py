"""Offline evaluation of certificates in the ranking: ``python -m benchmarks.certificates_eval``.

The synthetic territory of benchmarks.synthetic (used as is) gets certificates: each candidate
holds a few items of the referential (more often the ones of their trade's family: CACES R489 in
logistics, R482, SS4, habilitations and AIPR in building, SST everywhere…), sometimes the near miss
(R489 cat. 1A for a cat. 3) instead; each offer requires one or two items of its family and may
wish one. Grades, for each offer: 3 same ROME code holding every required item, 2 same code
without, 1 same ROME domain, 0 otherwise or when a constraint is broken (availability, criteria,
distance beyond mobility). Metrics for the engine: nDCG@10 in "prefer" mode, and constraint
violations — a returned candidate breaking a constraint, or, in "require" mode, lacking a required
item (must be 0); for comparison, the nDCG@10 of the same engine when the offers' certificates are
ignored (what the engine did before). Averaged over the offers with at least one grade-3 candidate.

`evaluate_certificates(candidates, offers, seed)` returns the figures as a dict, for
benchmarks/evaluation.py to call.
"""
import dataclasses
import random
import time

import numpy as np

from benchmarks.evaluation import K, Territory, command_line, decimal, ndcg_at_k, thousands
from benchmarks.synthetic import ILE_DE_FRANCE, World
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.engine.referential import default_referential, domain_of
from clausematch.referential.certificates import catalogue

# Items of each ROME family (first letter; N11 logistics apart), and near misses handed out instead.
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


def items_of(code: str) -> tuple[str, ...]:
    return FAMILY_ITEMS.get(code[:3]) or FAMILY_ITEMS.get(code[:1]) or OTHER_ITEMS


def held(rng: random.Random, code: str) -> set[str]:
    out = set()
    for item in items_of(code):
        draw = rng.random()
        if draw < HOLD_SHARE:
            out.add(item)
        elif draw < HOLD_SHARE + NEAR_SHARE and item in NEAR_MISSES:
            out.add(NEAR_MISSES[item])
    out.update(item for item in OTHER_ITEMS if rng.random() < OTHER_SHARE)
    return out


def evaluate_certificates(candidates: int = 20_000, offers: int = 300, seed: int = 0) -> dict:
    referential, items = default_referential(), catalogue()
    world = World(referential, seed=seed, departments=ILE_DE_FRANCE)
    rng = random.Random(seed + 1)
    labelled = []
    for i in range(candidates):
        item = world.candidate(i)
        profile = dataclasses.replace(item.profile, certificates=items.closure(held(rng, item.rome_code)))
        labelled.append(dataclasses.replace(item, profile=profile))
    territory = Territory(labelled)
    holdings = [p.certificates for p in territory.profiles]
    offer_list = []
    for i in range(offers):
        item = world.offer(f"offre-{i}")
        pool = items_of(item.rome_code)
        required = frozenset(rng.sample(pool, 1 if rng.random() < 0.7 else 2))
        wished = frozenset(rng.sample([c for c in pool if c not in required], 1)) if rng.random() < 0.4 else frozenset()
        offer_list.append((dataclasses.replace(item.profile, required_certificates=required,
                                               wished_certificates=wished), item.rome_code))
    engine = MatchingEngine(referential=referential, certificates=items)
    started = time.perf_counter()
    engine.index_candidates(territory.profiles)
    build_seconds = time.perf_counter() - started
    row_of = {id: row for row, id in enumerate(territory.ids.tolist())}
    scores, blind, violations, lacking_in_require, skipped = [], [], 0, 0, 0
    started = time.perf_counter()
    for offer, code in offer_list:
        allowed, _ = territory.allowed(offer)
        complete = np.array([offer.required_certificates <= h for h in holdings])
        same, related = (np.zeros(len(territory.ids), bool) for _ in range(2))
        same[territory.rows_of_code.get(code, [])] = True
        related[territory.rows_of_domain.get(domain_of(code), [])] = True
        grades = np.where(allowed, np.where(same, np.where(complete, 3, 2), np.where(related, 1, 0)), 0)
        if not (grades == 3).any():
            skipped += 1
            continue
        rows = np.array([row_of[m.id] for m in engine.candidates_for(offer, k=K)], np.int64)
        violations += int((~allowed[rows]).sum())
        scores.append(ndcg_at_k(grades[rows], grades))
        ignored = dataclasses.replace(offer, required_certificates=frozenset(), wished_certificates=frozenset())
        blind.append(ndcg_at_k(grades[np.array([row_of[m.id] for m in engine.candidates_for(ignored, k=K)],
                                               np.int64)], grades))
        strict = np.array([row_of[m.id] for m in engine.candidates_for(
            dataclasses.replace(offer, certificate_mode="require"), k=K)], np.int64)
        violations += int((~allowed[strict]).sum())
        lacking_in_require += int((~complete[strict]).sum())
    ranking_seconds = time.perf_counter() - started
    return {"candidates": candidates, "offers": offers, "offers_scored": offers - skipped, "seed": seed,
            "index_build_s": round(build_seconds, 2), "ranking_s": round(ranking_seconds, 2),
            "ndcg@10": round(float(np.mean(scores)) if scores else 0.0, 4),
            "ndcg@10_certificates_ignored": round(float(np.mean(blind)) if blind else 0.0, 4),
            "violations": violations + lacking_in_require, "lacking_in_require_mode": lacking_in_require}


def report(result: dict) -> str:
    target = result["ndcg@10"] >= 0.90 and result["violations"] == 0
    return "\n".join([
        f"Certificats : {thousands(result['candidates'])} candidats d'Île-de-France, {result['offers_scored']} offres "
        f"notées sur {result['offers']} (graine {result['seed']}), index construit en "
        f"{decimal(result['index_build_s'], 1)} s, classements en {decimal(result['ranking_s'], 1)} s",
        f"nDCG@10 (3 : même métier avec tous les certificats requis, 2 : sans, 1 : même domaine) : "
        f"{decimal(result['ndcg@10'], 3)} (certificats ignorés : {decimal(result['ndcg@10_certificates_ignored'], 3)})",
        f"Violations (contraintes, ou certificat manquant en mode « Exiger ») : {result['violations']}",
        f"Objectif nDCG@10 ≥ 0,90 sans violation : {'atteint' if target else 'NON atteint'}",
    ])


def main(argv=None) -> None:
    command_line("Évaluation hors ligne des certificats dans le rapprochement.", evaluate_certificates, report, argv)


if __name__ == "__main__":
    main()
