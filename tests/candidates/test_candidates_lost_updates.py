"""Two people edit the same candidate: the second save over an older version is refused, keeps the
person's input, names what differs, and leaves the first save intact (clausematch/versioning.py)."""
import re

import sqlalchemy as sa
from factories import UserFactory
from test_candidates_pages import form_data

from clausematch.accounts.models import Role
from clausematch.candidates.models import Candidate


def loaded_version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html).group(1)


def test_second_save_over_an_older_version_is_refused_and_keeps_both(app, db, client, login_as, personas):
    login_as("prescriber")
    client.post("/candidats/nouveau", data=form_data())
    candidate = db.session.scalar(sa.select(Candidate))
    colleague = UserFactory(role=Role.PRESCRIBER, organisation=personas["prescriber"].organisation)
    db.session.commit()
    version_a = loaded_version(client.get(f"/candidats/{candidate.id}/modifier").get_data(as_text=True))
    login_as(colleague)  # B, on the same form, saves first
    version_b = loaded_version(client.get(f"/candidats/{candidate.id}/modifier").get_data(as_text=True))
    assert version_a == version_b
    saved = client.post(f"/candidats/{candidate.id}/modifier",
                        data=form_data(consent_given=None, phone="07 00 00 00 01", version=version_b))
    assert saved.status_code == 302
    login_as("prescriber")  # A saves the form loaded before B's save
    response = client.post(f"/candidats/{candidate.id}/modifier",
                           data=form_data(consent_given=None, last_name="Martin-Durand", version=version_a))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Quelqu&#39;un d&#39;autre a enregistré cette fiche" in html or "Quelqu'un d'autre a enregistré" in html
    assert "Téléphone : 0700000001" in html or "Téléphone : 07" in html
    assert 'value="Martin-Durand"' in html  # A's input is kept
    db.session.expire_all()
    current = db.session.get(Candidate, candidate.id)
    assert current.last_name == "Martin" and current.phone.replace(" ", "").endswith("0700000001")
    # Saving again from the refused form is deliberate: it carries the current version.
    again = client.post(f"/candidats/{candidate.id}/modifier",
                        data=form_data(consent_given=None, last_name="Martin-Durand",
                                       version=loaded_version(html)))
    assert again.status_code == 302
