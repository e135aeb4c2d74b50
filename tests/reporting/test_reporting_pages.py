"""Report pages and bilans: figures shown (chart then the same numbers in a table), filters,
who may see what (buyers their own contracts only), and a bounded number of SQL statements."""
import html
import re
from datetime import date

import pytest

from clausematch.applications.models import ApplicationStatus as S
from clausematch.vocabulary import ExitDetail

SLUGS = ["entonnoir", "heures", "publics", "sorties", "alertes", "clauses"]


def page_text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_funnel_page_shows_the_chart_then_its_table(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, f"/rapports/entonnoir?programme={world.programme.id}")
    assert "6 → 5 → 3 → 2 → 1" in page
    svg = re.search(r'<svg class="graphique" role="img" aria-labelledby="([^"]+)".*?</svg>', page, re.S)
    assert svg and svg.group(1) == "graphique-entonnoir-titre graphique-entonnoir-desc"
    assert "<title id=\"graphique-entonnoir-titre\">" in svg.group(0) and "<desc " in svg.group(0)
    assert ">3 (75\u00a0% de l&#39;étape précédente)</text>" in svg.group(0)
    table = page[svg.end():]
    assert table.lstrip().startswith("<div class=\"tableau\"")
    assert re.search(r"Embauchées sur la clause</th>\s*<td>oui</td>\s*<td class=\"nombre\">3</td>", table)
    assert "Programme</dt>\n    <dd>Parcours test</dd>" in page


def test_hours_page_shows_over_100_percent(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, f"/rapports/heures?par=lot&marche={world.a1.id}")
    assert "118\u00a0% (590 h sur 500 h)" in page
    assert re.search(r"A1 – lot 2</a></th>.*?<td class=\"nombre\">118\u00a0%</td>", page, re.S)
    assert "Objectif (100 %)" in page


def test_empty_scope_shows_dashes_not_errors(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, f"/rapports/entonnoir?programme={world.programme.id}&annee=2019")
    assert "0 → 0 → 0 → 0 → 0" in page
    assert re.search(r"Éligibilité validée</th>\s*<td>oui</td>\s*<td class=\"nombre\">0</td>\s*"
                     r"<td class=\"nombre\">—</td>", page)
    publics = page_text(client, "/rapports/publics?annee=2019")
    assert re.search(r"Femmes</th>\s*<td class=\"nombre\">0</td>\s*<td class=\"nombre\">—</td>", publics)


def test_filters_are_a_shareable_get_form(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, f"/rapports/heures?par=acheteur&annee=2025&mode=direct&acheteur={world.buyer_a.id}")
    assert '<form method="get" action="/rapports/heures"' in page
    assert f'<option value="{world.buyer_a.id}" selected>' in page and '<option value="2025" selected>' in page
    assert '<option value="direct" selected>' in page
    assert f"/rapports/heures/export.xlsx?acheteur={world.buyer_a.id}&amp;annee=2025&amp;mode=direct&amp;par=acheteur" \
        in page


def test_year_filter_stops_at_the_current_year(world, client, login_as, time_machine):
    """A lot ending in 2030 does not offer 2027-2030: no hours nor contracts there yet."""
    time_machine.move_to("2026-03-10 10:00", tick=False)
    world.builder.lot(world.a1, world.company, 10, number=9, end=date(2030, 12, 31))
    world.builder.db.session.commit()
    login_as("facilitator")
    page = page_text(client, "/rapports/clauses")
    years = re.findall(r'<option value="(20\d\d)"', page)
    assert years == ["2026", "2025", "2024", "2023"]


def test_buyer_sees_its_own_contracts_only(world, client, login_as):
    login_as("buyer")
    page = page_text(client, f"/rapports/heures?par=marche&acheteur={world.buyer_b.id}")
    assert ">A1</a>" in page and ">A4</a>" in page and ">B1<" not in page
    assert 'name="acheteur"' not in page  # no choosing another buyer
    csv = client.get(f"/rapports/heures/export.csv?par=marche&acheteur={world.buyer_b.id}").get_data(as_text=True)
    assert "\r\nA1;" in csv and "B1" not in csv


def test_buyer_is_not_told_the_names_of_other_buyers_contracts(world, client, login_as):
    login_as("buyer")
    page = page_text(client, f"/rapports/entonnoir?marche={world.b1.id}")
    assert "hors de votre périmètre" in page and world.b1.object not in page


@pytest.mark.parametrize("role", ["company", "prescriber", "admin"])
def test_other_roles_are_refused(world, client, login_as, role):
    login_as(role)
    paths = ["/rapports", "/rapports/entonnoir", "/rapports/heures/export.xlsx",
             f"/rapports/bilan/marche/{world.a1.id}", f"/rapports/bilan/acheteur/{world.buyer_a.id}"]
    assert {path: client.get(path).status_code for path in paths} == {path: 403 for path in paths}


def test_bilans_access(world, client, login_as):
    login_as("buyer")
    assert client.get(f"/rapports/bilan/marche/{world.a1.id}").status_code == 200
    assert client.get(f"/rapports/bilan/marche/{world.b1.id}").status_code == 403
    assert client.get(f"/rapports/bilan/acheteur/{world.buyer_a.id}").status_code == 200
    assert client.get(f"/rapports/bilan/acheteur/{world.buyer_b.id}").status_code == 403
    assert client.get("/rapports/bilan/marche/999999").status_code == 404
    assert client.get(f"/rapports/bilan/acheteur/{world.company.id}").status_code == 404  # not a buyer
    login_as("facilitator")
    assert client.get(f"/rapports/bilan/acheteur/{world.buyer_b.id}").status_code == 200


def test_contract_bilan_is_printable_section_by_section(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, f"/rapports/bilan/marche/{world.a1.id}?annee=2025")
    assert "<h1 id=\"titre-bilan\">Bilan 2025 du marché A1</h1>" in page
    assert "css/reporting.css" in page  # the print rules, in a file: the CSP forbids inline style
    stylesheet = client.get("/static/css/reporting.css")
    rules = stylesheet.get_data(as_text=True)
    stylesheet.close()
    assert "@media print" in rules and "break-after: page" in rules
    headings = [html.unescape(h) for h in re.findall(r"<h2 id=\"titre-[a-z]+\">([^<]+)</h2>", page)]
    assert headings == ["Heures d'insertion", "Personnes orientées et embauchées", "Publics touchés",
                        "Sorties et suivi à 6 mois", "Part des marchés avec clause sociale"]
    # Lot 2: 300 h in 2025, 300 h cumulated to the end of 2025, 60 % of 500 h.
    assert re.search(r"A1 – lot 2</th>\s*<td>[^<]*</td>\s*<td class=\"nombre\">500</td>\s*"
                     r"<td class=\"nombre\">300</td>\s*<td class=\"nombre\">300</td>\s*"
                     r"<td class=\"nombre\">60\u00a0%</td>", page)
    assert page.count('role="img"') == 5


def test_buyer_bilan_years(world, client, login_as):
    login_as("buyer")
    page = page_text(client, f"/rapports/bilan/acheteur/{world.buyer_a.id}?annee=2024")
    assert "Bilan 2024 de " in page and '<option value="2023">' in page
    assert re.search(r"2023</th>\s*<td class=\"nombre\">2</td>\s*<td class=\"nombre\">1</td>\s*"
                     r"<td class=\"nombre\">50\u00a0%</td>", page)


def test_index_lists_every_report(world, client, login_as):
    login_as("facilitator")
    page = page_text(client, "/rapports")
    assert all(f'href="/rapports/{slug}"' in page for slug in SLUGS)
    login_as("buyer")
    assert f'href="/rapports/bilan/acheteur/{world.buyer_a.id}"' in page_text(client, "/rapports")


# --- Query counts ---------------------------------------------------------------------------

def grow(world, n: int) -> None:
    """n more contracts, each with a lot, an offer of the programme, hires, hours and exits."""
    from factories import OfferInTerritoryFactory

    w = world.builder
    for i in range(n):
        contract = w.contract(world.buyer_a, reference=f"X{i}")
        lot = w.lot(contract, world.company, 300 + i, number=1)
        offer = OfferInTerritoryFactory(lot=lot, company=world.company, programme_id=world.programme.id)
        for _ in range(2):
            person = w.person()
            application = w.apply(person, offer, [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW,
                                                  S.HIRED])
            hire = w.hire(person, lot, application=application, end=date(2025, 8, 31))
            w.hours(hire, date(2025, 3, 1), "35")
            w.leave(hire, ExitDetail.SHORT_CDD, in_work=True, situation=ExitDetail.SHORT_CDD)
    w.db.session.commit()


def statements_for(db, count_queries, client, path) -> int:
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", [f"/rapports/{slug}" for slug in SLUGS] + [
    "/rapports/heures?par=marche", "/rapports/heures?par=annee", "/rapports/entonnoir?programme={programme}",
    "/rapports/heures/export.xlsx?par=lot", "/rapports/bilan/marche/{a1}?annee=2025",
    "/rapports/bilan/acheteur/{buyer}?annee=2025"])
def test_statements_do_not_grow_with_the_data(world, db, count_queries, client, login_as, path):
    login_as("facilitator")
    path = path.format(programme=world.programme.id, a1=world.a1.id, buyer=world.buyer_a.id)
    small = statements_for(db, count_queries, client, path)
    grow(world, 6)
    assert statements_for(db, count_queries, client, path) == small
