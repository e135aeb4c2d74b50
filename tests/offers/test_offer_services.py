"""Offer services: creation and edition with their French errors, nothing half-saved."""
from dataclasses import replace
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from factories import ContractInTerritoryFactory, LotFactory

from clausematch.accounts.models import TerritoryCommune
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, NotAllowed
from clausematch.offers import services
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.services import OfferData, offer_search_text
from clausematch.vocabulary import ContractType, Sector


def valid_data(lot, **changes) -> OfferData:
    data = OfferData(lot_id=lot.id, title="Maçon VRD (H/F)", appellation_text="macon", contract_type="cdd",
                     weekly_hours=35, commune_text="93200", skills="Lecture de plans, coffrage",
                     description="Chantier du groupe scolaire.", positions=2, eligible_criteria=["rsa", "deld"],
                     publication_end=date.today() + timedelta(days=60))
    return replace(data, **changes)


def row_counts(db):
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Offer, OfferStatusChange, AuditEvent))


def test_offer_search_text_is_normalised():
    assert offer_search_text("Maçon VRD (H/F)", "Maçon / Maçonne", "Maçonnerie", "Lecture de plans") == \
        "macon vrd h f macon maconne maconnerie lecture de plans"
    assert offer_search_text("Cœur") == "coeur"


def test_create_offer_from_text_only(db, personas, company_lot):
    offer = services.create_offer(valid_data(company_lot), personas["company"])
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.status == OfferStatus.DRAFT
    assert (offer.appellation_code, offer.rome_code) == (16250, "F1703")
    assert (offer.commune_insee, offer.latitude, offer.longitude) == \
        ("93066", offer.commune.latitude, offer.commune.longitude)
    assert offer.company_id == company_lot.company_id
    assert offer.territory_id == company_lot.contract.territory_id
    assert offer.created_by_id == personas["company"].id
    assert offer.sector == Sector.CONSTRUCTION  # the contract's, none given
    assert offer.contract_type == ContractType.CDD and offer.positions == 2
    assert offer.eligible_criteria == ["deld", "rsa"]  # vocabulary order, whatever the order ticked
    assert "macon vrd" in offer.search_text and "maconnerie" in offer.search_text
    assert "lecture de plans" in offer.search_text
    [creation] = db.session.scalars(sa.select(OfferStatusChange)).all()
    assert (creation.from_status, creation.to_status, creation.actor_id) == \
        (None, OfferStatus.DRAFT, personas["company"].id)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert actions == {"offer.created", "offer.status_changed"}


def test_facilitator_creates_for_the_lots_company(db, personas, other_lot):
    offer = services.create_offer(valid_data(other_lot, sector="services"), personas["facilitator"])
    assert offer.company_id == other_lot.company_id
    assert offer.sector == Sector.SERVICES


def test_autocomplete_codes_win_while_the_text_names_them(db, personas, company_lot):
    plumber = "Plombier / Plombière (F1603 Installation d'équipements sanitaires et thermiques)"
    picked = valid_data(company_lot, appellation_text=plumber,
                        appellation_code="17837", commune_text="Aubervilliers (93300)", commune_insee="93001")
    offer = services.create_offer(picked, personas["company"])
    assert (offer.appellation_code, offer.commune_insee) == (17837, "93001")


def test_text_changed_after_picking_is_resolved_again(db, personas, company_lot):
    changed = valid_data(company_lot, appellation_text="coffreur", appellation_code="17837",
                         commune_text="Aubervilliers", commune_insee="93066")
    offer = services.create_offer(changed, personas["company"])
    assert offer.appellation.label == "Coffreur / Coffreuse"
    assert offer.commune_insee == "93001"


def test_homonym_communes_resolve_to_the_territorys(db, personas, company_lot, territory):
    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93066"))
    db.session.commit()
    offer = services.create_offer(valid_data(company_lot, commune_text="st denis"), personas["company"])
    assert offer.commune_insee == "93066"


INVALID = [
    ({"title": "  "}, "title", "Indiquez l'intitulé de l'offre."),
    ({"title": "x" * 201}, "title", "L'intitulé ne doit pas dépasser 200 caractères."),
    ({"appellation_text": ""}, "appellation", "Indiquez le métier (appellation ROME)."),
    ({"appellation_text": "xqzwvk"}, "appellation", "Aucun métier ne correspond à « xqzwvk »"),
    ({"appellation_text": "agent entretien"}, "appellation",
     "Plusieurs métiers correspondent à « agent entretien », précisez lequel. "
     "Suggestions : « Agent / Agente d'entretien"),
    ({"commune_text": ""}, "commune", "Indiquez la commune du poste."),
    ({"commune_text": "zzqqxxww"}, "commune", "Commune introuvable"),
    ({"weekly_hours": 0}, "weekly_hours", "La durée hebdomadaire doit être comprise entre 0 et 48 heures"),
    ({"weekly_hours": 48.5}, "weekly_hours", "La durée hebdomadaire doit être comprise entre 0 et 48 heures"),
    ({"weekly_hours": None}, "weekly_hours", "La durée hebdomadaire"),
    ({"positions": 0}, "positions", "Indiquez au moins un poste à pourvoir."),
    ({"publication_end": date.today() - timedelta(days=1)}, "publication_end",
     "La fin de publication ne peut pas être passée."),
    ({"eligible_criteria": ["rsa", "martien"]}, "eligible_criteria", "Un des publics éligibles cochés n'existe pas."),
    ({"contract_type": "stage"}, "contract_type", "Choisissez le type de contrat."),
    ({"sector": "agriculture"}, "sector", "Choisissez le secteur : bâtiment ou services."),
    ({"certificates_required": "x" * 301}, "certificates_required", "ne doivent pas dépasser 300 caractères"),
    ({"lot_id": None}, "lot_id", "Choisissez le lot auquel l'offre se rattache."),
]


@pytest.mark.parametrize(("changes", "field", "message"), INVALID, ids=[f"{c[1]}-{i}" for i, c in enumerate(INVALID)])
def test_invalid_offer_is_refused_in_french_and_nothing_is_saved(db, personas, company_lot, changes, field, message):
    before = row_counts(db)
    with pytest.raises(DomainError) as raised:
        services.create_offer(valid_data(company_lot, **changes), personas["company"])
    assert raised.value.field == field
    assert message in raised.value.message
    db.session.rollback()
    assert row_counts(db) == before


def test_weekly_hours_bounds_are_inclusive_of_48(db, personas, company_lot):
    assert services.create_offer(valid_data(company_lot, weekly_hours=48), personas["company"]).weekly_hours == 48
    assert services.create_offer(valid_data(company_lot, weekly_hours=0.5), personas["company"]).weekly_hours == 0.5


def test_unawarded_lot_is_refused(db, personas, contract):
    lot = LotFactory(contract=contract, company=None)
    db.session.commit()
    with pytest.raises(DomainError, match="attribué à aucune entreprise"):
        services.create_offer(valid_data(lot), personas["facilitator"])


@pytest.mark.parametrize("role", ["company", "prescriber", "buyer", "admin"])
def test_nobody_else_creates_on_another_companys_lot(db, personas, other_lot, role):
    before = row_counts(db)
    with pytest.raises(NotAllowed):
        services.create_offer(valid_data(other_lot), personas[role])
    db.session.rollback()
    assert row_counts(db) == before


def test_update_offer_recomputes_place_and_search_text(db, personas, make_offer):
    offer = make_offer(status=OfferStatus.SUBMITTED)
    services.update_offer(offer.id, valid_data(offer.lot, title="Coffreur", appellation_text="coffreur",
                                               commune_text="Aubervilliers"), personas["company"])
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert offer.status == OfferStatus.SUBMITTED  # editing does not move the offer
    assert (offer.title, offer.rome_code, offer.commune_insee) == ("Coffreur", "F1701", "93001")
    assert offer.latitude == offer.commune.latitude
    assert offer.search_text.startswith("coffreur coffreur coffreuse")
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "offer.updated")).one()
    assert "title" in event.details["fields"] and "commune_insee" in event.details["fields"]


def test_failed_update_leaves_the_offer_as_it_was(db, personas, make_offer):
    offer = make_offer(title="Avant")
    with pytest.raises(DomainError):
        services.update_offer(offer.id, valid_data(offer.lot, title="Après", weekly_hours=99), personas["company"])
    db.session.rollback()
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).title == "Avant"


@pytest.mark.parametrize("status", [OfferStatus.PUBLISHED, OfferStatus.FILLED, OfferStatus.CLOSED])
def test_company_cannot_update_once_published(db, personas, make_offer, status):
    offer = make_offer(status=status)
    with pytest.raises(NotAllowed, match="ne peut pas être modifiée"):
        services.update_offer(offer.id, valid_data(offer.lot), personas["company"])


def test_facilitator_corrects_a_published_offer(db, personas, make_offer):
    offer = make_offer(status=OfferStatus.PUBLISHED)
    services.update_offer(offer.id, valid_data(offer.lot, title="Corrigé"), personas["facilitator"])
    assert db.session.get(Offer, offer.id).title == "Corrigé"


def test_set_offer_status_commits_and_refuses_unknown_status(db, personas, make_offer):
    offer = make_offer(status=OfferStatus.DRAFT)
    services.set_offer_status(offer.id, "submitted", personas["company"])
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == OfferStatus.SUBMITTED
    with pytest.raises(DomainError, match="Statut d'offre inconnu"):
        services.set_offer_status(offer.id, "archived", personas["facilitator"])


def test_allowed_lots(db, personas, company_lot, other_lot, territory):
    elsewhere = LotFactory(contract=ContractInTerritoryFactory(), company=other_lot.company)
    unawarded = LotFactory(contract=company_lot.contract, company=None)
    db.session.commit()

    def ids(role):
        return set(db.session.scalars(services.allowed_lots_query(personas[role])))

    assert ids("company") == {company_lot}
    assert ids("facilitator") == {company_lot, other_lot}
    assert elsewhere not in ids("facilitator") and unawarded not in ids("facilitator")
    assert ids("prescriber") == set() and ids("admin") == set()


def test_lot_defaults_come_from_the_contract_and_clause(company_lot, other_lot):
    assert services.lot_defaults(company_lot) == {"sector": "construction", "eligible_criteria": ["deld", "rsa"]}
    assert services.lot_defaults(other_lot) == {"sector": "construction", "eligible_criteria": []}


@pytest.mark.parametrize("typed", ["Zzzzville", "aubervilier", "95000"])
def test_an_offer_place_not_named_without_doubt_is_a_field_error_and_the_offer_kept(db, personas, make_offer,
                                                                                  typed):
    offer = make_offer(status=OfferStatus.SUBMITTED)
    before = (offer.commune_insee, offer.title, offer.latitude)
    with pytest.raises(DomainError) as refused:
        services.update_offer(offer.id, valid_data(offer.lot, title="Coffreur", commune_text=typed),
                              personas["company"])
    assert refused.value.field == "commune"
    db.session.rollback()
    db.session.expire_all()
    offer = db.session.get(Offer, offer.id)
    assert (offer.commune_insee, offer.title, offer.latitude) == before
