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

The main evaluation (benchmarks/evaluation.py) holds offers requiring certificates too, reported
as the kind "certificat exigé" beside the baselines; this one looks closer: every offer requires
some, the near misses, and the "require" mode. `evaluate_certificates(candidates, offers, seed)`
returns the figures as a dict.
"""
import dataclasses
import time

import numpy as np

from benchmarks.evaluation import K, Territory, command_line, decimal, ndcg_at_k, thousands
from benchmarks.synthetic import ILE_DE_FRANCE, World, certify
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.engine.referential import default_referential, domain_of
from clausematch.referential.certificates import catalogue


def evaluate_certificates(candidates: int = 20_000, offers: int = 300, seed: int = 0) -> dict:
    referential, items = default_referential(), catalogue()
    world = World(referential, seed=seed, departments=ILE_DE_FRANCE)
    labelled, offered = certify([world.candidate(i) for i in range(candidates)],
                                [world.offer(f"offre-{i}") for i in range(offers)], items, seed, offer_share=1.0)
    territory = Territory(labelled)
    holdings = [p.certificates for p in territory.profiles]
    offer_list = [(item.profile, item.rome_code) for item in offered]
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
