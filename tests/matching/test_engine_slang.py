"""Trade slang, filler words and several jobs in one field (issue 16): the title mapper and the
slang table (clausematch/referential/data/job_slang.csv), the engine without a database."""
import csv

import pytest

from clausematch.matching.engine import CandidateProfile, MatchingEngine, OfferProfile
from clausematch.matching.engine.referential import DATA_DIR, default_referential
from clausematch.matching.engine.titles import FILLER, SLANG_CSV, read_slang
from clausematch.text import search_key


@pytest.fixture(scope="module")
def mapper():
    return default_referential().mapper


# (typed title, expected ROME code): the examples of issue 16 first.
SLANG = [
    ("aide ménagère", "K1304"), ("cantonnier", "I1202"), ("Cantonnier de la voirie", "I1202"),
    ("chauffeur SPL", "N4101"), ("poseur placo", "F1604"), ("ADVF", "K1302"), ("ATSEM", "K1303"),
    ("ASVP", "K1707"), ("ELS", "D1507"), ("cuistot", "G1602"), ("conducteur PL", "N4101"),
    ("Conductrice SPL", "N4101"), ("chauffeur spl citerne", "N4101"), ("ADVF expérimentée", "K1302"),
    ("agent de propreté", "K2204"), ("manœuvre", "F1704"), ("OS", "H3302"), ("cariste", "N1101"),
    ("préparateur de commandes", "N1103"), ("agent de sécurité SSIAP", "K2503"), ("plongeur", "G1605"),
    ("commis", "G1602"), ("femme de chambre", "G1501"), ("valet de chambre", "G1501"), ("éboueur", "K2303"),
    ("ripeur", "K2303"), ("agent d'entretien espaces verts", "A1203"), ("médiateur", "K1204"),
    ("employé libre-service", "D1507"), ("hôtesse de caisse", "D1505"), ("agent d'accueil", "M1601"),
    ("secrétaire", "M1607"), ("ASH", "J1301"), ("vigile", "K2503"), ("placoplâtrier", "F1604"),
    ("agent d'entretien et de propreté", "K2204"), ("ouvrier voirie et réseaux divers", "F1702"),
    ("veilleur de nuit", "G1703"),
]
FILLED = [
    ("Maçon H/F CDI urgent", "F1703"), ("maçon débutant accepté clause sociale", "F1703"),
    ("Agent de nettoyage de nuit temps partiel", "K2204"), ("cuisinier CDD intérim", "G1602"),
    ("Peintre en bâtiment (F/H) - poste à pourvoir", "F1606"), ("coffreur urgent week-end", "F1701"),
]


@pytest.mark.parametrize("title, code", SLANG + FILLED)
def test_slang_and_filled_titles_map_to_their_trade(mapper, title, code):
    match = mapper.map_title(title)
    assert match is not None and match.rome_code == code, (title, match)


@pytest.mark.parametrize("title, jobs", [
    ("plaquiste / peintre BTP", ["F1604", "F1606"]), ("cariste, préparateur de commandes", ["N1101", "N1103"]),
    ("electricien et plombier", ["F1602", "F1603"]), ("peintre ou plaquiste", ["F1606", "F1604"]),
    ("maçon + coffreur bancheur", ["F1703", "F1701"]), ("ADVF / ATSEM", ["K1302", "K1303"]),
])
def test_a_field_holding_several_jobs_is_cut_into_them(mapper, title, jobs):
    parts = mapper.parts(title)
    assert [m.rome_code for m in mapper.map_titles(parts)] == jobs


@pytest.mark.parametrize("title", [
    "Maçon / Maçonne", "Maçon H/F", "agent d'entretien et de propreté", "ouvrier voirie et réseaux divers",
    "Agent(e) d'entretien", "Agent / Agente d'entretien/propreté de locaux",
])
def test_one_job_is_not_cut(mapper, title):
    assert mapper.parts(title) == (title,)


def test_filler_alone_is_no_job_and_maps_to_nothing(mapper):
    assert mapper.map_title("CDI urgent H/F") is None
    assert [m.rome_code for m in mapper.map_titles(mapper.parts("maçon / CDI"))] == ["F1703"]
    assert mapper.parts("cariste / CDI / cuisinier") == ("cariste", "cuisinier")


def test_filler_paired_with_a_referential_word_stays(mapper):
    assert mapper.key("veilleur de nuit") == "veilleur nuit"
    assert mapper.key("maçon de nuit") == "macon"


def test_an_untrusted_look_alike_maps_to_nothing(mapper):
    # "laveur voiture": the n-grams' best guess is Laveur de vitres, with no neighbour of its domain.
    assert mapper.map_title("laveur voiture") is None


def test_every_slang_code_and_appellation_exists_and_no_term_repeats():
    with open(DATA_DIR / "rome_codes.csv", newline="", encoding="utf-8") as handle:
        codes = {row["rome_code"] for row in csv.DictReader(handle)}
    with open(DATA_DIR / "rome_appellations.csv", newline="", encoding="utf-8") as handle:
        appellations = {row["label"]: row["rome_code"] for row in csv.DictReader(handle)}
    terms = read_slang(SLANG_CSV)
    assert len(terms) >= 150
    assert all(term.rome_code in codes for term in terms)
    assert all(appellations[term.appellation] == term.rome_code for term in terms if term.appellation)
    assert all(term.justification for term in terms)
    keys = [search_key(term.term) for term in terms]
    assert len(keys) == len(set(keys))


def test_filler_words_are_search_keys():
    assert all(search_key(word) == word for word in FILLER if word not in {"a", "de"})


def test_a_wrong_look_alike_does_not_get_a_same_job_reason():
    engine = MatchingEngine()
    engine.index_candidates([CandidateProfile("santonnier", ["Santonnier"]),
                             CandidateProfile("cantonnier", ["cantonnier"])])
    ranked = engine.candidates_for(OfferProfile("o", "Cantonnier / Cantonnière de la voirie"))
    assert ranked[0].id == "cantonnier" and ranked[0].reasons[0].startswith("Même métier : I1202")
    assert all(not r.startswith("Même métier") for m in ranked if m.id == "santonnier" for r in m.reasons)


def test_each_job_of_a_multi_job_field_is_a_desired_job():
    engine = MatchingEngine()
    engine.index_candidates([CandidateProfile("both", ["plaquiste / peintre BTP"])])
    for title, code in [("Plaquiste", "F1604"), ("Peintre en bâtiment", "F1606")]:
        ranked = engine.candidates_for(OfferProfile("o", title))
        assert ranked and ranked[0].reasons[0].startswith(f"Même métier : {code}")


def test_filler_words_do_not_pull_unrelated_people():
    engine = MatchingEngine()
    engine.index_candidates([CandidateProfile("cook", ["cuisinier CDI urgent"]),
                             CandidateProfile("mason", ["maçon"])])
    ranked = engine.candidates_for(OfferProfile("o", "Maçon CDI urgent"))
    assert [m.id for m in ranked] == ["mason"]
