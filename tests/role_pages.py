"""The main pages of each role on the demo territory, found the way a person finds them: by
following the links from the role's home. Shared by the page structure test
(tests/main/test_page_structure.py) and the narrow-screen browser test
(tests/browser/test_narrow_screens.py). Importable as `role_pages` (tests/ is on sys.path)."""
import time
from collections import deque
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urlsplit

from database_support import empty_domain_tables

DEMO_PASSWORD = "clausematch-demo"
ACCOUNTS = {"facilitator": "facilitateur@demo.clausematch.fr", "prescriber": "prescripteur@demo.clausematch.fr",
            "company": "entreprise@demo.clausematch.fr", "buyer": "acheteur@demo.clausematch.fr",
            "admin": "admin@demo.clausematch.fr"}
HOMES = {"anonymous": "/", "facilitator": "/facilitateur", "prescriber": "/prescripteur", "company": "/entreprise",
         "buyer": "/acheteur", "admin": "/admin"}
ROLES = tuple(HOMES)


def extra_pages(role: str) -> list[str]:
    """Pages the crawl may not reach in the state that shows the most (the first link to a route
    can lead to a closed application): a sent application with its three forms, a candidate with
    criteria to decide, an application to validate; and pages reached through a form."""
    import sqlalchemy as sa

    from clausematch.accounts.models import User
    from clausematch.applications.models import Application, ApplicationStatus
    from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
    from clausematch.extensions import db
    from clausematch.offers.models import Offer

    if role == "company":
        company_id = db.session.scalar(sa.select(User).where(User.email == ACCOUNTS[role])).organisation.id
        sent = db.session.scalar(sa.select(Application.id).join(Offer, Offer.id == Application.offer_id)
                                 .where(Offer.company_id == company_id, Application.status == ApplicationStatus.SENT)
                                 .order_by(Application.id).limit(1))
        return ["/entreprise/heures/import"] + ([f"/entreprise/candidatures/{sent}"] if sent else [])
    if role == "facilitator":
        declared = db.session.scalar(sa.select(EligibilityCriterion.candidate_id)
                                     .where(EligibilityCriterion.status == EligibilityStatus.DECLARED)
                                     .order_by(EligibilityCriterion.id).limit(1))
        submitted = db.session.scalar(sa.select(Application.id).where(Application.status == ApplicationStatus.SUBMITTED)
                                      .order_by(Application.id).limit(1))
        from clausematch.contracts.models import Contract

        olympic = db.session.scalar(sa.select(Contract.id).where(Contract.reference == "SOLIDEO-2021-VDA-D"))
        return [f"/candidats/{declared}", f"/orientations/{submitted}",
                f"/rapports/bilan/marche/{olympic}?annee=2024"]  # above 100 % of its objective
    return []
# Pages reached by a link but that are not pages of the role's daily work.
SKIPPED = ("/static/", "/deconnexion", "/healthz", "/favicon.ico")


def seeded_demo(database_url, referential_index):
    """The demo on the run's database, as a module fixture: yields the app (its context pushed)."""
    from clausematch import create_app
    from clausematch.extensions import db
    from clausematch.referential import search
    from seeds.demo import seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.extensions[search.EXTENSION_KEY] = referential_index
    with app.app_context():
        started = time.perf_counter()
        seed_demo()
        yield SimpleNamespace(app=app, seconds=time.perf_counter() - started)
        db.session.remove()
        empty_domain_tables(db)
        db.engine.dispose()


def logged_in_client(app, role: str):
    client = app.test_client()
    if role != "anonymous":
        response = client.post("/connexion", data={"email": ACCOUNTS[role], "password": DEMO_PASSWORD})
        assert response.status_code == 302, f"connexion impossible pour {role}"
    return client


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href and "download" not in dict(attrs):
            self.hrefs.append(href)


def crawl(app, role: str, max_pages: int = 120) -> dict[str, str]:
    """{path: html} of the HTML pages the role reaches from its home, one page per route (the
    first link found to it), breadth first."""
    client = logged_in_client(app, role)
    adapter = app.url_map.bind("localhost")
    seen_rules, pages = set(), {}
    queue = deque([HOMES[role], *extra_pages(role)])
    seen_rules.add((adapter.match(HOMES[role], return_rule=True)[0].rule,))
    while queue and len(pages) < max_pages:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages[url] = html
        parser = _Links()
        parser.feed(html)
        for href in parser.hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED):
                continue
            try:
                rule, args = adapter.match(parts.path, method="GET", return_rule=True)
            except Exception:  # not a page of the app (404, POST only): the structure test does not look
                continue
            # One page per route, but each report of /rapports/<slug> is a page of its own (a word
            # in the path counts, an id or a month does not).
            key = (rule.rule, *(value for value in args.values()
                                if isinstance(value, str) and not any(c.isdigit() for c in value)))
            if key in seen_rules:
                continue
            seen_rules.add(key)
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return pages
