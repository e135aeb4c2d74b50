"""Two people edit the same offer: the save over an older version is refused with the current values
of the fields that differ; the first save stays (clausematch/versioning.py)."""
import re

from test_offer_pages import form_data

from clausematch.offers.models import Offer, OfferStatus


def loaded_version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html).group(1)


def test_save_over_a_newer_version_is_refused(db, client, login_as, make_offer):
    offer = make_offer(status=OfferStatus.SUBMITTED, title="Maçon N2")
    edit = f"/gestion/offres/{offer.id}/modifier"
    common = {"appellation": "Maçon / Maçonne (F1703 Maçonnerie)", "appellation_code": "16250",
              "commune": "Saint-Denis (93200)", "commune_insee": "93066"}
    login_as("company")  # A loads the form
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    login_as("facilitator")  # B loads it, changes the title, saves
    version_b = loaded_version(client.get(edit).get_data(as_text=True))
    assert client.post(edit, data=form_data(offer.lot, title="Maçon coffreur", version=version_b,
                                            **common)).status_code == 302
    login_as("company")  # A saves its form, loaded before B's save, with another change
    response = client.post(edit, data=form_data(offer.lot, title="Maçon N2", positions="3", version=version_a,
                                                **common))
    html = response.get_data(as_text=True)
    assert response.status_code == 422  # the form again, with its errors
    assert "rien n&#39;a été enregistré" in html or "rien n'a été enregistré" in html
    assert "Maçon coffreur" in html and 'value="3"' in html
    db.session.expire_all()
    current = db.session.get(Offer, offer.id)
    assert (current.title, current.positions) == ("Maçon coffreur", 2)
