"""Place fields resolve only to a commune the person picked or named without doubt; anything else
is a field error listing the closest communes (issue 12: "Zzzzville" was saved as Ozeville)."""
import pytest

from clausematch.errors import DomainError
from clausematch.referential.resolve import CommuneNotResolved, find_commune, resolve_commune

pytestmark = pytest.mark.usefixtures("app")

SAINT_DENIS_93, SAINT_DENIS_974, AUBERVILLIERS = "93066", "97411", "93001"
PLAINE_COMMUNE = frozenset({"93"})


@pytest.mark.parametrize(("typed", "insee"), [
    ("Saint-Denis (93200)", SAINT_DENIS_93),
    ("saint denis 93210", SAINT_DENIS_93),
    ("93200 Saint-Denis", SAINT_DENIS_93),
    ("Saint-Denis (97400)", SAINT_DENIS_974),
    ("Saint-Denis 974", SAINT_DENIS_974),
    ("93300", AUBERVILLIERS),  # a postcode only Aubervilliers has
    ("93001", AUBERVILLIERS),  # an INSEE code
    ("aubervilliers", AUBERVILLIERS),
    ("AUBERVILLIERS", AUBERVILLIERS),
    ("L'Île-Saint-Denis", "93039"),
    ("l ile st denis", "93039"),
    ("Paris", "75056"),
    ("75011", "75111"),
    ("Paris 11e Arrondissement (75011)", "75111"),
])
def test_a_commune_named_without_doubt_is_resolved(typed, insee):
    assert find_commune(typed).insee_code == insee


def test_a_namesake_resolves_to_the_one_of_the_territory():
    assert find_commune("Saint-Denis", prefer_departments=PLAINE_COMMUNE).insee_code == SAINT_DENIS_93
    assert find_commune("st denis", prefer_departments=PLAINE_COMMUNE).insee_code == SAINT_DENIS_93


def test_a_namesake_without_a_territory_preference_lists_the_choices():
    with pytest.raises(CommuneNotResolved) as refused:
        find_commune("Saint-Denis")
    assert "Saint-Denis (93200)" in refused.value.choices
    assert "Saint-Denis (97400)" in refused.value.choices
    assert "« Saint-Denis » ne désigne pas une commune précise" in refused.value.message


def test_the_picked_commune_wins_while_the_text_names_it():
    assert find_commune("Saint-Denis (97400)", insee_code=SAINT_DENIS_974,
                        prefer_departments=PLAINE_COMMUNE).insee_code == SAINT_DENIS_974
    # The text was changed after picking: the text decides, and here it names nothing.
    with pytest.raises(CommuneNotResolved):
        find_commune("Zzzzville", insee_code=SAINT_DENIS_974)


def test_an_unknown_name_is_never_replaced_by_a_far_commune():
    with pytest.raises(CommuneNotResolved) as refused:
        find_commune("Zzzzville", prefer_departments=PLAINE_COMMUNE)
    assert refused.value.field == "commune"
    assert "Ozeville (50310)" not in refused.value.choices
    assert refused.value.message.startswith("Commune introuvable : « Zzzzville »")


@pytest.mark.parametrize("typed", ["aubervilier", "Aubervillier", "aubervil"])
def test_a_typo_or_an_unfinished_name_gets_the_closest_choices(typed):
    with pytest.raises(CommuneNotResolved) as refused:
        find_commune(typed, prefer_departments=PLAINE_COMMUNE)
    assert refused.value.choices[0] == "Aubervilliers (93300)"
    assert len(refused.value.choices) <= 5
    assert "Aubervilliers (93300)" in refused.value.message


def test_a_postcode_shared_by_several_communes_lists_them():
    with pytest.raises(CommuneNotResolved) as refused:
        find_commune("95000")
    assert "Cergy (95000)" in refused.value.choices
    assert "Plusieurs communes ont le code « 95000 »" in refused.value.message


def test_a_name_with_a_postcode_that_is_not_its_own_is_refused():
    with pytest.raises(CommuneNotResolved) as refused:
        find_commune("Aubervilliers (93200)")
    assert refused.value.choices == ["Aubervilliers (93300)"]


def test_the_field_named_by_the_caller_carries_the_error():
    with pytest.raises(DomainError) as refused:
        find_commune("Zzzzville", field="place")
    assert refused.value.field == "place"
    assert find_commune("   ") is None
    with pytest.raises(DomainError, match="Indiquez la commune"):
        resolve_commune("")


@pytest.mark.parametrize("code", ["9223372036854775808", "2147483648", "0", "-3"])
def test_a_picked_appellation_code_out_of_the_id_range_is_ignored_and_the_text_decides(code):
    """The hidden code of the offer form's autocomplete, edited by hand beyond the integer columns:
    never looked up (SQLite overflowed), the typed title is resolved as if nothing was picked."""
    from clausematch.referential.resolve import resolve_appellation

    assert resolve_appellation("Maçon", code).code == resolve_appellation("Maçon").code
