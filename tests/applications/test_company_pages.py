"""The company's side: data minimisation on the candidate page, URL guessing, and its three
actions (interview, hire, refusal) through the forms."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from applications_support import S, add_criterion
from factories import CompanyFactory, LotFactory, OfferInTerritoryFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.pathways.models import EmploymentContract
from clausematch.vocabulary import Criterion


@pytest.fixture
def sent(db, make_application, candidate):
    add_criterion(candidate, "qpv")
    add_criterion(candidate, "rqth")
    return make_application(S.SENT, message="Suivie pour une RQTH, habite la Cité Allende",
                            created_at=datetime(2026, 1, 5, 9))  # before the interview and hire dates below


def test_company_page_shows_what_a_recruiter_needs(client, login_as, sent):
    login_as("company")
    html = client.get(f"/entreprise/candidatures/{sent.id}").get_data(as_text=True)
    for shown in ["Léa Martin", "lea.martin@exemple.fr", "06 12 34 56 78", "coffreuse", "Lecture de plans",
                  "Deux ans de coffrage", "Jusqu'à 30 km", "CACES R482", "Disponible", "Coffreur bancheur"]:
        assert shown in html, shown


def test_company_page_never_shows_eligibility_birth_date_qpv_or_prescriber_notes(client, login_as, sent):
    login_as("company")
    html = client.get(f"/entreprise/candidatures/{sent.id}").get_data(as_text=True)
    for criterion in Criterion:
        assert criterion.label.replace("'", "&#39;") not in html, criterion
    for hidden in ["RSA", "RQTH", "QPV", "quartier prioritaire", "1991", "14/03", "Cité Allende", "Éligibilité",
                   "éligibilité", "Saint-Denis", "Attestation vue"]:
        assert hidden not in html, hidden


def test_company_history_starts_when_the_candidate_was_sent(db, client, login_as, sent, personas):
    sent.events[0].comment = "RSA vérifié avec la CAF"  # a guichet-internal note, before sending
    sent.events[-1].comment = "Profil solide, disponible lundi"
    db.session.commit()
    login_as("company")
    html = client.get(f"/entreprise/candidatures/{sent.id}").get_data(as_text=True)
    assert "Profil solide, disponible lundi" in html
    assert "CAF" not in html and "Proposée" not in html and personas["facilitator"].full_name not in html


def test_company_template_receives_no_candidate_object(client, login_as, sent):
    from flask import template_rendered

    seen = []
    template_rendered.connect(lambda sender, template, context, **extra: seen.append(context), weak=False)
    login_as("company")
    client.get(f"/entreprise/candidatures/{sent.id}")
    from clausematch.candidates.models import Candidate

    context = next(c for c in seen if "view" in c)
    assert not any(isinstance(value, (Candidate, Application)) for value in context.values())


def test_another_company_gets_403_and_a_candidate_not_sent_yet_is_a_404(db, client, login_as, territory, sent,
                                                                        make_application, contract):
    rival = CompanyFactory(territory=territory, name="Rival BTP")
    rival_user = UserFactory(role=Role.COMPANY, organisation=rival)
    db.session.commit()
    login_as(rival_user)
    for path in ("", "/entretien", "/embauche", "/refus"):
        method = "get" if path == "" else "post"
        assert getattr(client, method)(f"/entreprise/candidatures/{sent.id}{path}").status_code == 403
    assert "Léa" not in client.get("/entreprise/candidatures").get_data(as_text=True)

    login_as("company")
    for status in (S.SUBMITTED, S.VALIDATED, S.SHORTLISTED):
        own_offer = OfferInTerritoryFactory(lot=LotFactory(contract=contract, company=sent.offer.company))
        early = make_application(status, offer=own_offer)
        assert client.get(f"/entreprise/candidatures/{early.id}").status_code == 404
        assert client.post(f"/entreprise/candidatures/{early.id}/entretien").status_code == 404
    assert client.get("/entreprise/candidatures/999999").status_code == 404


def test_withdrawn_before_sending_stays_hidden_after_sending_shows(db, client, login_as, make_application, contract,
                                                                   offer, candidate):
    before = make_application(S.WITHDRAWN)
    other_offer = OfferInTerritoryFactory(lot=offer.lot)
    after = make_application(S.WITHDRAWN, offer=other_offer,
                             path=[S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.WITHDRAWN])
    login_as("company")
    assert client.get(f"/entreprise/candidatures/{before.id}").status_code == 404
    assert client.get(f"/entreprise/candidatures/{after.id}").status_code == 200


def test_company_records_an_interview(db, client, login_as, sent):
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{sent.id}/entretien",
                           data={"interview_on": "2026-03-12", "comment": "Bon contact"}, follow_redirects=True)
    assert "Entretien enregistré" in response.get_data(as_text=True)
    db.session.expire_all()
    application = db.session.get(Application, sent.id)
    assert application.status == S.INTERVIEW
    assert application.events[-1].comment == "Entretien le 12/03/2026. Bon contact"


def test_company_hires_with_the_contract_form(db, client, login_as, sent, lot):
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{sent.id}/embauche", data={
        "contract_type": "cdd", "start_date": "2026-03-02", "planned_end_date": "2026-08-31", "weekly_hours": "35"})
    assert response.status_code == 302
    contract = db.session.scalars(sa.select(EmploymentContract)).one()
    assert (contract.lot_id, contract.company_id, contract.start_date) == (lot.id, lot.company_id, date(2026, 3, 2))
    db.session.expire_all()
    assert db.session.get(Application, sent.id).status == S.HIRED


def test_hire_form_errors_land_on_their_fields(db, client, login_as, sent):
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{sent.id}/embauche", data={
        "contract_type": "cdd", "start_date": "2026-03-02", "weekly_hours": "60"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    # The company forms post unprefixed names; their ids start with the target (unique on the page).
    assert 'name="weekly_hours"' in html and 'id="hired-weekly_hours"' in html
    assert 'id="hired-weekly_hours-erreurs"' in html or 'id="hired-planned_end_date-erreurs"' in html
    assert html.count('id="interview-comment"') == html.count('id="hired-comment"') == 1
    assert db.session.scalar(sa.select(sa.func.count(EmploymentContract.id))) == 0
    response = client.post(f"/entreprise/candidatures/{sent.id}/embauche", data={
        "contract_type": "cdd", "start_date": "2026-03-02", "weekly_hours": "35"})
    assert "Indiquez la date de fin prévue du contrat (CDD)." in response.get_data(as_text=True)


def test_company_refuses_with_a_reason(db, client, login_as, sent):
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{sent.id}/refus", data={"comment": "x"})
    assert response.status_code == 422 and "Choisissez le motif du refus." in response.get_data(as_text=True)
    client.post(f"/entreprise/candidatures/{sent.id}/refus", data={"refusal_reason": "position_filled"})
    db.session.expire_all()
    event = db.session.scalars(sa.select(ApplicationEvent).order_by(ApplicationEvent.id.desc())).first()
    assert (event.to_status, event.refusal_reason.value) == (S.REFUSED, "position_filled")


def test_company_actions_on_a_hired_application_are_refused_in_french(db, client, login_as, make_application):
    hired = make_application(S.HIRED)
    login_as("company")
    html = client.get(f"/entreprise/candidatures/{hired.id}").get_data(as_text=True)
    assert "Enregistrer l&#39;embauche" not in html
    response = client.post(f"/entreprise/candidatures/{hired.id}/entretien", data={}, follow_redirects=True)
    assert "abouti à une embauche" in response.get_data(as_text=True)
