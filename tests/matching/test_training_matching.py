"""Learning from outcomes, database side: labelled pairs from applications, a stored model,
activated only when it beats the fixed weights; the CLI commands and the weekly job."""
import re

import pytest
import sqlalchemy as sa
from factories import ApplicationFactory
from matching_app_support import AUBERVILLIERS, CLEANER, LILLE, MASON, SAINT_DENIS, candidate, offer_of

from clausematch.applications.models import ApplicationStatus, RefusalReason
from clausematch.jobs import JobRun
from clausematch.matching import services, training
from clausematch.matching.engine import learning
from clausematch.matching.models import MatchingModel
from clausematch.scheduler import find_job, run_now

S = ApplicationStatus


def history(db, personas, territory, pattern: str, pairs: int = 30) -> None:
    """`pairs` hires and as many refusals (lacks_skills) on maçon offers, plus outcomes that say
    nothing about the fit. pattern "criteria": hires hold the offer's public but live far, refused
    people live next door without it — the fixed weights get it backwards. pattern "obvious":
    hires are maçons next door, refused people are cleaners — the fixed weights get it right."""
    company, prescriber = personas["company"].organisation, personas["prescriber"].organisation
    offers = [offer_of(company, territory, eligible_criteria=["rsa"]) for _ in range(3)]
    for n in range(pairs):
        offer = offers[n % 3]
        if pattern == "criteria":
            hired = candidate(prescriber, criteria=("rsa",), commune_insee=LILLE, mobility_km=200)
            refused = candidate(prescriber, criteria=(), commune_insee=SAINT_DENIS, mobility_km=30)
        else:
            hired = candidate(prescriber, criteria=("rsa",), commune_insee=AUBERVILLIERS)
            refused = candidate(prescriber, appellations=(CLEANER,), criteria=("rsa",), commune_insee=LILLE,
                                mobility_km=200)
        ApplicationFactory(candidate=hired, offer=offer, status=S.HIRED)
        ApplicationFactory(candidate=refused, offer=offer, status=S.REFUSED, refusal_reason=RefusalReason.LACKS_SKILLS)
    # Outcomes that say nothing about the fit: never counted.
    for status, reason in ((S.REFUSED, RefusalReason.POSITION_FILLED), (S.REFUSED, RefusalReason.CANDIDATE_DECLINED),
                           (S.WITHDRAWN, None), (S.SENT, None)):
        ApplicationFactory(candidate=candidate(prescriber, appellations=(MASON,)), offer=offers[0], status=status,
                           refusal_reason=reason)
    db.session.commit()


def test_labelled_rows_are_hires_and_refusals_about_the_match(db, personas, territory):
    history(db, personas, territory, "criteria", pairs=5)
    rows = training.training_rows()
    assert len(rows) == 10
    assert sorted(label for _, label in rows) == [False] * 5 + [True] * 5
    features, _ = rows[0]
    assert len(features) == 6 and features[0] > 0.9  # same ROME code


def test_a_model_that_beats_the_fixed_weights_is_stored_and_activated(db, personas, territory):
    history(db, personas, territory, "criteria")
    services.engine()  # built before: the running engine must switch to the model at once

    outcome = services.train_model(personas["facilitator"])

    model = outcome.model
    assert model is not None and model.samples == 60 and model.algorithm == learning.ALGORITHM
    assert model.beats_fixed_weights and model.is_active
    assert model.metrics["auc"]["model"] > model.metrics["auc"]["fixed"]
    assert model.metrics["held_out"] == 18 and model.metrics["hires"] == 30
    assert services.active_model().id == model.id
    assert services.engine().model is not None
    assert "est désormais utilisé" in outcome.message
    assert re.search(r"\(AUC \d,\d\d contre \d,\d\d pour les pondérations fixes\)", outcome.message)
    # The stored row gives back the same model.
    assert training.as_trained(model).coefficients == tuple(model.parameters["coefficients"])


def test_a_model_that_does_not_beat_the_fixed_weights_stays_inactive(db, personas, territory):
    history(db, personas, territory, "obvious")
    previous = MatchingModel(algorithm=learning.ALGORITHM, samples=50, parameters={}, metrics={},
                             beats_fixed_weights=True, is_active=True)
    db.session.add(previous)
    db.session.commit()

    outcome = training.train_and_store()

    assert outcome.model is not None and not outcome.model.beats_fixed_weights
    assert not outcome.model.is_active
    # The latest evidence is that learning does not help: back to the fixed weights.
    assert services.active_model() is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchingModel)) == 2
    assert "restent utilisées" in outcome.message


def test_too_few_outcomes_store_nothing(db, personas, territory):
    history(db, personas, territory, "criteria", pairs=10)
    outcome = training.train_and_store()
    assert outcome.model is None
    assert outcome.message.startswith("Pas assez de résultats pour apprendre : 20 embauche(s)")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchingModel)) == 0


def test_a_rebuilt_engine_uses_the_active_model(db, personas, territory):
    history(db, personas, territory, "criteria")
    training.train_and_store()
    assert services.engine().model is not None  # built after training: reads the active row
    assert services.active_model().is_active


def test_cli_train_and_rebuild(db, personas, territory, runner):
    history(db, personas, territory, "criteria")
    result = runner.invoke(args=["matching", "train"])
    assert result.exit_code == 0, result.output
    assert "Nouveau modèle appris sur 60 résultats" in result.output
    result = runner.invoke(args=["matching", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == ("Index de rapprochement reconstruit : 64 candidat(s) et 3 offre(s) "
                                     "ouverte(s). 0 candidat(s) dont l'éligibilité a expiré signalé(s) aux autres "
                                     "processus. 0 entrée(s) du journal des changements supprimée(s).")


def test_weekly_training_job_is_registered_and_recorded(db, personas, territory):
    history(db, personas, territory, "criteria", pairs=3)
    job = find_job("matching.train")
    assert job is not None and job.cron == {"day_of_week": 0, "hour": 5, "minute": 0}
    result = run_now(job)
    assert result.startswith("Pas assez de résultats")
    run = db.session.scalars(sa.select(JobRun).where(JobRun.job_name == "matching.train")).one()
    assert run.succeeded and run.result == result


@pytest.mark.parametrize("name", ["matching.rebuild"])
def test_nightly_rebuild_job_calls_the_services(db, personas, territory, name):
    history(db, personas, territory, "criteria", pairs=1)
    assert run_now(find_job(name)).startswith("Index de rapprochement reconstruit : 6 candidat(s)")
    assert services.holder().builds == 1
