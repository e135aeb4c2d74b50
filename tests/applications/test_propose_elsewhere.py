"""A refused (or closed, "poste pourvu") person proposed to another offer in one step from that
application's page, by the prescriber or a facilitator; facilitators propose like prescribers;
offer pickers show title, company, commune and lot."""
import re
from html import unescape

import sqlalchemy as sa
from applications_support import S, add_criterion
from factories import CandidateInTerritoryFactory, OfferInTerritoryFactory

from clausematch.applications import proposing
from clausematch.applications.models import Application, RefusalReason
from clausematch.notifications import Notification


def other_offer(db, lot, title="Maçon VRD", **columns):
    offer = OfferInTerritoryFactory(lot=lot, title=title, **columns)
    db.session.commit()
    return offer


def test_refused_application_page_offers_to_propose_elsewhere(db, client, login_as, make_application, lot, offer):
    refused = make_application(S.REFUSED, refusal_reason=RefusalReason.POSITION_FILLED)
    elsewhere = other_offer(db, lot)

    for role in ("prescriber", "facilitator"):
        login_as(role)
        html = client.get(f"/orientations/{refused.id}").get_data(as_text=True)
        assert '<h2 id="titre-ailleurs">Proposer pour une autre offre</h2>' in html
        assert "Close (poste pourvu)" in html
        options = re.findall(r'<option value="(\d+)"', html)
        # The picker lists the other open offer, not the one already applied to.
        assert str(elsewhere.id) in options and str(offer.id) not in options


def test_no_propose_elsewhere_on_an_open_application(db, client, login_as, make_application):
    login_as("prescriber")
    html = client.get(f"/orientations/{make_application(S.SENT).id}").get_data(as_text=True)
    assert "Proposer pour une autre offre" not in html


def test_prescriber_proposes_the_refused_person_in_one_step(db, client, login_as, personas, make_application,
                                                            candidate, lot):
    refused = make_application(S.REFUSED)
    elsewhere = other_offer(db, lot)
    login_as("prescriber")

    response = client.post(f"/orientations/{refused.id}/proposer-ailleurs",
                           data={"ailleurs-offer_id": elsewhere.id, "ailleurs-message": "Toujours motivée"})

    created = db.session.scalars(sa.select(Application).where(Application.offer_id == elsewhere.id)).one()
    assert response.status_code == 302 and response.headers["Location"] == f"/orientations/{created.id}"
    assert (created.candidate_id, created.status, created.message) == (candidate.id, S.SUBMITTED, "Toujours motivée")
    assert created.proposed_by_id == personas["prescriber"].id


def test_facilitator_proposes_elsewhere_for_the_prescriber_who_is_told(db, client, login_as, personas, referent,
                                                                        make_application, candidate, lot):
    refused = make_application(S.REFUSED)
    elsewhere = other_offer(db, lot)
    login_as("facilitator")

    client.post(f"/orientations/{refused.id}/proposer-ailleurs", data={"ailleurs-offer_id": elsewhere.id})

    created = db.session.scalars(sa.select(Application).where(Application.offer_id == elsewhere.id)).one()
    assert (created.prescriber_id, created.proposed_by_id) == (candidate.prescriber_id, personas["facilitator"].id)
    told = db.session.scalars(sa.select(Notification.message).where(Notification.user_id == referent.id)).all()
    assert "L'équipe de facilitation a proposé Léa M. à l'offre « Maçon VRD »." in told


def test_propose_elsewhere_keeps_the_proposal_checks(db, client, login_as, make_application, lot):
    refused = make_application(S.REFUSED)
    qpv_only = other_offer(db, lot, qpv_required=True)
    login_as("prescriber")

    response = client.post(f"/orientations/{refused.id}/proposer-ailleurs", data={"ailleurs-offer_id": qpv_only.id})

    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "réservée aux résidents d'un quartier prioritaire" in html
    assert "<title>Erreur : " in html
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_propose_elsewhere_without_an_offer_is_a_field_error(db, client, login_as, make_application):
    refused = make_application(S.REFUSED)
    login_as("prescriber")
    response = client.post(f"/orientations/{refused.id}/proposer-ailleurs", data={})
    assert response.status_code == 422
    assert "Choisissez l&#39;offre." in response.get_data(as_text=True)


def test_propose_elsewhere_from_an_open_application_is_refused(db, client, login_as, make_application, lot):
    sent = make_application(S.SENT)
    elsewhere = other_offer(db, lot)
    login_as("prescriber")
    response = client.post(f"/orientations/{sent.id}/proposer-ailleurs", data={"ailleurs-offer_id": elsewhere.id})
    assert response.status_code == 422
    assert "Seule une candidature refusée ou close" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 1


def test_facilitator_proposes_from_the_offer_page_among_the_territory_candidates(db, client, login_as, personas,
                                                                                  offer, candidate):
    login_as("facilitator")
    page = client.get(f"/orienter/offres/{offer.id}").get_data(as_text=True)
    assert f'<option value="{candidate.id}">MARTIN Léa (n° {candidate.id})</option>' in page

    response = client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": candidate.id})

    assert response.status_code == 302
    assert db.session.scalars(sa.select(Application.candidate_id).where(Application.offer_id == offer.id)).all() \
        == [candidate.id]


def test_a_filled_offer_page_sends_the_prescriber_back_with_a_french_notice(db, client, login_as, offer):
    offer.status = "filled"
    db.session.commit()
    login_as("prescriber")
    response = client.get(f"/orienter/offres/{offer.id}", follow_redirects=True)
    assert "Cette offre est pourvue : elle n&#39;accepte plus de candidatures." in response.get_data(as_text=True)


def test_offer_picker_labels_show_title_company_commune_and_lot(db, personas, offer, candidate):
    [(offer_id, label)] = proposing.offer_choices(offer.territory_id, "")
    lot = offer.lot
    assert offer_id == offer.id
    assert label == (f"Coffreur bancheur — {offer.company.name} — {offer.commune.label} — lot {lot.number} du marché "
                     f"{lot.contract.reference} (offre n° {offer.id})")


def test_offer_picker_puts_the_same_trade_first_and_leaves_out_offers_already_proposed(db, personas, lot, offer,
                                                                                      candidate, make_application):
    make_application(S.REFUSED)
    other_trade = other_offer(db, lot, title="Agent d'entretien", rome_code="K2204")
    same_trade = other_offer(db, lot, title="Zingueur", rome_code=offer.rome_code)

    ids = [i for i, _ in proposing.offer_choices(offer.territory_id, "", candidate_id=candidate.id,
                                                 rome_code=offer.rome_code)]

    assert ids == [same_trade.id, other_trade.id]


def test_candidate_choices_are_scoped_by_role(db, personas, candidate):
    stranger = CandidateInTerritoryFactory(first_name="Zoé", last_name="Autre")
    add_criterion(stranger)
    db.session.commit()
    prescriber_ids = [i for i, _ in proposing.candidate_choices(personas["prescriber"], "")]
    facilitator_ids = [i for i, _ in proposing.candidate_choices(personas["facilitator"], "")]
    assert prescriber_ids == [candidate.id]
    assert candidate.id in facilitator_ids
    assert (stranger.id in facilitator_ids) == (stranger.territory_id == candidate.territory_id)
