"""The benchmark's and the offline evaluation's own logic, on tiny sizes (nothing timed)."""
import json
import random

import numpy as np

from benchmarks import evaluation
from benchmarks import matching as bench
from benchmarks.synthetic import ILE_DE_FRANCE, Labelled, World, certify, noisy_title
from clausematch.matching.engine import CandidateProfile, OfferProfile
from clausematch.matching.engine.referential import default_referential
from clausematch.referential.certificates import catalogue


def test_synthetic_territories_are_reproducible_and_labelled():
    one, two = World(default_referential(), seed=7), World(default_referential(), seed=7)
    first, second = [one.candidate(i) for i in range(50)], [two.candidate(i) for i in range(50)]
    assert first == second
    assert all(item.rome_code in default_referential().code_labels for item in first)
    assert {bool(item.profile.rome_codes) for item in first} == {True, False}


def test_noisy_titles_stay_recognisable():
    rng = random.Random(2)
    titles = {noisy_title(rng, "Électricien du bâtiment") for _ in range(200)}
    assert len(titles) > 10 and "Électricien du bâtiment" in titles
    mapper = default_referential().mapper
    codes = [m.rome_code if m else None for m in mapper.map_titles(sorted(titles))]
    assert codes.count("F1602") >= 0.9 * len(codes)


def test_ndcg_and_recall_at_10():
    grades = np.array([3, 3, 1, 0, 0, 3])
    assert evaluation.ndcg_at_k(np.array([3, 3, 3, 1]), grades) == 1.0
    assert evaluation.ndcg_at_k(np.array([3, 3, 3]), grades) < 1.0  # the ideal also holds the 1
    assert evaluation.ndcg_at_k(np.array([0, 1]), grades) < evaluation.ndcg_at_k(np.array([1, 0]), grades) < 1
    assert evaluation.recall_at_k(np.array([3, 0, 3]), grades) == 2 / 3
    assert evaluation.ndcg_at_k(np.array([]), grades) == 0.0


def test_a_small_evaluation_finds_no_violation_and_beats_both_baselines(tmp_path):
    result = evaluation.evaluate(candidates=1500, offers=40, seed=1)
    engine = result["results"]["moteur"]
    assert engine["violations"] == 0
    for baseline in ("code ROME exact + distance", "TF-IDF seul"):
        assert engine["ndcg@10"] > result["results"][baseline]["ndcg@10"]
    assert "nDCG@10" in evaluation.report(result) and "Île-de-France" in evaluation.report(result)
    assert ILE_DE_FRANCE[0] == "75"


def test_the_naive_loop_applies_the_same_constraints():
    world = World(default_referential(), seed=3)
    people = [world.candidate(i).profile for i in range(300)]
    offer = world.offer("o").profile
    for _, _, id in bench.naive_rank(people, offer, k=50):
        person = people[id]
        assert person.available and offer.required_criteria <= person.criteria


def test_a_tiny_benchmark_reports_every_figure_in_french(tmp_path, monkeypatch):
    monkeypatch.setattr(bench.Referential, "from_csv", default_referential)  # loaded once for the tests
    result = bench.measure(size=300, queries=6, naive_queries=2, seed=0)
    assert {"build_wall_s", "build_cpu_s", "memory_mb", "p50_ms", "p95_ms", "naive_p50_ms",
            "speed_ratio"} <= set(result)
    assert result["queries"] == 6 and result["naive_queries"] == 2
    text = bench.report(result)
    assert text.startswith("300 candidats") and "boucle Python naïve" in text
    bench.main(["--sizes", "200", "--queries", "3", "--naive-queries", "1", "--json", str(tmp_path / "b.json")])
    assert json.loads((tmp_path / "b.json").read_text())[0]["size"] == 200


def test_the_mixed_territory_holds_every_kind_of_the_evaluation():
    world = World(default_referential(), seed=5, departments=ILE_DE_FRANCE, mix=True)
    people = [world.candidate(i) for i in range(3000)]
    offers = [world.offer(f"o{i}") for i in range(200)]
    assert {"slang", "filler", "multi"} <= {kind for item in people for kind in item.kinds}
    assert {"slang", "filler", "multi", "coded", "uncoded"} <= {kind for item in offers for kind in item.kinds}
    multi = next(item for item in people if "multi" in item.kinds)
    assert len(multi.true_codes) == 2 and multi.rome_code in multi.true_codes
    # The default world draws what it drew before the kinds existed (the speed benchmark's set).
    plain = World(default_referential(), seed=7)
    assert all(not plain.candidate(i).kinds for i in range(50))


def test_the_evaluation_reports_each_kind_and_both_passes():
    result = evaluation.evaluate(candidates=1500, offers=40, seed=1)
    text = evaluation.report(result)
    for kind in evaluation.KINDS:
        assert kind.name in text
        assert kind.name in result["kinds"] and kind.name in result["without_codes"]["kinds"]
    assert "sans aucun code ROME déclaré" in text and "Objectif nDCG@10 ≥ 0,95" in text
    assert result["without_codes"]["results"]["moteur"]["violations"] == 0
    assert result["kinds"]["certificat exigé"]["offers"] > 0


def test_a_kind_and_a_grade_rule_plug_in(monkeypatch):
    """How another kind joins the report: one Kind, one grade rule."""
    monkeypatch.setattr(evaluation, "KINDS", evaluation.KINDS + [
        evaluation.Kind("tout", lambda item, territory: True)])
    monkeypatch.setattr(evaluation, "GRADE_RULES", [lambda territory, item, grades, allowed: grades])
    result = evaluation.evaluate(candidates=800, offers=15, seed=2)
    assert result["kinds"]["tout"]["offers"] == result["offers_scored"]


def test_same_trade_without_a_required_certificate_grades_two():
    """The certificate grade rule: 3 holder of every required item, 2 same trade without, the
    domain's 1 and the broken constraints' 0 untouched."""
    people = [Labelled(CandidateProfile(i, ["Cariste"], certificates=held), "N1101")
              for i, held in enumerate([frozenset({"caces-r489-3", "sst"}), frozenset({"caces-r489-3"}),
                                        frozenset({"caces-r489-1a"}), frozenset()])]
    people.append(Labelled(CandidateProfile(4, ["Magasinier"], certificates=frozenset({"caces-r489-3"})), "N1103"))
    territory = evaluation.Territory(people)
    offer = Labelled(OfferProfile("o", "Cariste", rome_code="N1101",
                                  required_certificates=frozenset({"caces-r489-3", "sst"})), "N1101")
    allowed = np.array([True, True, True, False, True])
    assert territory.grades(offer, allowed).tolist() == [3, 2, 2, 0, 1]
    plain = Labelled(OfferProfile("p", "Cariste", rome_code="N1101"), "N1101")
    assert territory.grades(plain, allowed).tolist() == [3, 3, 3, 0, 1]


def test_certify_keeps_the_world_and_tags_the_offers_it_gives_certificates():
    world = World(default_referential(), seed=4, mix=True)
    candidates, offers = [world.candidate(i) for i in range(200)], [world.offer(f"o{i}") for i in range(200)]
    held, required = certify(candidates, offers, catalogue(), seed=4, offer_share=0.3)
    assert [(c.profile.job_titles, c.rome_code) for c in held] == [(c.profile.job_titles, c.rome_code)
                                                                  for c in candidates]
    assert any(c.profile.certificates for c in held)
    tagged = [o for o in required if "certificate" in o.kinds]
    assert 30 < len(tagged) < 90 and all(o.profile.required_certificates for o in tagged)
    assert not any(o.profile.required_certificates for o in required if "certificate" not in o.kinds)
    # what an item implies is held too (permis CE ⇒ C ⇒ B…)
    assert all(catalogue().closure(c.profile.certificates) == c.profile.certificates for c in held)


def test_the_verdict_leaves_the_diagnostic_kinds_out():
    """A kind marked target=False (the slang the table does not hold) is printed « indicatif » and
    does not decide the verdict; every other kind does."""
    names = ("moteur", "code ROME exact + distance", "TF-IDF seul")

    def figures(scores: dict[str, float]) -> dict:
        results = {name: {"ndcg@10": 0.99, "recall@10": 0.99, "violations": 0} for name in names}
        kinds = {kind.name: {"offers": 5, **{name: scores.get(kind.name, 0.99) for name in names}}
                 for kind in evaluation.KINDS}
        return {"offers_scored": 50, "index_build_s": 1.0, "results": results, "kinds": kinds}

    def verdict(scores: dict[str, float]) -> str:
        result = {"candidates": 100, "offers": 60, "seed": 0, **figures(scores), "without_codes": figures(scores)}
        return evaluation.report(result).splitlines()[-1]

    diagnostic = [kind.name for kind in evaluation.KINDS if not kind.target]
    assert diagnostic == ["argot hors table"]
    assert verdict({"argot hors table": 0.5}).endswith(": atteint")
    assert verdict({"certificat exigé": 0.89}).endswith("NON atteint")
    assert "(indicatif)" in evaluation.report({"candidates": 100, "offers": 60, "seed": 0, **figures({}),
                                               "without_codes": figures({})})
