"""The directory pages: the search (who sees it, filters in the address, query count), the profile
form, and the lot page's section of structures that could take part."""
import re

import pytest
import sqlalchemy as sa

from clausematch.accounts.models import CompanyKind, Role
from clausematch.contracts.models import ClauseKind
from clausematch.directory.models import DirectoryProfile


@pytest.mark.parametrize("role", ["facilitator", "prescriber", "company", "buyer"])
def test_the_territory_searches_the_directory(client, login_as, structure, role):
    structure("Jardins du Canal", kind=CompanyKind.ACI, activities="Espaces verts", rome_codes="A1203")
    structure("Brouillon", is_published=False)
    login_as(role)
    page = client.get("/annuaire-inclusion?q=espaces+verts&type=aci").get_data(as_text=True)
    assert "Jardins du Canal" in page and "<caption" in page and 'scope="col"' in page
    assert "Atelier et chantier d&#39;insertion (ACI)" in page
    everything = client.get("/annuaire-inclusion").get_data(as_text=True)
    assert ("Brouillon" in everything) == (role == "facilitator")


def test_admin_and_anonymous_do_not_see_it(client, login_as, personas):
    assert client.get("/annuaire-inclusion").status_code == 302
    login_as("admin")
    assert client.get("/annuaire-inclusion").status_code == 403


def test_a_wrong_filter_is_said_not_an_error(client, login_as, structure):
    structure("Jardins du Canal")
    login_as("buyer")
    response = client.get("/annuaire-inclusion?type=inconnu&offre=x&rayon=900&commune=Zzzyx")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Type de structure inconnu" in text and "Type de collaboration inconnu" in text
    assert "Le rayon doit être" in text and "Jardins du Canal" in text


def test_the_search_runs_the_same_statements_for_3_or_15_structures(client, login_as, structure, count_queries):
    login_as("company")
    paths = ["/annuaire-inclusion", "/annuaire-inclusion?q=nettoyage&offre=sous-traitance",
             "/annuaire-inclusion?commune=Saint-Denis+(93200)&rayon=20&q=K2204"]

    def statements() -> list[int]:
        counts = []
        for path in paths:
            with count_queries() as seen:
                assert client.get(path).status_code == 200
            counts.append(len(seen))
        return counts

    for n in range(3):
        structure(f"Structure {n}", rome_codes="K2204", communes="Aubervilliers",
                  offers=frozenset({"offers_subcontracting"}))
    few = statements()
    for n in range(12):
        structure(f"Autre {n}", rome_codes="K2204, F1703", communes="Stains\nAubervilliers",
                  offers=frozenset({"offers_subcontracting"}))
    assert statements() == few
    assert max(few) <= 12


def test_a_member_fills_the_profile_of_their_structure(db, client, login_as, structure):
    from factories import UserFactory

    company, _ = structure("Régie du quartier", kind=CompanyKind.REGIE, profile=False)
    member = UserFactory(role=Role.COMPANY, organisation=company)
    login_as(member)
    assert "Modifier la fiche de ma structure" in client.get("/annuaire-inclusion").get_data(as_text=True)
    form = client.get(f"/annuaire-inclusion/structures/{company.id}/fiche")
    assert form.status_code == 200 and 'name="version" type="hidden" value="0"' in form.get_data(as_text=True)
    response = client.post(f"/annuaire-inclusion/structures/{company.id}/fiche", data={
        "version": "0", "activities": "Entretien des parties communes", "rome_codes": "K2204",
        "communes": "Saint-Denis (93200)", "radius_km": "5", "capacity_positions": "4",
        "offers": ["offers_staff_provision"], "contact_email": "regie@exemple.fr", "is_published": "y"})
    assert response.status_code == 302
    profile = db.session.scalar(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == company.id))
    assert (profile.is_published, profile.offers_staff_provision, profile.capacity_positions) == (True, True, 4)
    refused = client.post(f"/annuaire-inclusion/structures/{company.id}/fiche", data={
        "version": str(profile.version), "activities": "x", "rome_codes": "Q0000", "contact_email": "a@b.fr"})
    assert refused.status_code == 422 and "Indiquez des codes ROME" in refused.get_data(as_text=True)


def test_the_first_submit_lists_the_form_s_and_the_service_s_errors(db, client, login_as, structure):
    """A radius out of range (the form), an unknown ROME code and a wrong phone (the service): all
    three at the first submit, on their fields; nothing saved."""
    from error_summary import error_count, field_errors

    company, _ = structure("Régie des Francs-Moisins", kind=CompanyKind.REGIE, profile=False)
    login_as("facilitator")
    refused = client.post(f"/annuaire-inclusion/structures/{company.id}/fiche", data={
        "version": "0", "activities": "Nettoyage", "rome_codes": "N9999", "radius_km": "500",
        "contact_phone": "abc"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and error_count(html) == 3
    assert "entre 0 et 200 km" in field_errors(html, "radius_km")
    assert "Code ROME inconnu : N9999" in field_errors(html, "rome_codes")
    assert "Numéro de téléphone invalide" in field_errors(html, "contact_phone")
    assert db.session.scalar(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == company.id)) is None


def test_the_profile_form_offers_the_referential_pickers_and_still_takes_typed_text(db, client, login_as,
                                                                                  structure):
    """ROME codes and communes: a search box (the offer form's autocomplete, shown by JavaScript
    only) adds to each typed list; without JavaScript the lists are typed, labels of the
    autocomplete included, and saved the same way."""
    company, _ = structure("Régie du Franc-Moisin", kind=CompanyKind.REGIE, profile=False)
    login_as("facilitator")
    html = client.get(f"/annuaire-inclusion/structures/{company.id}/fiche").get_data(as_text=True)
    assert "js/autocomplete.js" in html and "js/autocomplete-append.js" in html
    rome = re.search(r'<div class="champ" data-append-picker hidden>\s*<label for="ajout-metier"[^>]*>([^<]+)</label>'
                     r'.*?<input ([^>]+)>', html, re.S)
    assert rome and "code ROME" in rome.group(1)
    assert 'data-autocomplete="appellations"' in rome.group(2) and 'data-append-to="rome_codes"' in rome.group(2)
    assert 'data-append-pattern="[A-N][0-9]{4}"' in rome.group(2) and " name=" not in rome.group(2)
    commune = re.search(r'<label for="ajout-commune"[^>]*>[^<]+</label>.*?<input ([^>]+)>', html, re.S).group(1)
    assert 'data-autocomplete="communes"' in commune and 'data-append-to="communes"' in commune
    response = client.post(f"/annuaire-inclusion/structures/{company.id}/fiche", data={
        "version": "0", "activities": "Peinture",
        "rome_codes": "Peintre en bâtiment (F1606 Peinture en bâtiment), k2204",
        "communes": "Aubervilliers (93300)\nStains", "contact_email": "regie@exemple.fr"})
    assert response.status_code == 302
    profile = db.session.scalar(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == company.id))
    assert sorted(r.rome_code for r in profile.rome_codes) == ["F1606", "K2204"]
    assert sorted(r.commune_insee for r in profile.communes) == ["93001", "93072"]


def test_the_search_s_commune_filter_is_the_board_s_autocomplete(client, login_as, structure):
    structure("Jardins du Canal", kind=CompanyKind.ACI, commune="93031", rome_codes="A1203")
    login_as("buyer")
    html = client.get("/annuaire-inclusion").get_data(as_text=True)
    field = re.search(r'<input type="text" id="filtre-commune" name="commune"([^>]*)>', html).group(1)
    assert 'data-autocomplete="communes"' in field and 'autocomplete="off"' in field
    assert "js/autocomplete.js" in html
    # What the autocomplete writes is what the filter reads (no JavaScript needed either).
    found = client.get("/annuaire-inclusion?commune=%C3%89pinay-sur-Seine+(93800)&rayon=5").get_data(as_text=True)
    assert "Jardins du Canal" in found and "les plus proches de Épinay-sur-Seine" in found
    assert 'value="Épinay-sur-Seine (93800)"' in found


def test_the_form_is_refused_to_another_company(client, login_as, structure):
    company, _ = structure()
    login_as("company")
    assert client.get(f"/annuaire-inclusion/structures/{company.id}/fiche").status_code == 403
    assert client.post(f"/annuaire-inclusion/structures/{company.id}/fiche", data={}).status_code == 403


def _lot(build, structure, clause_kind=ClauseKind.EXECUTION_CONDITION, company=True):
    lot = build.lot(contract=build.contract(clause_kind=clause_kind))
    if not company:
        lot.company = None
    if company:
        build.offer(lot, rome_code="F1703", appellation_code=16250)
    structure("Bâtir Ensemble", kind=CompanyKind.EI, commune="93001", rome_codes="F1703", contact_email="b@e.fr")
    structure("Jardins du Canal", kind=CompanyKind.ACI, commune="93031", rome_codes="A1203")
    structure("Atelier Adapté", kind=CompanyKind.EA, commune="93079", rome_codes="F1703")
    return lot


@pytest.mark.parametrize("role", ["facilitator", "company", "buyer"])
def test_the_lot_page_lists_structures_working_in_its_trades(db, client, login_as, build, structure, role):
    lot = _lot(build, structure)
    db.session.commit()
    login_as(role)
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    section = page[page.index("Structures inclusives qui pourraient intervenir"):]
    assert "Bâtir Ensemble" in section and "Atelier Adapté" in section
    assert "Jardins du Canal" not in section  # not in the lot's trades
    assert "/annuaire-inclusion?" in section and "q=F1703" in section


def test_a_reserved_lot_not_yet_held_lists_the_structures_that_could_answer(db, client, login_as, build,
                                                                             structure):
    lot = _lot(build, structure, ClauseKind.RESERVED_EA, company=False)
    db.session.commit()
    login_as("facilitator")
    page = client.get(f"/lots/{lot.id}").get_data(as_text=True)
    section = page[page.index("Structures inclusives qui pourraient intervenir"):]
    assert "ces structures pourraient répondre à ce lot" in section
    assert "Atelier Adapté" in section and "Bâtir Ensemble" not in section and "Jardins du Canal" not in section
    assert "type=ea" in section
