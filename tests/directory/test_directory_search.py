"""The directory search: trade (accents aside, ROME code), kind, offer type, commune and radius,
published profiles only (facilitators see every one), paginated in SQL."""
import pytest

from clausematch.accounts.models import CompanyKind
from clausematch.directory.queries import DirectoryFilters, search_structures
from clausematch.offers.search import resolve_place


@pytest.fixture
def directory(db, territory, structure):
    structure("Jardins du Canal", kind=CompanyKind.ACI, commune="93031", activities="Élagage et espaces verts",
              rome_codes="A1203", offers=frozenset({"offers_subcontracting"}))
    structure("Bâtir Ensemble", kind=CompanyKind.EI, commune="93001", activities="Gros œuvre",
              rome_codes="F1703", offers=frozenset({"offers_co_contracting"}))
    structure("Intérim Solidaire", kind=CompanyKind.ETTI, commune="93066", activities="Mise à disposition",
              rome_codes="K2204, F1703", offers=frozenset({"offers_staff_provision"}))
    structure("Propreté du Sud", kind=CompanyKind.EA, commune="13055", activities="Nettoyage de locaux",
              offers=frozenset({"offers_subcontracting"}))
    structure("Brouillon", kind=CompanyKind.AI, activities="Nettoyage", is_published=False)
    return territory


def names(territory, with_unpublished=False, **filters):
    page = search_structures(territory.id, DirectoryFilters(**filters), with_unpublished=with_unpublished)
    return [s.name for s in page.items]


@pytest.mark.parametrize("typed", ["elagage", "ÉLAGAGE", "élagages", "espaces verts", "A1203",
                                   "Jardinier / Jardinière (A1203 Aménagement et entretien des espaces verts)"])
def test_trade_is_matched_accents_and_case_aside_or_by_rome_code(directory, typed):
    assert names(directory, q=typed) == ["Jardins du Canal"]


def test_trade_matches_the_rome_labels_and_appellations_of_the_profile(directory):
    assert names(directory, q="maconnerie") == ["Bâtir Ensemble", "Intérim Solidaire"]
    assert names(directory, q="maçon") == ["Bâtir Ensemble", "Intérim Solidaire"]  # an appellation of F1703
    assert names(directory, q="plombier") == []


def test_kind_and_offer_filters(directory):
    assert names(directory, kind=CompanyKind.ETTI) == ["Intérim Solidaire"]
    assert names(directory, offer="sous-traitance") == ["Jardins du Canal", "Propreté du Sud"]
    assert names(directory, offer="mise-a-disposition", q="maçonnerie") == ["Intérim Solidaire"]


def test_radius_excludes_a_far_structure_and_orders_by_distance(db, directory):
    saint_denis = resolve_place("Saint-Denis (93200)")
    found = search_structures(directory.id, DirectoryFilters(place=saint_denis, radius_km=10)).items
    assert [s.name for s in found] == ["Intérim Solidaire", "Bâtir Ensemble", "Jardins du Canal"]
    assert found[0].distance_text == "dans la commune"
    assert names(directory, q="nettoyage") == ["Intérim Solidaire", "Propreté du Sud"]  # K2204 Nettoyage de locaux
    assert names(directory, q="nettoyage", place=saint_denis, radius_km=50) == ["Intérim Solidaire"]


def test_a_commune_served_is_found_beyond_the_radius(db, directory, structure):
    structure("Régie de Marseille", kind=CompanyKind.REGIE, commune="13055", communes="Saint-Denis (93200)")
    found = names(directory, place=resolve_place("Saint-Denis (93200)"), radius_km=5)
    assert "Régie de Marseille" in found and "Propreté du Sud" not in found


def test_unpublished_profiles_are_for_facilitators_only(directory):
    assert "Brouillon" not in names(directory)
    assert "Brouillon" in names(directory, with_unpublished=True)


def test_other_territories_structures_are_not_listed(db, directory):
    from factories import CompanyFactory, TerritoryFactory

    from clausematch.directory import services  # noqa: F401
    other = TerritoryFactory()
    CompanyFactory(territory=other, company_kind=CompanyKind.EI, name="Ailleurs")
    db.session.commit()
    assert search_structures(other.id, DirectoryFilters()).total == 0
    assert "Ailleurs" not in names(directory)


def test_pages_are_cut_in_sql_and_a_page_past_the_last_shows_the_last(app, directory):
    page = search_structures(directory.id, DirectoryFilters(page=2), per_page=3)
    assert (page.total, page.page, [s.name for s in page.items]) == (4, 2, ["Propreté du Sud"])
    past = search_structures(directory.id, DirectoryFilters(page=9), per_page=3)
    assert (past.page, len(past.items)) == (2, 1)
