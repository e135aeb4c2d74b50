"""Hours against objectives on the hand-computed world. Counted: validated hours, training
included by default (territory setting). Lot 1: 100 + 50 (training) + 120 + 40 = 310 h of
1 000 h; lot 2: 300 + 290 = 590 h of 500 h (118 %); lot 3: 50 h of 200 h; lot 4: 0 of 100 h.
Declared (80 h) and rejected (30 h) hours never count."""
from datetime import date
from decimal import Decimal

from clausematch.reporting.queries.hours import hours_report
from clausematch.vocabulary import HOURS_PER_FTE, Mode


def by_label(report):
    return {line.label: (line.objective, line.realised) for line in report.lines}


def test_by_lot_realised_against_objective(world, scope_of):
    report = hours_report(scope_of(), world.territory, "lot")
    assert by_label(report) == {
        "A1 – lot 1": (Decimal(1000), Decimal(310)), "A1 – lot 2": (Decimal(500), Decimal(590)),
        "A4 – lot 1": (Decimal(100), Decimal(0)), "B1 – lot 1": (Decimal(200), Decimal(50))}
    assert report.total.objective == Decimal(1800) and report.total.realised == Decimal(950)


def test_over_100_percent_is_shown_as_such(world, scope_of):
    (line,) = [line for line in hours_report(scope_of(lot_id=world.lot2.id), world.territory).lines]
    assert line.rate == Decimal("1.18")


def test_by_contract_buyer_and_company(world, scope_of):
    territory = world.territory
    assert by_label(hours_report(scope_of(), territory, "marche")) == {
        "A1": (Decimal(1500), Decimal(900)), "A4": (Decimal(100), Decimal(0)), "B1": (Decimal(200), Decimal(50))}
    assert by_label(hours_report(scope_of(), territory, "acheteur")) == {
        world.buyer_a.name: (Decimal(1600), Decimal(900)), "Acheteur B": (Decimal(200), Decimal(50))}
    assert by_label(hours_report(scope_of(), territory, "entreprise")) == {
        world.company.name: (Decimal(1100), Decimal(310)), "Titulaire du lot 2": (Decimal(700), Decimal(640))}


def test_by_year_and_mode_have_shares_not_objectives(world, scope_of):
    years = hours_report(scope_of(), world.territory, "annee")
    assert by_label(years) == {"2025": (None, Decimal(660)), "2026": (None, Decimal(290))}
    assert years.share(years.lines[1]) == Decimal(290) / Decimal(950)
    modes = hours_report(scope_of(), world.territory, "mode")
    assert by_label(modes) == {Mode.DIRECT.label: (None, Decimal(320)), Mode.ETTI.label: (None, Decimal(40)),
                               Mode.GEIQ.label: (None, Decimal(590))}


def test_training_hours_follow_the_territory_setting(world, scope_of, db):
    world.territory.count_training_hours = False
    db.session.commit()
    report = hours_report(scope_of(lot_id=world.lot1.id), world.territory)
    assert report.total.realised == Decimal(260)


def test_full_time_equivalent(world, scope_of):
    report = hours_report(scope_of(), world.territory, "marche")
    assert report.total.fte == Decimal(950) / HOURS_PER_FTE


def test_programme_counts_the_hires_and_their_conversions(world, scope_of):
    """Offer 1's hires: c4 (CDD then CDI, 270 h), c5 (40 h) on lot 1, c6 (590 h) on lot 2;
    c7 (lot 3, hired without application) is out; only lots with such hours are listed."""
    report = hours_report(scope_of(programme_id=world.programme.id), world.territory, "lot")
    assert by_label(report) == {"A1 – lot 1": (Decimal(1000), Decimal(310)), "A1 – lot 2": (Decimal(500), Decimal(590))}


def test_period_and_mode_filters(world, scope_of):
    assert hours_report(scope_of(year=2026), world.territory).total.realised == Decimal(290)
    assert hours_report(scope_of(date_from=date(2025, 4, 15), date_to=date(2025, 6, 30)),
                        world.territory).total.realised == Decimal(170)  # April (50) and June (120)
    assert hours_report(scope_of(mode=Mode.ETTI), world.territory, "lot").total.realised == Decimal(40)


def test_empty_scope_has_no_rate(world, scope_of):
    report = hours_report(scope_of(year=2030, mode=Mode.AI), world.territory, "lot")
    assert report.lines == [] and report.total.realised == 0 and report.total.rate is None


def test_paged_lines_and_total_of_all(world, scope_of, app):
    app.config["PAGE_SIZE"] = 2
    report = hours_report(scope_of(), world.territory, "lot", page=2)
    assert [line.label for line in report.lines] == ["A4 – lot 1", "B1 – lot 1"]
    assert report.page.total == 4 and report.total.realised == Decimal(950)


def test_a_page_past_the_end_shows_the_last_one(world, scope_of, app):
    app.config["PAGE_SIZE"] = 3
    report = hours_report(scope_of(), world.territory, "marche", page=9)
    assert report.page.page == 1 and report.page.total == 3 and len(report.lines) == 3
    report = hours_report(scope_of(), world.territory, "lot", page=9)
    assert (report.page.page, [line.label for line in report.lines]) == (2, ["B1 – lot 1"])
    empty = hours_report(scope_of(year=2030, mode=Mode.AI), world.territory, "lot", page=2)
    assert empty.page.total == 0 and empty.lines == [] and empty.total.objective is None
