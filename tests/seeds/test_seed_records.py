"""The demo's records hang together as the application would have made them: histories walk
allowed steps, hires match applications, exits and follow-ups match contracts, hours stay
inside contracts, and the publics look like Plaine Commune's."""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from seed_queries import as_date, rows, value

from clausematch.contracts.models import computed_objective
from clausematch.database import add_months, today
from clausematch.vocabulary import EXIT_CATEGORY, ExitDetail

STEPS = {(None, "submitted"), ("submitted", "validated"), ("validated", "shortlisted"), ("shortlisted", "sent"),
         ("sent", "interview"), ("interview", "hired")}
OPEN = {"submitted", "validated", "shortlisted", "sent", "interview"}
EMPLOYER_KINDS = {"etti": {"etti"}, "ai": {"ai"}, "geiq": {"geiq"}, "subcontracting_siae": {"ei", "aci", "regie"}}


def test_application_histories_walk_allowed_steps(seeded):
    events = defaultdict(list)
    for app_id, from_status, to_status, when, reason in rows(
            "SELECT application_id, from_status, to_status, occurred_at, refusal_reason FROM application_events "
            "ORDER BY application_id, occurred_at, id"):
        events[app_id].append((from_status, to_status, str(when), reason))
    apps = rows("SELECT id, status, refusal_reason, created_at, last_event_at FROM applications")
    assert len(events) == len(apps)
    for app_id, status, reason, created, last in apps:
        walk = events[app_id]
        assert walk[0][:2] == (None, "submitted") and walk[0][2] == str(created) and walk[-1][2] == str(last)
        assert walk[-1][1] == status
        for (_, previous, _, _), (from_status, _, _, _) in pairwise(walk):
            assert from_status == previous
        for from_status, to_status, _, _ in walk:
            assert (from_status, to_status) in STEPS or (from_status in OPEN and to_status in ("refused", "withdrawn"))
        assert (status == "refused") == (reason is not None) and walk[-1][3] == reason


def test_nothing_happened_in_the_future(seeded):
    tomorrow = str(today() + timedelta(days=1))
    for table, column in [("application_events", "occurred_at"), ("offer_status_changes", "occurred_at"),
                          ("exits", "exit_date"), ("follow_ups", "done_on"), ("hours_entries", "validated_at"),
                          ("candidates", "created_at"), ("eligibility_criteria", "validated_at")]:
        latest = value(f"SELECT MAX({column}) FROM {table}")
        assert str(latest) < tomorrow, (table, latest)


def test_every_hire_is_one_employment_contract_on_the_offer_lot(seeded):
    hired = value("SELECT COUNT(*) FROM applications WHERE status = 'hired'")
    matched = rows("""SELECT ec.candidate_id = a.candidate_id, ec.lot_id = o.lot_id, ec.employer_id = o.company_id,
                             a.status FROM employment_contracts ec JOIN applications a ON a.id = ec.application_id
                      JOIN offers o ON o.id = a.offer_id""")
    assert len(matched) == hired and all(bool(a) and bool(b) and bool(c) and s == "hired" for a, b, c, s in matched)


def test_employer_is_the_insertion_structure_when_the_mode_is_not_direct(seeded):
    contracts = rows("""SELECT ec.mode, ec.employer_id = ec.company_id, e.company_kind, ec.company_id = l.company_id,
                               ec.contract_type, ec.planned_end_date
                        FROM employment_contracts ec JOIN organisations e ON e.id = ec.employer_id
                        JOIN lots l ON l.id = ec.lot_id""")
    assert {c[0] for c in contracts} == {"direct", "etti", "ai", "geiq", "subcontracting_siae"}
    for mode, same_employer, employer_kind, owes_hours, contract_type, planned_end in contracts:
        assert bool(owes_hours)
        if mode == "direct":
            assert bool(same_employer) and (contract_type == "cdi" or planned_end is not None)
        else:
            assert employer_kind in EMPLOYER_KINDS[mode]
    types = {c[4] for c in contracts}
    assert {"cdd", "cdi", "interim", "professionnalisation", "apprentissage", "cddi"} <= types


def test_exits_and_follow_ups_match_their_contracts(seeded):
    ended = value("SELECT COUNT(*) FROM employment_contracts WHERE end_date IS NOT NULL")
    exits = rows("""SELECT x.detail, x.category, x.exit_date, ec.end_date, f.due_on, f.done_on, f.in_work
                    FROM exits x JOIN employment_contracts ec ON ec.id = x.contract_id
                    JOIN follow_ups f ON f.exit_id = x.id""")
    assert len(exits) == ended == value("SELECT COUNT(*) FROM exits")
    for detail, category, exit_on, end, due, done, in_work in exits:
        assert EXIT_CATEGORY[ExitDetail(detail)].value == category and as_date(exit_on) == as_date(end)
        assert as_date(due) == add_months(as_date(exit_on), 6)
        assert (done is None) == (in_work is None)
        assert done is None or as_date(due) <= as_date(done) <= today()
    assert {e[1] for e in exits} == {"durable", "transition", "positive", "other"}
    assert any(e[5] is None for e in exits) and any(e[5] is not None for e in exits)


def test_conversions_to_cdi_follow_the_previous_contract(seeded):
    conversions = rows("""SELECT prev.end_date, cdi.start_date, prev.contract_type, x.detail, prev.application_id
                          FROM employment_contracts cdi
                          JOIN employment_contracts prev ON prev.id = cdi.previous_contract_id
                          JOIN exits x ON x.contract_id = prev.id WHERE cdi.contract_type = 'cdi'""")
    assert len(conversions) == value("SELECT COUNT(*) FROM employment_contracts WHERE previous_contract_id IS NOT NULL")
    assert all((as_date(start) - as_date(end)).days == 1 and detail == "cdi"
               for end, start, _, detail, _ in conversions)
    assert sum(kind == "cdd" for _, _, kind, _, _ in conversions) >= 5


def test_hours_stay_inside_their_contract_and_lot(seeded):
    entries = rows("""SELECT h.month, h.hours, h.status, h.validated_by_id, h.validated_at,
                             h.lot_id = ec.lot_id AND h.company_id = ec.company_id AND h.candidate_id = ec.candidate_id
                             AND h.mode = ec.mode, ec.start_date, ec.end_date, l.start_date, l.end_date
                      FROM hours_entries h JOIN employment_contracts ec ON ec.id = h.contract_id
                      JOIN lots l ON l.id = h.lot_id""")
    last = add_months(today().replace(day=1), -1)
    for month, hours, status, validator, validated_at, copied, start, end, lot_start, lot_end in entries:
        month = as_date(month)
        assert bool(copied) and 0 < Decimal(str(hours)) <= 230
        assert as_date(start).replace(day=1) <= month <= (as_date(end) or last)
        assert as_date(lot_start).replace(day=1) <= month <= as_date(lot_end)
        if status == "declared":
            assert month >= add_months(last, -1) and validator is None
        else:
            assert status == "validated" and validator is not None and validated_at is not None
    assert {as_date(e[0]) for e in entries if e[2] == "declared"} == {last, add_months(last, -1)}
    assert value("SELECT COUNT(*) FROM hours_entries WHERE kind = 'training'") > 0


def test_offers_are_placed_coded_and_historied(seeded):
    offers = rows("""SELECT o.id, o.status, o.latitude = c.latitude AND o.longitude = c.longitude,
                            o.rome_code = a.rome_code, o.company_id = l.company_id, k.company_kind,
                            o.publication_end, o.published_at, o.search_text
                     FROM offers o JOIN communes c ON c.insee_code = o.commune_insee
                     JOIN rome_appellations a ON a.code = o.appellation_code JOIN lots l ON l.id = o.lot_id
                     JOIN organisations k ON k.id = o.company_id""")
    history = defaultdict(list)
    for offer_id, from_status, to_status in rows(
            "SELECT offer_id, from_status, to_status FROM offer_status_changes ORDER BY offer_id, occurred_at, id"):
        history[offer_id].append((from_status, to_status))
    assert len(offers) == 217
    for offer_id, status, placed, coded, by_titulaire, kind, publication_end, published_at, search in offers:
        assert bool(placed) and bool(coded) and search
        assert bool(by_titulaire) or kind in {"etti", "ai", "geiq", "ei", "aci", "regie"}
        steps = history[offer_id]
        assert steps[0] == (None, "draft") and steps[-1][1] == status
        assert all(a[1] == b[0] for a, b in pairwise(steps))
        assert (published_at is not None) == (status in ("published", "filled", "closed"))
        if status == "published":
            assert as_date(publication_end) >= today()
    assert value("SELECT COUNT(*) FROM offers WHERE search_text LIKE '%desamianteur%'") >= 2
    assert sum(o[1] == "published" for o in offers) == max(sum(o[1] == s for o in offers) for s in
                                                           ("draft", "submitted", "published", "filled", "closed"))


def test_contracts_lots_and_clauses(seeded):
    lots = rows("""SELECT c.id, c.amount_ht, c.sector, c.notified_on, l.amount_ht, l.company_id, cl.objective_method,
                          cl.hours_objective, cl.labour_share, cl.insertion_rate, cl.hourly_cost
                   FROM contracts c JOIN lots l ON l.contract_id = c.id LEFT JOIN clauses cl ON cl.lot_id = l.id
                   WHERE c.clause_kind IS NOT NULL""")
    by_contract = defaultdict(list)
    for row in lots:
        by_contract[row[0]].append(row)
    assert len(by_contract) >= 40
    for contract_lots in by_contract.values():
        assert 1 <= len(contract_lots) <= 4
        assert Decimal(str(contract_lots[0][1])) == sum(Decimal(str(lot[4])) for lot in contract_lots)
        for *_, amount, company, method, hours, labour, rate, cost in contract_lots:
            assert company is not None and method in ("fixed", "computed")
            if method == "computed":
                expected = computed_objective(Decimal(str(amount)), Decimal(str(labour)), Decimal(str(rate)),
                                              Decimal(str(cost)))
                assert Decimal(str(hours)) == expected
            else:
                assert labour is None and rate is None and cost is None
    methods = {row[6] for row in lots}
    years = {as_date(row[3]).year for row in lots}
    services = sum(rows_[0][2] == "services" for rows_ in by_contract.values())
    assert methods == {"fixed", "computed"} and min(years) == 2020 and max(years) >= 2025  # Olympic works: 2020
    assert services * 3 >= len(by_contract)


def test_candidates_look_like_the_territory(seeded):
    people = rows("""SELECT c.id, c.gender, c.birth_date,
                            EXISTS (SELECT 1 FROM eligibility_criteria q WHERE q.candidate_id = c.id
                                    AND q.criterion = 'qpv'), t.commune_insee IS NOT NULL,
                            (SELECT COUNT(*) FROM consents s WHERE s.candidate_id = c.id),
                            (SELECT COUNT(*) FROM eligibility_criteria e WHERE e.candidate_id = c.id),
                            EXISTS (SELECT 1 FROM candidate_desired_jobs d JOIN rome_appellations a
                                    ON a.code = d.appellation_code WHERE d.candidate_id = c.id
                                    AND a.rome_code LIKE 'F%')
                     FROM candidates c LEFT JOIN territory_communes t ON t.commune_insee = c.commune_insee""")
    n, now = len(people), today()
    ages = [(now - as_date(p[2])).days / 365.25 for p in people]
    local = [p for p in people if p[4]]
    assert n == 3000 and all(p[5] == 1 and p[6] >= 1 for p in people)
    assert 0.15 <= sum(p[1] == "f" for p in people) / n <= 0.22
    assert 0.20 <= sum(a < 26 for a in ages) / n <= 0.30 and 0.09 <= sum(a >= 50 for a in ages) / n <= 0.15
    assert 0.50 <= len(local) / n <= 0.58 and 0.70 <= sum(bool(p[3]) for p in local) / len(local) <= 0.80
    building = [p for p in people if p[7]]
    others = [p for p in people if not p[7]]
    assert sum(p[1] == "f" for p in building) / len(building) < sum(p[1] == "f" for p in others) / len(others)


def test_eligibility_is_dated_and_validated_before_it_is_used(seeded):
    criteria = rows("SELECT status, validated_at, valid_until, validated_by_id, refusal_reason, declared_by_id "
                    "FROM eligibility_criteria")
    now = today()
    for status, validated_at, valid_until, validator, reason, declarer in criteria:
        assert declarer is not None
        if status == "validated":
            assert validator is not None and as_date(valid_until) == add_months(as_date(validated_at), 6)
        assert (status == "refused") == (reason is not None)
    validated = [as_date(c[2]) for c in criteria if c[0] == "validated"]
    assert any(v < now for v in validated) and any(v >= now for v in validated)
    late = value("""SELECT COUNT(*) FROM application_events e JOIN applications a ON a.id = e.application_id
                    WHERE e.to_status = 'validated' AND NOT EXISTS (
                        SELECT 1 FROM eligibility_criteria c WHERE c.candidate_id = a.candidate_id
                        AND c.status = 'validated' AND c.validated_at <= e.occurred_at)""")
    assert late == 0
