"""The certificates referential: the shipped CSV (codes, labels, implications, sources) and the
tolerant reading of what people type (parse_items), with its refusals."""
import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausematch.errors import DomainError, FieldErrors
from clausematch.referential.certificates import DATA, as_text, catalogue, checked_certificates, key, parse_items

SOURCES = Path(DATA).parent / "SOURCES.md"


def codes(text: str) -> list[str]:
    items, unknown = parse_items(text)
    assert unknown == [], [u.message() for u in unknown]
    return [item.code for item in items]


@pytest.mark.parametrize("typed, expected", [
    ("caces 3", ["caces-r489-3"]),  # only R489 has a numbered category 3
    ("CACES R489 cat3", ["caces-r489-3"]),
    ("CACES R489 cat. 3", ["caces-r489-3"]),
    ("caces r489 catégorie 3", ["caces-r489-3"]),
    ("R489-3", ["caces-r489-3"]),
    ("r 489 3", ["caces-r489-3"]),
    ("CACES R482 cat. B1", ["caces-r482-b1"]),
    ("hab elec B1V", ["hab-b1v"]),
    ("Habilitation électrique BR", ["hab-br"]),
    ("habilitation B1V/BR", ["hab-b1v", "hab-br"]),
    ("permis CE", ["permis-ce"]),
    ("Permis de conduire C", ["permis-c"]),
    ("poids lourd", ["permis-c"]),
    ("SSIAP1", ["ssiap-1"]),
    ("ssiap 2", ["ssiap-2"]),
    ("SS4", ["ss4"]),
    ("SS4 amiante", ["ss4"]),
    ("amiante sous-section 3", ["ss3"]),
    ("sst", ["sst"]),
    ("PSC 1", ["psc1"]),
    ("CACES R489 cat. 3, SS4 amiante; hab elec B1V\nSSIAP1", ["caces-r489-3", "ss4", "hab-b1v", "ssiap-1"]),
    ("SST SSIAP 1 permis B", ["sst", "ssiap-1", "permis-b"]),  # no separator: read one after the other
    ("CACES R489 cat. 3 et SST", ["caces-r489-3", "sst"]),
    ("sst, SST", ["sst"]),  # repeats dropped
    ("", []),
    ("  ,  ; ", []),
])
def test_typed_forms_are_read_into_items(typed, expected):
    assert codes(typed) == expected


def test_an_ambiguous_fragment_proposes_its_choices():
    items, unknown = parse_items("caces a")
    assert items == [] and len(unknown) == 1
    assert [c.code for c in unknown[0].choices] == ["caces-r482-a", "caces-r486-a"]
    assert unknown[0].message() == ("« caces a » peut désigner plusieurs certificats : précisez CACES R482 cat. A "
                                    "ou CACES R486 cat. A.")
    _, unknown = parse_items("BE")
    assert {c.code for c in unknown[0].choices} == {"hab-be", "permis-be"}


def test_an_unknown_fragment_is_named_never_dropped_and_the_rest_is_kept():
    items, unknown = parse_items("SST, brevet de pilote, SS4")
    assert [i.code for i in items] == ["sst", "ss4"]
    assert [u.text for u in unknown] == ["brevet de pilote"]
    assert unknown[0].message().startswith("« brevet de pilote » n'est pas un certificat connu (exemples : CACES R489")


def test_checked_certificates_refuses_every_unknown_fragment_on_the_field():
    with pytest.raises(FieldErrors) as refused:
        checked_certificates("caces a, pilote, SST", "certificates")
    assert [e.field for e in refused.value.errors] == ["certificates", "certificates"]
    assert "précisez CACES R482 cat. A ou CACES R486 cat. A" in refused.value.errors[0].message
    assert "« pilote » n'est pas un certificat connu" in refused.value.errors[1].message
    assert checked_certificates("ss4, caces 3", "x") == (["caces-r489-3", "ss4"], "CACES R489 cat. 3, SS4 amiante")
    too_many = ", ".join(item.label for item in list(catalogue().items.values())[:40])
    with pytest.raises(DomainError, match="Trop de certificats pour ce champ"):
        checked_certificates(too_many, "x", limit=300)


def test_implications_follow_the_official_rules_only():
    closure = catalogue().closure
    assert closure(["permis-ce"]) == {"permis-ce", "permis-c", "permis-c1", "permis-c1e", "permis-be", "permis-b"}
    assert closure(["hab-b1v"]) == {"hab-b1v", "hab-b1"}
    assert closure(["ssiap-2"]) == {"ssiap-2", "ssiap-1"}
    assert closure(["sst"]) == {"sst", "psc1"}
    # No implication between CACES categories, nor from SS3 to SS4, nor from BR to B1V.
    assert closure(["caces-r489-5"]) == {"caces-r489-5"}
    assert closure(["ss3"]) == {"ss3"}
    assert closure(["hab-br"]) == {"hab-br"}
    assert closure(["inconnu"]) == frozenset()


def test_the_csv_is_consistent_and_every_row_has_a_source():
    with open(DATA, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes_ = [row["code"] for row in rows]
    assert len(codes_) == len(set(codes_)) >= 70
    for row in rows:
        assert row["label"] and row["family"] and row["group"] and row["source"], row["code"]
        assert set(row["implies"].split()) <= set(codes_), row["code"]
        # Every item reads back from its own label.
        assert [i.code for i in parse_items(row["label"])[0]] == [row["code"]], row["label"]
    families = {row["family"] for row in rows}
    assert {"CACES", "Habilitation électrique", "Permis de conduire", "Sécurité incendie", "Amiante", "Secourisme",
            "Titre professionnel"} <= families
    sources = SOURCES.read_text(encoding="utf-8")
    assert "certificates.csv" in sources
    for text in ("R489", "NF C 18-510", "Code de la route", "arrêté du 2 mai 2005", "R4412-94", "France Compétences"):
        assert text in sources


def test_as_text_shows_labels_in_the_referential_order():
    assert as_text(["ss4", "caces-r489-3", "inconnu"]) == "CACES R489 cat. 3, SS4 amiante"
    assert as_text([]) == ""


LABELS = sorted({item.label for item in catalogue().items.values()})


@given(st.sampled_from(LABELS), st.data())
def test_case_spacing_and_punctuation_do_not_matter(label, data):
    """The same label typed with any case, extra spaces, or dots and hyphens between words."""
    expected = codes(label)
    words = label.split()
    cased = [data.draw(st.sampled_from([w.lower(), w.upper(), w.title(), w])) for w in words]
    gaps = [data.draw(st.sampled_from([" ", "  ", " . ", "-", " - ", "\t"])) for _ in words[1:]]
    typed = cased[0] + "".join(gap + word for gap, word in zip(gaps, cased[1:], strict=True))
    padding = data.draw(st.sampled_from(["", " ", "  "]))
    assert codes(padding + typed + padding) == expected


@given(st.sampled_from(["r489", "R489", "R 489", "r-489"]),
       st.sampled_from(["cat", "cat.", "catégorie", "CAT", ""]), st.sampled_from(["", " "]),
       st.sampled_from(["1A", "1b", "3", "5", "7"]), st.sampled_from(["caces ", "CACES ", ""]))
def test_caces_categories_read_however_written(recommendation, word, gap, category, prefix):
    typed = f"{prefix}{recommendation} {word}{gap}{category}"
    assert codes(typed) == [f"caces-r489-{category.lower()}"]


def test_key_is_insensitive_to_accents_and_filler_words():
    assert key("Habilitation électrique B1V") == key("hab elec b1v") == key("HAB. ELEC. B1V") == "habb1v"
    assert key("Catégorie 3") == key("cat3") == "3"


def test_a_caces_without_its_category_asks_which_one_and_long_fragments_are_cut_in_the_message():
    _, unknown = parse_items("CACES R482")
    assert len(unknown[0].choices) == 11
    assert unknown[0].message().startswith("« CACES R482 » peut désigner plusieurs certificats : précisez lequel "
                                           "(CACES R482 cat. A, CACES R482 cat. B1,")
    _, unknown = parse_items("x " * 3000)
    assert unknown[0].message().startswith("« " + "x " * 29 + "x… » n'est pas un certificat connu")


def test_the_demo_trades_certificates_all_read():
    from seeds.demo.trades import TRADES

    typed = {trade.certificates for trade in TRADES.values() if trade.certificates}
    assert typed and all(parse_items(text)[1] == [] for text in typed)
    assert codes("Formation amiante SS4 opérateur") == ["ss4"]
