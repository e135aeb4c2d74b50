"""What a company never sees: the 6-month follow-ups, the exits' comments, a person's pathway
elsewhere (applications and contracts with other companies), eligibility criteria and their
evidence, nor the prescriber's notes.

The objects of the access matrix are given a marker text in each of those places; then every page
and download the matrix lets the company user open (plus the pages of the person who left and
of the hours declared for them) is read as that user, and none may contain a marker. The pages
that show such data at all are refused to the company (403 or 404)."""
from datetime import date, datetime, timedelta

import pytest
from test_access_matrix import MATRIX, build_objects

SECRETS = {
    "exit_comment": "Départ précipité, conflit avec le chef d'équipe",
    "follow_up_comment": "Suivi fait par téléphone, en recherche active",
    "prescriber_note": "Note du prescripteur : sortie de détention récente",
    "validation_comment": "RQTH vue par l'équipe de facilitation",
    "criterion_evidence": "Attestation CAF de RSA d'avril",
    "other_offer": "Agent de propreté chez un concurrent",
    "other_lot": "Nettoyage des gymnases concurrents",
    "refusal_comment": "Refusée : son RSA n'est plus valide, voir avec la référente",
}
SENDING_COMMENT = "Profil solide, disponible dès lundi"  # written for the company: it reads it

REFUSED = [
    "/parcours/{candidate}", "/suivis", "/suivis/{follow_up}", "/candidats/{candidate}", "/eligibilites",
    "/orientations/{sent_application}", "/orientations", "/candidats/{candidate}/offres-suggerees",
    "/entreprise/candidatures/{application}",  # not sent to the company: it does not exist for it
]


@pytest.fixture
def objects(db, personas):
    """The matrix's objects, with a marker in every place a company must not read."""
    from factories import (
        ApplicationFactory,
        CompanyFactory,
        EmploymentContractFactory,
        HoursEntryFactory,
        LotInTerritoryFactory,
        OfferInTerritoryFactory,
    )

    from clausematch.applications.models import Application, ApplicationEvent, RefusalReason
    from clausematch.applications.models import ApplicationStatus as S
    from clausematch.candidates.models import Candidate, EligibilityCriterion
    from clausematch.offers.models import OfferStatus
    from clausematch.pathways.models import FollowUp, HoursStatus
    from clausematch.vocabulary import ExitDetail

    objects = build_objects(db, personas)
    follow_up = db.session.get(FollowUp, objects["follow_up"])
    follow_up.exit.comment = SECRETS["exit_comment"]
    follow_up.done_on, follow_up.in_work, follow_up.situation = date(2026, 6, 30), True, ExitDetail.LONG_INTERIM
    follow_up.comment = SECRETS["follow_up_comment"]
    left = follow_up.exit.contract
    left_hours = HoursEntryFactory(contract=left, month=date(2025, 3, 1), status=HoursStatus.DECLARED)

    sent = db.session.get(Application, objects["sent_application"])
    sent.message = SECRETS["prescriber_note"]
    db.session.add(ApplicationEvent(application_id=sent.id, from_status=S.SUBMITTED, to_status=S.VALIDATED,
                                    comment=SECRETS["validation_comment"],
                                    occurred_at=datetime(2025, 1, 1) - timedelta(days=1)))
    db.session.get(EligibilityCriterion, objects["criterion"]).evidence = SECRETS["criterion_evidence"]
    refused = ApplicationFactory(candidate=db.session.get(Candidate, objects["candidate"]), status=S.REFUSED,
                                 offer=OfferInTerritoryFactory(lot=sent.offer.lot),
                                 refusal_reason=RefusalReason.OTHER)
    facilitator = personas["facilitator"].id
    db.session.add_all([
        ApplicationEvent(application_id=refused.id, from_status=S.SHORTLISTED, to_status=S.SENT, actor_id=facilitator,
                         comment=SENDING_COMMENT, occurred_at=datetime(2025, 2, 1)),
        ApplicationEvent(application_id=refused.id, from_status=S.SENT, to_status=S.REFUSED, actor_id=facilitator,
                         refusal_reason=RefusalReason.OTHER, comment=SECRETS["refusal_comment"],
                         occurred_at=datetime(2025, 2, 2))])

    candidate = db.session.get(Candidate, objects["candidate"])
    company = personas["company"].organisation
    elsewhere = LotInTerritoryFactory(contract__buyer=personas["buyer"].organisation,
                                      company=CompanyFactory(territory=company.territory), title=SECRETS["other_lot"])
    filled = OfferInTerritoryFactory(lot=elsewhere, title=SECRETS["other_offer"], status=OfferStatus.FILLED)
    ApplicationFactory(candidate=candidate, offer=filled, status=S.HIRED)  # filled: off the public board
    EmploymentContractFactory(candidate=candidate, lot=elsewhere)
    db.session.commit()
    return {**objects, "left_contract": left.id, "left_hours": left_hours.id, "refused_application": refused.id}


def company_pages() -> list[str]:
    """Every GET path the access matrix opens to the company user, and the pages of the person
    who left (their contract, their hours)."""
    pages = [path for (method, path), row in MATRIX.items() if method == "GET" and row["company"] == "ok"]
    return pages + ["/contrats-de-travail/{left_contract}", "/heures/saisies/{left_hours}",
                    "/entreprise/candidatures/{refused_application}",
                    "/contrats-de-travail?etat=ended", "/entreprise/heures?lot={lot}&mois=2025-12"]


def test_no_company_page_shows_what_is_not_theirs(client, login_as, objects):
    login_as("company")
    read = {}
    for path in company_pages():
        with client.get(path.format(**objects), follow_redirects=True) as response:  # closes a static file
            assert response.status_code == 200, path
            read[path] = response.get_data(as_text=True)
    leaks = {(path, name) for path, text in read.items() for name, secret in SECRETS.items()
             if secret in text or secret.replace("'", "&#39;") in text}
    assert leaks == set()
    # The person who left is there (the page is the right one), only without the follow-up.
    left = read["/contrats-de-travail/{left_contract}"]
    assert "Date de sortie" in left and "Suivi à 6 mois" not in left
    refused = read["/entreprise/candidatures/{refused_application}"]
    assert SENDING_COMMENT in refused and "Motif : Autre motif" in refused


def test_the_facilitator_reads_the_same_markers(client, login_as, objects):
    """The markers are where the test looks: the facilitator's pages do show them."""
    login_as("facilitator")
    page = client.get(f"/contrats-de-travail/{objects['left_contract']}").get_data(as_text=True)
    assert SECRETS["exit_comment"] in page.replace("&#39;", "'")
    pathway = client.get(f"/parcours/{objects['candidate']}").get_data(as_text=True).replace("&#39;", "'")
    assert SECRETS["other_lot"] in pathway and SECRETS["other_offer"] in pathway
    follow_up = client.get(f"/suivis/{objects['follow_up']}").get_data(as_text=True).replace("&#39;", "'")
    assert SECRETS["follow_up_comment"] in follow_up
    login_as("prescriber")
    orientation = client.get(f"/orientations/{objects['sent_application']}").get_data(as_text=True)
    assert SECRETS["prescriber_note"] in orientation.replace("&#39;", "'")


@pytest.mark.parametrize("path", REFUSED)
def test_pages_about_the_person_are_refused_to_the_company(client, login_as, objects, path):
    login_as("company")
    assert client.get(path.format(**objects)).status_code in (403, 404)
