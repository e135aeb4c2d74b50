"""Text normalisation shared by every search (pure functions: no app, no database)."""
import pytest

from clausematch.text import expand_abbreviations, gendered_forms, normalise, search_key, significant_words


@pytest.mark.parametrize("text, expected", [
    ("Maçon / Maçonne", "macon maconne"),
    ("L'Île-Saint-Denis", "l ile saint denis"),
    ("L’Île-Saint-Denis", "l ile saint denis"),  # typographic apostrophe
    ("  ÉLECTRICIEN   du  Bâtiment ", "electricien du batiment"),
    ("Cœur, Œuvre et Æther", "coeur oeuvre et aether"),
    ("Chef d'équipe gros-œuvre (H/F)", "chef d equipe gros oeuvre h f"),
    ("Agent(e) d'entretien", "agent e d entretien"),
    ("", ""),
    (None, ""),
])
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("st denis", "saint denis"),
    ("Ste-Geneviève-des-Bois", "sainte genevieve des bois"),
    ("Boulogne s/ Mer", "boulogne sur mer"),
    ("agt entretien", "agent entretien"),
    ("resp. de chantier", "responsable de chantier"),
    ("tech maintenance", "technicien maintenance"),
    ("Paris 11ème arr.", "paris 11e arrondissement"),
    ("Maçon H/F", "macon"),
    ("Cuisinier (F/H)", "cuisinier"),
    # Left alone on purpose: "ass" may be the ASS allowance; "st" inside a word is not "saint".
    ("ass", "ass"),
    ("stains", "stains"),
    ("poste", "poste"),
])
def test_expand_abbreviations(text, expected):
    assert expand_abbreviations(text) == expected


@pytest.mark.parametrize("text", ["st denis", "Boulogne s/ Mer", "Maçon H/F", "Paris 2eme", "resp tech"])
def test_expand_abbreviations_is_idempotent(text):
    once = expand_abbreviations(text)
    assert expand_abbreviations(once) == once


def test_significant_words_drop_articles_and_prepositions_but_keep_sur_and_sous():
    assert significant_words("Agent d'entretien des espaces verts") == ["agent", "entretien", "espaces", "verts"]
    assert search_key("Fontenay-sous-Bois") == "fontenay sous bois"
    assert search_key("l ile st denis") == search_key("L'Île-Saint-Denis") == "ile saint denis"


def test_significant_words_keep_a_text_of_little_words():
    assert significant_words("Le") == ["le"]


@pytest.mark.parametrize("label, forms", [
    ("Maçon / Maçonne", ["Maçon", "Maçonne"]),
    ("Abatteur / Abatteuse de carrière", ["Abatteur de carrière", "Abatteuse de carrière"]),
    ("Chef d'équipe coffreur / coffreuse", ["Chef d'équipe coffreur", "Chef d'équipe coffreuse"]),
    ("Agent administratif/Agente administrative back-office marché",
     ["Agent administratif back-office marché", "Agente administrative back-office marché"]),
    ("Aide électricien monteur / électricienne monteuse réseaux",
     ["Aide électricien monteur réseaux", "Aide électricienne monteuse réseaux"]),
    ("Agent / Agente de voirie manuel / manuelle", ["Agent de voirie manuel", "Agente de voirie manuelle"]),
    ("Agent / Agente d'entretien/propreté de bureaux",
     ["Agent d'entretien/propreté de bureaux", "Agente d'entretien/propreté de bureaux"]),
    ("Agent(e) d'entretien", ["Agent d'entretien", "Agente d'entretien"]),
    ("Accompagnateur(trice) socioprofessionnel(le)",
     ["Accompagnateur socioprofessionnel", "Accompagnatrice socioprofessionnelle"]),
    ("Régleur(se) metteur(se) au point", ["Régleur metteur au point", "Régleuse metteuse au point"]),
    ("Agent(e) administratif(ive)", ["Agent administratif", "Agente administrative"]),
    ("Chapiste", ["Chapiste"]),
    ("Pilote de chasse / transport / hélicoptère de l'armée",
     ["Pilote de chasse/transport/hélicoptère de l'armée"]),
])
def test_gendered_forms(label, forms):
    assert gendered_forms(label) == forms
