"""The public job board /offres: what it lists, how it searches, what it never shows."""
import re
from datetime import timedelta
from html import unescape

import pytest
from factories import LotInTerritoryFactory, OfferInTerritoryFactory, TerritoryFactory

from clausematch.accounts.models import TerritoryCommune
from clausematch.database import today, utcnow
from clausematch.offers.models import OfferStatus
from clausematch.referential.models import Commune, RomeAppellation
from clausematch.text import normalise
from clausematch.vocabulary import ContractType, Sector

MACON = 16250  # "Maçon / Maçonne", F1703
BRIQUETEUR = 11596  # "Briqueteur / Briqueteuse", F1703 too
AGENT_ENTRETIEN = 10688  # "Agent / Agente d'entretien/propreté de locaux", K2204
SAINT_DENIS, AUBERVILLIERS, LYON = "93066", "93001", "69123"

@pytest.fixture
def lot(db):
    lot = LotInTerritoryFactory(company__name="Bâtisseurs de la Plaine")
    db.session.commit()
    return lot


@pytest.fixture
def publish(db, lot):
    """publish(title, commune=INSEE, appellation=code, **columns) → a committed offer, published
    unless `status` says otherwise, placed and searchable like the offers service does it."""
    def make(title: str = "Maçon / Maçonne", commune: str = SAINT_DENIS, appellation: int = MACON,
             status: OfferStatus = OfferStatus.PUBLISHED, **columns):
        place = db.session.get(Commune, commune)
        job = db.session.get(RomeAppellation, appellation)
        columns.setdefault("published_at", utcnow() if status == OfferStatus.PUBLISHED else None)
        skills = columns.pop("skills", "")
        offer = OfferInTerritoryFactory(
            lot=lot, title=title, commune_insee=commune, latitude=place.latitude, longitude=place.longitude,
            appellation_code=job.code, rome_code=job.rome_code, skills=skills,
            search_text=normalise(f"{title} {job.label} {job.rome.label} {skills}"),
            status=status, **columns)
        db.session.commit()
        return offer
    return make


def page_text(response) -> str:
    """Visible text of the page, whitespace collapsed (no-break spaces as plain spaces)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))


def listed_titles(response) -> list[str]:
    """The titles of the results, in page order."""
    html = response.get_data(as_text=True)
    return [unescape(t) for t in re.findall(r'<h3 id="offre-\d+"><a href="/offres/\d+">(.*?)</a></h3>', html)]


def test_radius_around_saint_denis_keeps_aubervilliers_not_lyon(client, publish):
    publish("Maçon à Aubervilliers", commune=AUBERVILLIERS)
    publish("Maçon à Lyon", commune=LYON)

    response = client.get(f"/offres?commune={SAINT_DENIS}&rayon=10")

    assert response.status_code == 200
    assert listed_titles(response) == ["Maçon à Aubervilliers"]
    text = page_text(response)
    assert "1 offre" in text
    assert "Autour de Saint-Denis (93200), dans un rayon de 10 km" in text
    assert "à 3 km" in text  # Saint-Denis → Aubervilliers ≈ 3 km


def test_results_are_sorted_by_distance_and_radius_widens(client, publish):
    publish("Maçon à Lyon", commune=LYON)
    publish("Maçon à Aubervilliers", commune=AUBERVILLIERS)
    publish("Maçon à Saint-Denis", commune=SAINT_DENIS)

    assert listed_titles(client.get(f"/offres?commune={AUBERVILLIERS}&rayon=5")) == [
        "Maçon à Aubervilliers", "Maçon à Saint-Denis"]
    assert listed_titles(client.get(f"/offres?commune={LYON}&rayon=100")) == ["Maçon à Lyon"]
    text = page_text(client.get(f"/offres?commune={SAINT_DENIS}&rayon=5"))
    assert "Saint-Denis (93200), dans la commune" in text
    assert "Aubervilliers (93300), à 3 km" in text


def test_ambiguous_commune_name_takes_the_territory_one(db, client, publish):
    territory = TerritoryFactory(name="Plaine Commune")
    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee=SAINT_DENIS))
    db.session.commit()
    publish("Maçon à Aubervilliers", commune=AUBERVILLIERS)

    for typed in ("Saint-Denis", "st denis", "Saint-Denis (93200)", "93200"):
        response = client.get("/offres", query_string={"commune": typed, "rayon": "10"})
        assert "Autour de Saint-Denis (93200)" in page_text(response), typed
        assert listed_titles(response) == ["Maçon à Aubervilliers"], typed


def test_macon_finds_macon_offers_by_title_or_rome_code(client, publish):
    publish("Maçon / Maçonne")
    publish("Ouvrier du gros œuvre", appellation=BRIQUETEUR)  # no "maçon" in its text: found by F1703
    publish("Agent de propreté", appellation=AGENT_ENTRETIEN)

    for typed in ("macon", "Maçon", "MACONNE", "Maçon / Maçonne (F1703 Maçonnerie)"):
        titles = listed_titles(client.get("/offres", query_string={"q": typed}))
        assert sorted(titles) == ["Maçon / Maçonne", "Ouvrier du gros œuvre"], typed


def test_agent_d_entretien_finds_k2204_offers(client, publish):
    publish("Agent d'entretien H/F", appellation=AGENT_ENTRETIEN)
    publish("Maçon / Maçonne")

    for typed in ("agent d entretien", "agent entretien", "Agent d'entretien"):
        assert listed_titles(client.get("/offres", query_string={"q": typed})) == ["Agent d'entretien H/F"], typed


def test_keyword_search_reads_skills_and_needs_every_word(client, publish):
    publish("Maçon / Maçonne", skills="Lecture de plans, coffrage")
    publish("Maçon / Maçonne VRD")

    # "coffrage" is in the first offer's skills; the second is found through its ROME code F1703
    # (whose appellations include "Maçon-coffreur"), after it.
    assert listed_titles(client.get("/offres?q=coffrage")) == ["Maçon / Maçonne", "Maçon / Maçonne VRD"]
    assert listed_titles(client.get("/offres?q=lecture+plans")) == ["Maçon / Maçonne"]
    assert listed_titles(client.get("/offres?q=vrd+plomberie")) == []


def test_only_published_offers_still_open_are_listed(db, client, publish):
    for status in (OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.FILLED, OfferStatus.CLOSED):
        publish(f"Offre {status.label}", status=status)
    publish("Publication terminée hier", publication_end=today() - timedelta(days=1))
    publish("Dernier jour", publication_end=today())
    publish("Sans date de fin", publication_end=None)

    response = client.get("/offres")

    assert sorted(listed_titles(response)) == ["Dernier jour", "Sans date de fin"]
    assert "2 offres" in page_text(response)


def test_filters_combine(client, publish):
    wanted = dict(contract_type=ContractType.CDI, sector=Sector.CONSTRUCTION)
    publish("La bonne", commune=AUBERVILLIERS, **wanted)
    publish("Trop loin", commune=LYON, **wanted)
    publish("Autre contrat", commune=AUBERVILLIERS, contract_type=ContractType.INTERIM, sector=Sector.CONSTRUCTION)
    publish("Autre secteur", commune=AUBERVILLIERS, contract_type=ContractType.CDI, sector=Sector.SERVICES)
    publish("Autre métier", commune=AUBERVILLIERS, appellation=AGENT_ENTRETIEN, **wanted)

    response = client.get(f"/offres?q=macon&commune={SAINT_DENIS}&rayon=20&type=cdi&secteur=construction")

    assert listed_titles(response) == ["La bonne"]
    assert listed_titles(client.get("/offres?type=cdi&secteur=services")) == ["Autre secteur"]


def test_pagination_counts_in_sql_and_keeps_the_filters(app, client, publish):
    app.config["PAGE_SIZE"] = 25
    for n in range(60):
        publish(f"Offre {n:02d}", published_at=utcnow() - timedelta(hours=n))

    first = client.get("/offres?q=macon&type=cdd")
    second = client.get("/offres?q=macon&type=cdd&page=2")
    beyond = client.get("/offres?q=macon&type=cdd&page=9")

    assert "60 offres" in page_text(second)
    assert listed_titles(first) == [f"Offre {n:02d}" for n in range(25)]  # newest first
    assert listed_titles(second) == [f"Offre {n:02d}" for n in range(25, 50)]
    assert "Page 2 sur 3" in page_text(second)
    next_link = re.search(r'<a href="([^"]+)" rel="next">', second.get_data(as_text=True))[1]
    assert set(unescape(next_link).split("?")[1].split("&")) == {"page=3", "q=macon", "type=cdd"}
    assert listed_titles(beyond) == [f"Offre {n:02d}" for n in range(50, 60)]  # the last page


@pytest.mark.parametrize(("query", "field", "message"), [
    ("rayon=abc", "rayon", "Le rayon doit être un nombre de kilomètres entre 5 et 100"),
    ("rayon=500", "rayon", "Le rayon doit être un nombre de kilomètres entre 5 et 100"),
    ("rayon=2", "rayon", "Le rayon doit être un nombre de kilomètres entre 5 et 100"),
    ("commune=Zzyzxville", "commune", "Commune introuvable : « Zzyzxville »"),
    ("type=temps-plein", "type", "Type de contrat inconnu"),
    ("secteur=spatial", "secteur", "Secteur inconnu"),
])
def test_wrong_filters_get_a_french_message_not_an_error(client, publish, query, field, message):
    publish("Maçon à Lyon", commune=LYON)

    response = client.get(f"/offres?{query}&page=abc")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in unescape(html)
    assert re.search(rf'aria-describedby="[^"]*{field}-erreurs"[^>]*aria-invalid="true"', html)
    assert listed_titles(response) == ["Maçon à Lyon"]  # the wrong filter is not applied


def test_wrong_radius_falls_back_to_30_km(client, publish):
    publish("Maçon à Versailles", commune="78646")  # ≈ 23 km away: within 30 km, not 20
    publish("Maçon à Lyon", commune=LYON)

    response = client.get(f"/offres?commune={SAINT_DENIS}&rayon=mille")

    assert listed_titles(response) == ["Maçon à Versailles"]
    assert '<option selected value="30">30 km</option>' in response.get_data(as_text=True)


def test_a_page_runs_the_same_statements_for_5_or_60_offers(count_queries, client, publish):
    def statements(path: str) -> int:
        with count_queries() as seen:
            assert client.get(path).status_code == 200
        return len(seen)

    paths = ["/offres", f"/offres?q=macon&commune={SAINT_DENIS}&rayon=30&type=cdd", "/offres?commune=Saint-Denis"]
    for _ in range(5):
        publish(commune=AUBERVILLIERS)
    few = [statements(path) for path in paths]
    for _ in range(55):
        publish(commune=AUBERVILLIERS)
    many = [statements(path) for path in paths]

    assert few == many
    assert max(many) <= 3  # COUNT, page rows, and the territories' departments for a typed name


@pytest.mark.parametrize(("typed", "shown"), [
    ("Zzzzville", "Commune introuvable : « Zzzzville »"),
    ("aubervilier", "« aubervilier » ne désigne pas une commune précise"),
    ("95000", "Plusieurs communes ont le code « 95000 »"),
])
def test_a_place_not_named_without_doubt_is_never_searched_around(client, publish, typed, shown):
    """Issue 12: the board never centres a search on a commune nobody named; it says so, lists
    the closest communes, and searches the whole of France meanwhile."""
    publish("Maçon à Lyon", commune=LYON)
    response = client.get("/offres", query_string={"commune": typed, "rayon": "10"})
    text = page_text(response)
    assert response.status_code == 200
    assert shown in text and "la recherche porte sur toute la France" in text
    assert "Autour de" not in text
    assert listed_titles(response) == ["Maçon à Lyon"]
    if typed == "aubervilier":
        assert "Aubervilliers (93300)" in text
