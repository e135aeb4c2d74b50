"""Pooling of a company's hours across its lots (globalisation, contracts/pools.py), recomputed
by hand on the world of conftest.py plus two lots of the company persona on two contracts of
two buyers: lot PA at 60 % of its 500 h (300 h), lot PB at 140 % of its 500 h (700 h). Pooled
and applied, each is judged on (300 + 700) ÷ (500 + 500); totals still add the lots' own hours.
The lots run from 900 days ago to 100 days ahead: 90 % of their time is gone, so PA alone is
behind the pace (60 % < 90 % − 20 points) and PB is not."""
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from clausematch.audit import AuditEvent
from clausematch.contracts import pools
from clausematch.contracts.models import HoursPool, HoursPoolLot
from clausematch.database import today
from clausematch.errors import FieldErrors, NotAllowed
from clausematch.reporting.bilans import contract_bilan
from clausematch.reporting.contract_figures import contract_lots, lot_overview
from clausematch.reporting.homes import facilitator_dashboard
from clausematch.reporting.queries.hours import hours_report
from clausematch.reporting.queries.warnings import lagging_lots
from clausematch.versioning import EditConflict

OBJECTIVE, A_HOURS, B_HOURS = Decimal(500), Decimal(300), Decimal(700)


@pytest.fixture
def pair(world, db):
    """Lots PA (contract P1, buyer A) and PB (contract P2, buyer B) of the company persona."""
    start, end = today() - timedelta(days=900), today() + timedelta(days=100)
    month = (today() - timedelta(days=60)).replace(day=1)
    w = world.builder
    p1 = w.contract(world.buyer_a, notified_on=start, reference="P1")
    p2 = w.contract(world.buyer_b, notified_on=start, reference="P2")
    lot_a = w.lot(p1, world.company, OBJECTIVE, start=start, end=end, number=1, title="Gros œuvre")
    lot_b = w.lot(p2, world.company, OBJECTIVE, start=start, end=end, number=1, title="Finitions")
    for lot, hours in ((lot_a, A_HOURS), (lot_b, B_HOURS)):
        w.hours(w.hire(w.person(), lot, start=start, end=end), month, str(hours))
    world.territory.globalise_across_lots = True
    db.session.commit()
    return SimpleNamespace(a=lot_a, b=lot_b, p1=p1, p2=p2)


def _pool(facilitator, pair, agreed_on=None):
    return pools.create_pool(facilitator, pair.a.id, pools.PoolInput(
        lot_ids=[pair.a.id, pair.b.id], agreed_on=agreed_on or today() - timedelta(days=30), note="Avenant n° 2"))


def _lines(scope_of, territory, **filters):
    return {line.key: line for line in hours_report(scope_of(**filters), territory, "lot").lines}


def test_pooled_lots_are_judged_on_their_pool_and_totals_do_not_move(world, pair, scope_of, personas):
    before = hours_report(scope_of(), world.territory, "lot")
    lines = {line.key: line for line in before.lines}
    assert lines[pair.a.id].rate == A_HOURS / OBJECTIVE and lines[pair.b.id].rate == B_HOURS / OBJECTIVE
    assert not lines[pair.a.id].pooled

    _pool(personas["facilitator"], pair)
    pooled_rate = (A_HOURS + B_HOURS) / (OBJECTIVE + OBJECTIVE)
    after = hours_report(scope_of(), world.territory, "lot")
    lines = {line.key: line for line in after.lines}
    for lot, own in ((pair.a, A_HOURS), (pair.b, B_HOURS)):
        assert lines[lot.id].realised == own  # each line keeps its own hours
        assert lines[lot.id].pool_rate == pooled_rate
    assert lines[pair.a.id].pool_text == "mutualisé avec les lots P2 lot 1 : 100\u00a0% sur l'ensemble"
    assert lines[world.lot1.id].pool_rate is None  # not in the pool
    assert after.total.realised == before.total.realised and after.total.objective == before.total.objective
    for group in ("marche", "acheteur", "entreprise"):
        assert hours_report(scope_of(), world.territory, group).total.realised == before.total.realised
    # Scoped to contract P1 alone, PA is still judged with PB (another contract, another buyer).
    only_p1 = _lines(scope_of, world.territory, contract_id=pair.p1.id)
    assert only_p1[pair.a.id].pool_rate == pooled_rate
    assert hours_report(scope_of(contract_id=pair.p1.id), world.territory).total.realised == A_HOURS
    # The contract and lot pages say the same.
    line = {x.lot.id: x for x in contract_lots(pair.p1)}[pair.a.id]
    assert line.realised == A_HOURS and line.pool.rate == pooled_rate and line.pool.applied
    overview = lot_overview(pair.b, world.territory, with_offers=False, with_people=True)
    assert overview.realised == B_HOURS and "P1 lot 1" in overview.pool.text


def test_the_alerts_and_the_home_at_risk_lists_follow_the_pool(world, pair, scope_of, personas):
    facilitator = personas["facilitator"]
    flagged = {lot.lot_id for lot in lagging_lots(scope_of(), world.territory).lots}
    assert pair.a.id in flagged and pair.b.id not in flagged
    home = facilitator_dashboard(facilitator)
    assert pair.a.id in {lot.lot_id for lot in home.lagging_lots.lots}
    gaps = {row.id: row.gap for row in home.largest_gaps}
    assert round(gaps[pair.a.id], 2) == float(OBJECTIVE - A_HOURS)

    _pool(facilitator, pair)
    assert pair.a.id not in {lot.lot_id for lot in lagging_lots(scope_of(), world.territory).lots}
    home = facilitator_dashboard(facilitator)
    assert pair.a.id not in {lot.lot_id for lot in home.lagging_lots.lots}
    assert pair.a.id not in {row.id for row in home.largest_gaps}  # the pool reached its objective
    assert home.realised_hours == hours_report(scope_of(), world.territory).total.realised


def test_the_bilan_lists_the_pools_applied_to_its_lots(world, pair, personas):
    _pool(personas["facilitator"], pair)
    bilan = contract_bilan(personas["facilitator"], pair.p1, today().year)
    basis = " ".join(bilan.basis)
    assert "Mutualisations appliquées : lots P1 lot 1, P2 lot 1 (accord du" in basis
    table = bilan.sections[0].tables[0]
    assert "mutualisé avec les lots P2 lot 1 : 100" in table.rows[0][1]


def test_setting_off_refuses_new_pools_and_stops_applying_existing_ones(world, pair, scope_of, personas, db):
    _pool(personas["facilitator"], pair)
    world.territory.globalise_across_lots = False
    db.session.commit()
    lines = _lines(scope_of, world.territory)
    assert lines[pair.a.id].pool_rate is None and lines[pair.a.id].rate == A_HOURS / OBJECTIVE
    assert pair.a.id in {lot.lot_id for lot in lagging_lots(scope_of(), world.territory).lots}
    line = {x.lot.id: x for x in contract_lots(pair.p1)}[pair.a.id]
    assert not line.pool.applied and "non appliqué" in line.pool.text
    assert "ne sont pas appliquées" in " ".join(contract_bilan(personas["facilitator"], pair.p1, today().year).basis)
    db.session.query(HoursPoolLot).delete()
    db.session.query(HoursPool).delete()
    db.session.commit()
    with pytest.raises(FieldErrors, match="globalisation entre lots est désactivée"):
        _pool(personas["facilitator"], pair)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursPool)) == 0


def test_every_refusal_at_once(world, pair, personas, db):
    """Lot 2 has another titulaire, lot 4 is already pooled, a lot without clause, a future date."""
    from factories import LotFactory

    facilitator = personas["facilitator"]
    pools.create_pool(facilitator, world.lot1.id, pools.PoolInput(
        lot_ids=[world.lot1.id, world.lot4.id], agreed_on=today()))
    bare = LotFactory(contract=pair.p1, company=world.company, number=2)
    with pytest.raises(FieldErrors) as refused:
        pools.check_pool(facilitator, pair.a, pools.PoolInput(
            lot_ids=[pair.a.id, world.lot2.id, world.lot4.id, bare.id], agreed_on=today() + timedelta(days=3),
            note="x" * (pools.NOTE_MAX_LENGTH + 1)))
    messages = [error.message for error in refused.value.errors]
    assert any("A1 lot 2 a une autre entreprise titulaire" in m for m in messages)
    assert any("A4 lot 1 est déjà couvert par une autre mutualisation" in m for m in messages)
    assert any("P1 lot 2 n'a pas de clause sociale" in m for m in messages)
    assert {error.field for error in refused.value.errors} == {"lots", "agreed_on", "note"}
    with pytest.raises(FieldErrors, match="au moins 2 lots"):
        pools.check_pool(facilitator, pair.a, pools.PoolInput(lot_ids=[pair.a.id], agreed_on=today()))


def test_only_the_territory_facilitators_manage_pools(world, pair, personas, db):
    from factories import FacilitatorTeamFactory, UserFactory

    data = pools.PoolInput(lot_ids=[pair.a.id, pair.b.id], agreed_on=today())
    for role in ("company", "buyer", "prescriber", "admin"):
        with pytest.raises(NotAllowed):
            pools.create_pool(personas[role], pair.a.id, data)
        db.session.rollback()
    stranger = UserFactory(organisation=FacilitatorTeamFactory())  # a facilitator of another territory
    db.session.commit()
    with pytest.raises(NotAllowed):
        pools.create_pool(stranger, pair.a.id, data)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursPool)) == 0
    pool = pools.create_pool(personas["facilitator"], pair.a.id, data)
    with pytest.raises(NotAllowed):
        pools.dissolve_pool(stranger, pool.id)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        pools.dissolve_pool(personas["company"], pool.id)
    db.session.rollback()
    assert db.session.get(HoursPool, pool.id) is not None


def test_changing_and_dissolving_a_pool_is_version_checked_and_audited(world, pair, personas, db, scope_of):
    facilitator = personas["facilitator"]
    pool = _pool(facilitator, pair)
    pool_id, version = pool.id, pool.version
    data = pools.PoolInput(lot_ids=[pair.a.id, pair.b.id], agreed_on=today() - timedelta(days=10), note="Avenant 3")
    pools.update_pool(facilitator, pool_id, data, version=version)
    with pytest.raises(EditConflict):
        pools.update_pool(facilitator, pool_id, data, version=version)
    with pytest.raises(EditConflict):
        pools.dissolve_pool(facilitator, pool_id, version=version)
    pools.dissolve_pool(facilitator, pool_id, version=version + 1)
    assert db.session.get(HoursPool, pool_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursPoolLot)) == 0
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_id == pool_id,
                                                                        AuditEvent.entity_type == "hours_pool")))
    assert actions == {"hours_pool_created", "hours_pool_updated", "hours_pool_dissolved"}
    assert _lines(scope_of, world.territory)[pair.a.id].pool_rate is None


def test_pool_pages(world, pair, login_as, client, db):
    login_as("facilitator")
    page = client.get(f"/lots/{pair.a.id}/mutualisation")
    assert page.status_code == 200 and "P2 lot 1 — Finitions" in page.text
    refused = client.post(f"/lots/{pair.a.id}/mutualisation", data={"lots": [str(pair.a.id)]})
    assert refused.status_code == 422 and "Choisissez au moins 2 lots" in refused.text
    assert "Indiquez la date de l&#39;accord" in refused.text
    saved = client.post(f"/lots/{pair.a.id}/mutualisation", data={
        "lots": [str(pair.a.id), str(pair.b.id)], "agreed_on": today().strftime("%d/%m/%Y")})
    assert saved.status_code == 302
    lot_page = client.get(f"/lots/{pair.b.id}")
    assert "mutualisé avec les lots P1 lot 1 : 100" in lot_page.text
    assert "P1 lot 1" in client.get(f"/entreprises/{world.company.id}").text
    pool = db.session.scalars(sa.select(HoursPool)).one()
    assert client.post(f"/mutualisations/{pool.id}/dissoudre", data={}).status_code == 422
    gone = client.post(f"/mutualisations/{pool.id}/dissoudre", data={"version": str(pool.version)})
    assert gone.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(HoursPool)) == 0
    login_as("company")
    assert client.get(f"/lots/{pair.a.id}/mutualisation").status_code == 403
