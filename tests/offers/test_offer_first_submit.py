"""The offer form lists every error at the first submit: WTForms' (required title, positions)
and the service's (job, commune, hours, end of publication) together, each on its field."""
from datetime import timedelta

import pytest
from error_summary import error_count, field_errors, summary_of

from clausematch.database import today
from clausematch.errors import FieldErrors
from clausematch.offers import services
from tests.offers.test_offer_pages import form_data, offers


def test_new_offer_lists_form_and_service_errors_at_the_first_submit(db, client, login_as, company_lot):
    login_as("company")
    yesterday = (today() - timedelta(days=1)).isoformat()
    response = client.post("/gestion/offres/nouvelle", data=form_data(
        company_lot, title="", appellation="Zzqxw", commune="Zzzzville", weekly_hours="60",
        publication_end=yesterday))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 5
    for target in ("title", "appellation", "commune", "weekly_hours", "publication_end"):
        assert field_errors(html, target), target
        assert f'<a href="#{target}">' in summary_of(html)
    assert "Ce champ est obligatoire." in field_errors(html, "title")
    assert "Indiquez l&#39;intitulé" not in html and "Indiquez l'intitulé" not in html
    assert "Aucun métier ne correspond" in field_errors(html, "appellation")
    assert "ne peut pas être passée" in field_errors(html, "publication_end")
    assert offers(db) == []


def test_a_lot_that_is_not_offered_stays_a_form_error_with_the_others(db, client, login_as, other_lot):
    login_as("company")
    response = client.post("/gestion/offres/nouvelle", data=form_data(other_lot, commune="Zzzzville"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Choisissez un des lots proposés." in field_errors(html, "lot_id")
    assert "Commune introuvable" in field_errors(html, "commune")
    assert offers(db) == []


def test_offer_edit_lists_them_too_and_keeps_the_offer(db, client, login_as, make_offer):
    offer = make_offer(title="Maçon")
    login_as("company")
    response = client.post(f"/gestion/offres/{offer.id}/modifier", data={
        **form_data(offer.lot, positions="", commune="Zzzzville", appellation="Zzqxw"),
        "version": str(offer.version)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    for target in ("positions", "commune", "appellation"):
        assert field_errors(html, target), target
    db.session.expire_all()
    assert offers(db)[0].title == "Maçon"


def test_the_service_gathers_every_refusal(db, personas, company_lot):
    data = services.OfferData(lot_id=company_lot.id, title="", appellation_text="Zzqxw", contract_type="x",
                              weekly_hours=0, commune_text="", positions=0)
    with pytest.raises(FieldErrors) as refused:
        services.create_offer(data, personas["company"])
    assert [error.field for error in refused.value.errors] == [
        "title", "appellation", "commune", "contract_type", "weekly_hours", "positions"]
