"""The public register of personal data (/donnees-personnelles): built from the territory's
settings, open without an account, linked from the footer and from the consent text."""
import html as html_lib
import re

from factories import TerritoryFactory

from clausematch.accounts.models import Territory

SETTINGS = {"eligibility_validity_months": "6", "default_labour_share": "50", "default_insertion_rate": "5",
            "default_hourly_cost": "30", "exit_convention": "dgefp"}


def text(response) -> str:
    html = response.get_data(as_text=True)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", html))).replace("\xa0", " ")


def row(page: str, label: str) -> str:
    """The retention table's cell for `label` (its text up to the next row)."""
    stops = r"(?= Contrats de travail| Journal des accès| ClauseMatch n'applique| ClauseMatch applique| Vos droits)"
    return re.search(re.escape(label) + r" (.*?)" + stops, page).group(1)


def test_one_territory_shows_its_register_without_login(client, territory):
    response = client.get("/donnees-personnelles")
    assert response.status_code == 200
    page = text(response)
    assert f"Le guichet clause de {territory.name}" in page
    assert "Anonymisés après 24 mois sans activité" in row(page, "Votre fiche et votre parcours")
    assert "5 ans après la fin du contrat" in row(page, "Contrats de travail et heures réalisées")
    assert row(page, "Journal des accès à vos données").strip() == "12 mois"
    assert "n'a pas encore publié l'identité du responsable du traitement" in page
    assert "www.cnil.fr/fr/plaintes" in page
    # The periods are enforced by the nightly job privacy.retention: the page says so, and how.
    assert "ClauseMatch applique ces durées chaque nuit." in page
    assert "votre prescripteur en est prévenu 30 jours avant" in page
    assert "n'applique pas encore" not in page
    assert "ne tient pas encore de journal" not in page and "Chaque consultation de vos données sensibles" in page
    for heading in ("Pourquoi ces données sont utilisées", "Sur quelles bases légales", "Qui voit vos données",
                    "Vos droits", "Réclamation"):
        assert f">{heading}</h2>" in response.get_data(as_text=True)


def test_the_page_follows_the_settings_saved_by_the_facilitator(client, login_as, territory):
    login_as("facilitator")
    saved = client.post("/parametres", data={
        **SETTINGS, "controller_name": "EPT Plaine Commune", "controller_address": "21 avenue Jules Rimet, Saint-Denis",
        "dpo_email": "dpo@plainecommune.fr", "inactivity_months": "18", "accountability_years": "1",
        "access_log_months": "120"})
    assert saved.status_code == 302
    client.post("/deconnexion")
    response = client.get("/donnees-personnelles")
    page = text(response)
    assert "Responsable du traitement EPT Plaine Commune" in page
    assert "Adresse 21 avenue Jules Rimet, Saint-Denis" in page
    assert response.get_data(as_text=True).count('href="mailto:dpo@plainecommune.fr"') == 2  # contact and rights
    assert "Anonymisés après 18 mois sans activité" in row(page, "Votre fiche et votre parcours")
    assert "1 an après la fin du contrat" in row(page, "Contrats de travail et heures réalisées")
    assert row(page, "Journal des accès à vos données").strip() == "120 mois"
    assert "n'a pas encore publié" not in page


def test_several_territories_list_them_and_each_has_its_page(client, db, territory):
    other = TerritoryFactory(name="Est Ensemble", inactivity_months=48, dpo_email="dpo@est-ensemble.fr")
    db.session.commit()
    choice = client.get("/donnees-personnelles")
    assert choice.status_code == 200
    html = choice.get_data(as_text=True)
    assert f'href="/donnees-personnelles?territoire={other.id}"' in html
    assert f'href="/donnees-personnelles?territoire={territory.id}"' in html
    assert html.index("Est Ensemble") < html.index(territory.name)  # by name
    mine = text(client.get(f"/donnees-personnelles?territoire={territory.id}"))
    theirs = text(client.get(f"/donnees-personnelles?territoire={other.id}"))
    assert "Anonymisés après 24 mois" in mine and "dpo@est-ensemble.fr" not in mine
    assert "Anonymisés après 48 mois" in theirs and "dpo@est-ensemble.fr" in theirs
    assert "Choisir un autre territoire" in theirs


def test_an_unknown_territory_is_a_404_and_a_malformed_one_is_ignored(client, db, territory):
    missing = (db.session.query(Territory.id).order_by(Territory.id.desc()).first()[0]) + 1
    assert client.get(f"/donnees-personnelles?territoire={missing}").status_code == 404
    response = client.get("/donnees-personnelles?territoire=abc")
    assert response.status_code == 200 and f"Le guichet clause de {territory.name}" in text(response)


def test_without_any_territory_the_page_says_so(client, db):
    assert db.session.query(Territory).count() == 0
    response = client.get("/donnees-personnelles")
    assert response.status_code == 200
    assert "Aucun territoire n'est encore configuré" in text(response)


def test_the_footer_links_to_the_register(client, login_as):
    for html in (client.get("/accessibilite").get_data(as_text=True),
                 (login_as("company"), client.get("/accueil", follow_redirects=True))[1].get_data(as_text=True)):
        footer = re.search(r'<footer class="pied">.*?</footer>', html, re.S).group(0)
        assert 'href="/donnees-personnelles">Données personnelles</a>' in footer


def test_the_consent_text_links_to_the_prescriber_territory_register(client, login_as, territory):
    user = login_as("prescriber")
    html = client.get("/candidats/nouveau").get_data(as_text=True)
    consent = re.search(r"<legend[^>]*>Consentement de la personne</legend>.*?</fieldset>", html, re.S).group(0)
    link = f'href="/donnees-personnelles?territoire={user.organisation.territory_id}"'
    assert link in consent and "nouvelle fenêtre" in consent


def test_the_settings_page_links_to_its_register(client, login_as, territory):
    login_as("facilitator")
    html = client.get("/parametres").get_data(as_text=True)
    assert f'href="/donnees-personnelles?territoire={territory.id}"' in html
    assert 'id="inactivity_months"' in html and 'value="24"' in html


def test_the_register_runs_a_fixed_number_of_queries(client, db, count_queries, territory):
    with count_queries() as one:
        client.get("/donnees-personnelles")
    for n in range(5):
        TerritoryFactory(name=f"Territoire ajouté {n}")
    db.session.commit()
    with count_queries() as several:
        client.get("/donnees-personnelles")
        client.get(f"/donnees-personnelles?territoire={territory.id}")
    assert len(one) <= 2 and len(several) <= 4


def test_the_register_page_structure_is_accessible(client, territory):
    """One h1 in the main landmark, h2 per part, unique ids, every aria-labelledby pointing at one."""
    html = client.get("/donnees-personnelles").get_data(as_text=True)
    main = re.search(r'<main id="contenu"[^>]*>(.*)</main>', html, re.S).group(1)
    assert main.count("<h1") == 1 and main.count("<h2") >= 8
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    labelled = re.findall(r'aria-labelledby="([^"]+)"', main)
    assert len(labelled) == 9 and set(labelled) <= set(ids)
    assert '<th scope="col">Durée</th>' in main and "<caption" in main
