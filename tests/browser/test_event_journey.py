"""The events journey in Chromium: a facilitator creates an information session for an offer and
invites a person; her prescriber sees the invitation on his home page and registers her; once the
session has taken place the facilitator records her present, "Orientée vers une offre"; she is
proposed to the offer, sent to the company and hired through the existing pages; her pathway shows
the session, then the hire."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from browser_support import log_in
from factories import CandidateInTerritoryFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory
from playwright.sync_api import Page, expect

from clausematch.applications import services
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.prehire.models import Event
from clausematch.prehire.rules import local_now
from clausematch.vocabulary import Criterion

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(db, territory, personas):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur")
    person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Awa",
                                         last_name="Diallo")
    person.criteria.append(EligibilityCriterion(
        criterion=Criterion.RSA, status=EligibilityStatus.VALIDATED, evidence="Attestation CAF",
        validated_at=utcnow(), valid_until=today() + timedelta(days=90)))
    db.session.commit()
    return offer, person


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_from_an_information_session_to_a_hire(db, personas, scene, live_server, page: Page):
    offer, person = scene
    log_in(page, live_server, personas["facilitator"])
    page.get_by_role("link", name="Événements").click()
    page.get_by_role("link", name="Nouvel événement").click()
    page.get_by_label("Type d'événement").select_option(label="Réunion d'information collective")
    page.get_by_label("Intitulé").fill("Découvrir le coffrage")
    page.get_by_label(re.compile("^Coffreur bancheur")).check()
    page.get_by_label("Début").fill((local_now() + timedelta(days=3)).strftime("%Y-%m-%dT09:30"))
    page.get_by_label("Lieu").fill("Maison de l'emploi, 12 place du Caquet")
    page.get_by_label("Nombre de places").fill("12")
    page.get_by_role("button", name="Créer l'événement").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Découvrir le coffrage")
    expect(page.locator("main")).to_contain_text("0 prise(s) sur 12")

    page.get_by_role("link", name="Inviter des personnes").click()
    page.get_by_label("Nom ou prénom").fill("Diallo")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_label(re.compile("^Awa Diallo")).check()
    page.get_by_role("button", name="Inviter les personnes cochées").click()
    expect(page.get_by_role("row").filter(has_text="Awa Diallo")).to_contain_text("Invitée")
    log_out(page)

    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/prescripteur")
    expect(page.locator("#titre-invitations")).to_contain_text("(1)")
    expect(page.locator("main")).to_contain_text("Découvrir le coffrage")
    page.get_by_role("button", name=re.compile("^Inscrire Awa Diallo")).click()
    expect(page.get_by_role("status").filter(has_text="Inscription enregistrée")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Aucune invitation en attente de réponse.")
    log_out(page)

    # Three days later: the session has taken place.
    event = db.session.scalar(sa.select(Event))
    event.starts_at = local_now() - timedelta(hours=2)
    db.session.commit()

    log_in(page, live_server, personas["facilitator"])
    page.goto(f"{live_server}/evenements/{event.id}")
    page.get_by_role("link", name="Enregistrer les présences").click()
    page.get_by_role("group", name="Présence de Awa Diallo").get_by_label("Présente").check()
    page.get_by_label("Suite pour Awa Diallo").select_option(label="Orientée vers une offre")
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status").filter(has_text="Présences enregistrées")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Awa Diallo")).to_contain_text("Orientée vers une offre")

    # Proposed to the offer from her page, then checked and sent by the guichet.
    page.goto(f"{live_server}/candidats/{person.id}/proposer")
    page.get_by_role("combobox", name="Offre").select_option(value=str(offer.id))
    page.get_by_role("button", name=re.compile("Proposer")).click()
    expect(page.get_by_role("status").filter(has_text=re.compile("proposée"))).to_be_visible()
    log_out(page)
    db.session.expire_all()
    application = db.session.scalars(sa.select(Application)).one()
    for target in (ApplicationStatus.VALIDATED, ApplicationStatus.SHORTLISTED, ApplicationStatus.SENT):
        services.move(application.id, target, personas["facilitator"], "Vu à la réunion d'information")

    log_in(page, live_server, personas["company"])
    page.goto(f"{live_server}/entreprise/candidatures")
    page.get_by_role("link", name="Awa Diallo").click()
    hire = page.locator("form[action$='/embauche']")
    hire.get_by_label("Type de contrat").select_option(label="CDI")
    hire.get_by_label("Date de début").fill((today() + timedelta(days=1)).isoformat())
    hire.get_by_label("Durée hebdomadaire (heures)").fill("35")
    hire.get_by_role("button").click()
    expect(page.locator(".chapo")).to_contain_text("Embauché")
    log_out(page)

    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/parcours/{person.id}")
    steps = page.locator("ol.frise > li")
    expect(steps.first).to_contain_text("Réunion d'information collective « Découvrir le coffrage »")
    expect(steps.first).to_contain_text("Présente — Orientée vers une offre.")
    expect(page.locator("ol.frise")).to_contain_text("Embauche en CDI")
