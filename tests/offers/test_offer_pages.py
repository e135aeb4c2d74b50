"""The offers workspace pages: forms with and without JavaScript, lists, detail, status buttons."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from factories import CompanyFactory, LotFactory, OfferInTerritoryFactory

from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange

S = OfferStatus


def form_data(lot, **changes):
    data = {"lot_id": str(lot.id), "appellation": "macon", "appellation_code": "", "title": "Maçon VRD (H/F)",
            "commune": "93200", "commune_insee": "", "sector": "construction", "contract_type": "cdd",
            "weekly_hours": "35", "positions": "2", "eligible_criteria": ["rsa"], "description": "Chantier",
            "skills": "Coffrage", "publication_end": "", "start_date": "", "certificates_required": ""}
    data.update(changes)
    return data


def offers(db):
    return list(db.session.scalars(sa.select(Offer)))


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


# --- Creating an offer ----------------------------------------------------------------------

def test_new_offer_form_starts_with_the_lots_defaults(client, login_as, company_lot):
    login_as("company")
    page = text(client.get("/gestion/offres/nouvelle"))  # a single lot: no choice step
    assert '<option selected value="construction">' in page
    assert re.search(r'checked id="eligible_criteria-\d+" name="eligible_criteria" type="checkbox" value="deld"', page)
    assert re.search(r'checked id="eligible_criteria-\d+" name="eligible_criteria" type="checkbox" value="rsa"', page)
    assert 'value="rqth"' in page and not re.search(r'checked [^>]*value="rqth"', page)
    assert 'data-autocomplete="appellations"' in page and "js/autocomplete.js" in page


def test_several_lots_ask_which_lot_first(client, login_as, personas, company_lot, contract, db):
    LotFactory(contract=contract, company=personas["company"].organisation, title="Second œuvre")
    db.session.commit()
    login_as("company")
    page = text(client.get("/gestion/offres/nouvelle"))
    assert "choisissez d'abord ce lot" in page and "Second œuvre" in page and 'method="get"' in page


def test_company_without_lot_is_told_why(client, login_as, personas):
    login_as("company")
    assert "Aucun lot attribué ne vous permet de créer une offre" in text(client.get("/gestion/offres/nouvelle"))


def test_create_without_javascript_resolves_the_typed_text(client, login_as, company_lot, db):
    login_as("company")
    response = client.post("/gestion/offres/nouvelle", data=form_data(company_lot, weekly_hours="17,5"))
    [offer] = offers(db)
    assert response.status_code == 302 and response.location == f"/gestion/offres/{offer.id}"
    assert (offer.appellation.label, offer.rome_code, offer.commune_insee) == ("Maçon / Maçonne", "F1703", "93066")
    assert offer.weekly_hours == 17.5 and offer.status == S.DRAFT
    page = text(client.get(response.location))
    assert "Offre enregistrée en brouillon" in page
    assert "Maçon / Maçonne (F1703 Maçonnerie)" in page and "Saint-Denis (93200)" in page


def test_create_with_javascript_keeps_the_picked_codes(client, login_as, company_lot, db):
    login_as("company")
    client.post("/gestion/offres/nouvelle", data=form_data(
        company_lot, appellation="Plombier / Plombière (F1603 Installation d'équipements sanitaires et thermiques)",
        appellation_code="17837", commune="Aubervilliers (93300)", commune_insee="93001"))
    [offer] = offers(db)
    assert (offer.appellation_code, offer.commune_insee) == (17837, "93001")


def test_ambiguous_job_lists_suggestions_linked_to_the_field(client, login_as, company_lot, db):
    login_as("company")
    response = client.post("/gestion/offres/nouvelle", data=form_data(company_lot, appellation="agent entretien"))
    page = text(response)
    assert response.status_code == 422 and offers(db) == []
    assert "Plusieurs métiers correspondent à « agent entretien », précisez lequel. Suggestions :" in page
    assert 'aria-describedby="appellation-aide appellation-erreurs" aria-invalid="true"' in page
    assert '<a href="#appellation">Métier (appellation ROME)' in page  # the errors summary links to it
    assert 'value="agent entretien"' in page  # what was typed is kept


def test_form_errors_are_french(client, login_as, company_lot, db):
    login_as("company")
    page = text(client.post("/gestion/offres/nouvelle", data=form_data(
        company_lot, title="", weekly_hours="beaucoup", positions="0", publication_end="31/02/2026")))
    assert "Le formulaire contient 4 erreurs" in page
    assert "Intitulé de l&#39;offre&nbsp;: Ce champ est obligatoire." in page
    assert "Saisissez un nombre d&#39;heures, par exemple 35 ou 17,5." in page
    assert "Au moins 1 poste." in page
    assert offers(db) == []


def test_service_rule_errors_land_on_their_field(client, login_as, company_lot, db):
    login_as("company")
    page = text(client.post("/gestion/offres/nouvelle", data=form_data(company_lot, weekly_hours="50")))
    assert 'id="weekly_hours-erreurs"' in page and "comprise entre 0 et 48 heures" in page
    assert offers(db) == []


def test_company_cannot_post_an_offer_on_another_companys_lot(client, login_as, company_lot, other_lot, db):
    login_as("company")
    page = text(client.post("/gestion/offres/nouvelle", data=form_data(other_lot)))
    assert "Choisissez un des lots proposés." in page
    assert offers(db) == []
    assert client.get(f"/gestion/offres/nouvelle?lot={other_lot.id}").status_code == 403


def test_facilitator_creates_on_any_lot_of_the_territory(client, login_as, company_lot, other_lot, db):
    login_as("facilitator")
    assert "Autre BTP" not in text(client.get(f"/gestion/offres/nouvelle?lot={other_lot.id}"))
    client.post("/gestion/offres/nouvelle", data=form_data(other_lot))
    [offer] = offers(db)
    assert offer.company_id == other_lot.company_id


# --- Editing --------------------------------------------------------------------------------

def test_edit_form_is_filled_with_the_offer_and_its_codes(client, login_as, make_offer):
    offer = make_offer(status=S.SUBMITTED, title="Maçon N2")
    login_as("company")
    page = text(client.get(f"/gestion/offres/{offer.id}/modifier"))
    assert 'value="Maçon N2"' in page
    assert 'value="Maçon / Maçonne (F1703 Maçonnerie)"' in page
    assert 'id="appellation_code" name="appellation_code" type="hidden" value="16250"' in page
    assert 'value="Saint-Denis (93200)"' in page and 'type="hidden" value="93066"' in page


def test_edit_saves_and_keeps_the_status(client, login_as, make_offer, db):
    offer = make_offer(status=S.SUBMITTED)
    login_as("company")
    data = form_data(offer.lot, title="Maçon qualifié", appellation="Maçon / Maçonne (F1703 Maçonnerie)",
                     appellation_code="16250", commune="Saint-Denis (93200)", commune_insee="93066")
    response = client.post(f"/gestion/offres/{offer.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert (offer.title, offer.status) == ("Maçon qualifié", S.SUBMITTED)


def test_company_is_sent_back_when_the_offer_is_published(client, login_as, make_offer):
    offer = make_offer(status=S.PUBLISHED)
    login_as("company")
    response = client.get(f"/gestion/offres/{offer.id}/modifier", follow_redirects=True)
    assert "Cette offre ne peut plus être modifiée (statut : publiée)." in text(response)
    assert "Modifier l&#39;offre" not in text(response)


# --- Company A never reaches company B's offers -------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/gestion/offres/{id}"), ("GET", "/gestion/offres/{id}/modifier"),
    ("POST", "/gestion/offres/{id}/modifier"), ("POST", "/gestion/offres/{id}/statut"),
])
def test_company_gets_403_on_another_companys_offer(client, login_as, make_offer, other_lot, db, method, path):
    foreign = make_offer(status=S.DRAFT, lot=other_lot, title="Offre de l'autre entreprise")
    login_as("company")
    response = client.open(path.format(id=foreign.id), method=method, data={"target": "submitted", "title": "Piraté"})
    assert response.status_code == 403
    db.session.expire_all()
    assert (foreign.status, foreign.title) == (S.DRAFT, "Offre de l'autre entreprise")


@pytest.mark.parametrize("path", ["/entreprise/offres", "/facilitateur/offres", "/gestion/offres/nouvelle",
                                  "/gestion/offres/{id}", "/gestion/offres/{id}/modifier"])
def test_prescriber_gets_403(client, login_as, make_offer, path):
    offer = make_offer()
    login_as("prescriber")
    assert client.get(path.format(id=offer.id)).status_code == 403


# --- Status buttons -------------------------------------------------------------------------

def test_detail_shows_only_the_moves_of_the_user(client, login_as, make_offer):
    offer = make_offer(status=S.SUBMITTED)
    login_as("company")
    company_page = text(client.get(f"/gestion/offres/{offer.id}"))
    assert "Valider et publier" not in company_page and "Renvoyer en brouillon" not in company_page
    login_as("facilitator")
    page = text(client.get(f"/gestion/offres/{offer.id}"))
    assert 'name="target" value="published"' in page and "Valider et publier" in page
    assert '<label for="commentaire-draft"' in page  # sending back asks for a comment


def test_submit_then_publish_through_the_buttons(client, login_as, make_offer, personas, db):
    offer = make_offer(status=S.DRAFT)
    login_as("company")
    response = client.post(f"/gestion/offres/{offer.id}/statut", data={"target": "submitted"}, follow_redirects=True)
    assert "Offre soumise à validation" in text(response)
    assert client.post(f"/gestion/offres/{offer.id}/statut", data={"target": "published"}).status_code == 403
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/statut", data={"target": "published"}, follow_redirects=True)
    page = text(response)
    assert "Offre publiée" in page
    history = page[page.index("Historique des statuts"):]
    assert re.search(r"Brouillon → En attente de validation</th> <td>Personne \d+</td>", history)
    assert f"<td>{personas['facilitator'].full_name}</td>" in history
    db.session.expire_all()
    assert offer.status == S.PUBLISHED and offer.published_at is not None


def test_sending_back_without_comment_shows_the_error_on_the_field(client, login_as, make_offer, db):
    offer = make_offer(status=S.SUBMITTED)
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/statut", data={"target": "draft", "comment": " "})
    page = text(response)
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="commentaire-draft-erreurs"' in page
    assert "Indiquez en commentaire ce que l&#39;entreprise doit corriger." in page
    response = client.post(f"/gestion/offres/{offer.id}/statut",
                           data={"target": "draft", "comment": "Adresse du chantier ?"}, follow_redirects=True)
    assert "Adresse du chantier ?" in text(response)
    db.session.expire_all()
    assert offer.status == S.DRAFT


def test_impossible_move_is_flashed_in_french(client, login_as, make_offer, db):
    offer = make_offer(status=S.FILLED)
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/statut", data={"target": "published"}, follow_redirects=True)
    assert "Une offre pourvue ne peut plus être publiée." in text(response)
    assert db.session.scalars(sa.select(OfferStatusChange)).all() == []


def test_automatic_closing_reads_as_automatic(client, login_as, make_offer, db):
    from clausematch.offers import workflow

    offer = make_offer(status=S.PUBLISHED)
    workflow.change_status(offer, S.CLOSED, None, "Clôture automatique : date de fin de publication dépassée")
    db.session.commit()
    login_as("company")
    assert "<td>Automatique</td> <td>Clôture automatique" in text(client.get(f"/gestion/offres/{offer.id}"))


# --- Proposing a candidate from the staff page ----------------------------------------------

def propose_link(offer) -> str:
    return (f'<a class="bouton" href="/orienter/offres/{offer.id}">Proposer un candidat'
            f'<span class="visuellement-cache"> à l\'offre « {offer.title} »</span></a>')


def test_a_facilitator_proposes_from_the_staff_page_of_a_published_offer(client, login_as, make_offer):
    offer = make_offer(status=S.PUBLISHED, title="Agent de propreté")
    login_as("facilitator")
    assert propose_link(offer) in text(client.get(f"/gestion/offres/{offer.id}"))
    form = client.get(f"/orienter/offres/{offer.id}")
    assert form.status_code == 200 and 'name="candidate_id"' in text(form)


def test_the_company_has_no_propose_link(client, login_as, make_offer):
    offer = make_offer(status=S.PUBLISHED)
    login_as("company")
    page = text(client.get(f"/gestion/offres/{offer.id}"))
    assert "Proposer un candidat" not in page and "/orienter/offres/" not in page
    assert client.get(f"/orienter/offres/{offer.id}").status_code == 403  # the same rule behind the link


@pytest.mark.parametrize("status", [S.DRAFT, S.SUBMITTED, S.FILLED, S.CLOSED])
def test_no_propose_link_on_an_offer_that_accepts_no_proposal(client, login_as, make_offer, status):
    offer = make_offer(status=status)
    login_as("facilitator")
    page = text(client.get(f"/gestion/offres/{offer.id}"))
    assert "Proposer un candidat" not in page
    assert "Candidats suggérés" in page  # the facilitator's page, without the link


def test_no_propose_link_once_the_publication_is_over(client, login_as, make_offer):
    offer = make_offer(status=S.PUBLISHED, publication_end=date.today() - timedelta(days=1))
    login_as("facilitator")
    assert "Proposer un candidat" not in text(client.get(f"/gestion/offres/{offer.id}"))


# --- Lists ----------------------------------------------------------------------------------

def test_company_list_shows_only_its_offers_with_status_filter(client, login_as, make_offer, other_lot):
    make_offer(status=S.DRAFT, title="Brouillon maison")
    make_offer(status=S.PUBLISHED, title="Publiée maison")
    make_offer(status=S.PUBLISHED, title="Chez les voisins", lot=other_lot)
    login_as("company")
    page = text(client.get("/entreprise/offres"))
    assert "Brouillon maison" in page and "Publiée maison" in page and "Chez les voisins" not in page
    assert "Toutes (2)" in page and "Publiée (1)" in page
    filtered = text(client.get("/entreprise/offres?statut=draft"))
    assert "Brouillon maison" in filtered and "Publiée maison" not in filtered
    assert "1 offre au statut « brouillon »" in filtered
    assert "Brouillon maison" in text(client.get("/entreprise/offres?statut=nimporte"))  # ignored


def test_territory_list_filters(client, login_as, make_offer, other_lot, territory, db):
    make_offer(status=S.SUBMITTED, title="À relire")
    make_offer(status=S.PUBLISHED, title="Ménage bureaux", lot=other_lot, sector="services")
    elsewhere = OfferInTerritoryFactory(title="Autre territoire")  # its lot is in another territory
    db.session.commit()
    login_as("facilitator")
    page = text(client.get("/facilitateur/offres"))
    assert "À relire" in page and "Ménage bureaux" in page and elsewhere.title not in page
    assert "1 offre à valider" in page
    assert "Ménage bureaux" not in text(client.get("/facilitateur/offres?statut=submitted"))
    by_company = text(client.get(f"/facilitateur/offres?entreprise={other_lot.company_id}"))
    assert "Ménage bureaux" in by_company and "À relire" not in by_company
    by_lot = text(client.get(f"/facilitateur/offres?lot={other_lot.id}"))
    assert "Ménage bureaux" in by_lot and "À relire" not in by_lot
    by_sector = text(client.get("/facilitateur/offres?secteur=services"))
    assert "Ménage bureaux" in by_sector and "À relire" not in by_sector


def test_lists_paginate_in_sql(client, login_as, make_offer, app):
    app.config["PAGE_SIZE"] = 5
    for n in range(7):
        make_offer(title=f"Offre numéro {n}")
    login_as("company")
    first, second = text(client.get("/entreprise/offres")), text(client.get("/entreprise/offres?page=2"))
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    assert first.count("Offre numéro") == 5 and second.count("Offre numéro") == 2
    assert 'href="/entreprise/offres?page=2&amp;statut=draft"' in text(client.get("/entreprise/offres?statut=draft"))


@pytest.mark.parametrize(("role", "path"), [("company", "/entreprise/offres"), ("facilitator", "/facilitateur/offres")])
def test_lists_run_the_same_number_of_queries_for_3_and_30_offers(client, login_as, make_offer, other_lot,
                                                                    count_queries, territory, role, path):
    def statements_for_page() -> int:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    login_as(role)
    for n in range(3):
        make_offer(lot=other_lot if n % 2 else None, title=f"Offre {n}")
    few = statements_for_page()
    for n in range(27):
        company = CompanyFactory(territory=territory)
        lot = LotFactory(contract=other_lot.contract, company=company) if role == "facilitator" else None
        make_offer(lot=lot, title=f"Offre {n + 3}")
    many = statements_for_page()
    assert few == many


def test_unawarded_lot_cannot_carry_an_offer_yet(client, login_as, company_lot, contract, db):
    unawarded = LotFactory(contract=contract, company=None)
    db.session.commit()
    login_as("facilitator")
    page = text(client.get(f"/gestion/offres/nouvelle?lot={unawarded.id}"))
    assert "Ce lot n&#39;est attribué à aucune entreprise" in page
    assert "choisissez d'abord ce lot" in page


def test_navigation_links_to_the_offers_workspace(client, login_as, personas):
    login_as("company")
    assert '<a href="/entreprise/offres" aria-current="page">Mes offres</a>' in text(client.get("/entreprise/offres"))
    login_as("facilitator")
    assert '<a href="/facilitateur/offres">Offres du territoire</a>' in text(client.get("/facilitateur"))
