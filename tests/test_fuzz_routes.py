"""Bad input is a field error, a notice or a 404, never a 5xx: every route of the app, for each role,
with random path ids (0, 2^31, 2^63, huge…), random query values and random form fields (hypothesis).

One app and one set of objects per role (the `objects` of the access matrix); the data evolves
from one example to the next, as on a real server. Each request is counted (`record_property`);
the terminal summary prints the total (at least REQUESTS_PER_PASS per database pass).
"""
import io
import os
import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_access_matrix import ROLES, build_objects

from clausematch.applications.models import ApplicationStatus
from clausematch.reporting.reports import BY_SLUG
from clausematch.scheduler import JOBS

REQUESTS_PER_PASS = 10_200
STRICT = os.environ.get("CLAUSEMATCH_STRICT") == "1"
EXAMPLES_PER_ROLE = REQUESTS_PER_PASS // len(ROLES)

BIG_IDS = [0, 1, 2, 3, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**63, 2**64, 10**30, 10**400]
NASTY = ["", " ", "0", "-1", "1", "2", "2147483647", "2147483648", "-2147483649", "4294967296",
         "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1" * 60, "1e9999999",
         "-1e9999999", "1e-9999999", "Infinity", "-Infinity", "NaN", "sNaN", "99999999999999", "123456789012,55",
         "0,5", "5,5", "1.000,50", "bogus", "None", "2025-03", "2025-13", "03/2025", "9999-12-31",
         "0001-01-01", "31/12/9999", "00/00/0000", "\x00", "é" * 5, "<script>alert(1)</script>", "'; --",
         "x" * 5000, "\r\n", "%", "€", "١٢٣", "１２"]
HUGE_CELL_CSV = ("contrat;mois;heures\n1;2025-03;" + "7" * 140_000 + "\n").encode()
FILES = [b"", b"contrat;mois;heures\n1;2025-03;10\n", b"candidat;lot;mois;heures\n1;1;2025-03;1e9999999\n",
         b"contrat;mois;heures\n2147483648;2025-03;10\n9223372036854775808;03/2025;5\n", HUGE_CELL_CSV,
         b"\xff\xfe\x00\x00", b'contrat;mois;heures\n"unterminated;2025-03;1\n', b"a\x00b;c\n"]
# Query-string names the views read (beyond those of the forms found on the pages).
QUERY_NAMES = ["page", "lot", "offre", "entreprise", "acheteur", "marche", "programme", "annee", "du", "au",
               "mode", "par", "tolerance", "q", "limit", "mois", "eligibilite", "type", "secteur", "rayon",
               "commune", "keep_id", "drop_id", "publics", "distance", "disponibilite", "nombre",
               "deja_orientes", "statut", "next", "ouvrir"]


def _routes(app) -> list[tuple[str, object]]:
    return sorted(((method, rule) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
                   for method in sorted(rule.methods - {"HEAD", "OPTIONS"})), key=lambda pair: (pair[1].rule, pair[0]))


class _Forms(HTMLParser):
    """The forms of a page: (method, action, {name: [default values]}, file field names)."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path, self.forms, self.options = page_path, [], set()
        self._current = self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._current = ((attrs.get("method") or "get").upper(), attrs.get("action") or self.page_path, {}, [])
            self.forms.append(self._current)
        elif self._current is None or (tag != "option" and not name):
            return
        elif tag == "input" and attrs.get("type") == "file":
            self._current[3].append(name)
        elif tag == "input":
            if attrs.get("value") is not None:
                self.options.add(attrs["value"])
            checkable = attrs.get("type") in ("checkbox", "radio")
            values = self._current[2].setdefault(name, [])
            if not checkable or "checked" in attrs:
                values.append(attrs.get("value") or ("y" if checkable else ""))
        elif tag == "select":
            self._select = self._current[2].setdefault(name, [])
        elif tag == "option" and self._select is not None:
            self.options.add(attrs.get("value") or "")
            if "selected" in attrs or not self._select:
                self._select[:] = [attrs.get("value") or ""]
        elif tag == "textarea":
            self._textarea = self._current[2].setdefault(name, [""])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[0] += data


def _catalogue(client, app, objects):
    """Every form found on the pages opened with real ids (as the role sees them), the field
    names and the option values."""
    ids = {"token": objects["invitation_token"], "mois": "2025-03", "slug": "entonnoir"}
    forms, names, options = [], set(QUERY_NAMES), set()
    for method, rule in _routes(app):
        if method != "GET" or not all(name.endswith("_id") or name in ids for name in rule.arguments):
            continue
        values = {name: str(ids.get(name) or next((v for k, v in objects.items() if f"{k}_id" == name), 1))
                  for name in rule.arguments}
        path = _url(rule, values)
        parser = _Forms(path)
        parser.feed(client.get(path).get_data(as_text=True))
        forms.extend(form for form in parser.forms if form[1].startswith("/"))
        options |= {value for value in parser.options if len(value) < 100}
        names |= {name for form in parser.forms for name in form[2]}
    return forms, sorted(names), sorted(options)


def _path_values(objects) -> dict[str, st.SearchStrategy]:
    """Per path argument name: what to put in the URL."""
    known_ids = sorted({v for v in objects.values() if isinstance(v, int)})
    ids = st.one_of(st.sampled_from(known_ids + BIG_IDS), st.integers(min_value=-5, max_value=10**20)).map(str)
    junk = st.one_of(st.sampled_from(NASTY[:30]).filter(bool), st.text(min_size=1, max_size=20)).map(
        lambda text: text.replace("/", "-"))
    return {
        "int": ids,
        "name": st.one_of(st.sampled_from([job.name for job in JOBS]), junk),
        "token": st.one_of(st.sampled_from([objects["invitation_token"], objects["reset_token"]]), junk),
        "mois": st.one_of(st.sampled_from(["2025-03", "2025-02", "1900-01", "9999-12", "2025-13"]), junk),
        "slug": st.one_of(st.sampled_from(sorted(BY_SLUG)), junk),
        "fmt": st.one_of(st.sampled_from(["csv", "xlsx", "pdf"]), junk),
        "target": st.one_of(st.sampled_from([s.value for s in ApplicationStatus]), junk),
    }


def _values(options: list[str]) -> st.SearchStrategy:
    one = st.one_of(st.sampled_from(NASTY), st.sampled_from(options or [""]), st.text(max_size=30),
                    st.integers(min_value=-(2**70), max_value=2**70).map(str))
    return st.lists(one, min_size=1, max_size=3)


def _url(rule, values: dict[str, str]) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", lambda _, name=name: quote(values[name], safe=""), path)
    return path


def _random_request(data, routes, path_values, names, values, files):
    method, rule = data.draw(st.sampled_from(routes), label="route")
    arguments = {name: data.draw(path_values.get(name, path_values["int"]), label=name) for name in rule.arguments}
    form = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=12), label="form") \
        if method == "POST" else {}
    return method, _url(rule, arguments), form


def _form_request(data, forms, names, values):
    """A form as the page shows it (its defaults), with a few fields changed."""
    method, action, defaults, _ = data.draw(st.sampled_from(forms), label="form")
    changed = data.draw(st.dictionaries(st.sampled_from(sorted(defaults) or names), values, min_size=1,
                                        max_size=3), label="changed fields")
    return method, action, {**defaults, **changed}


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_on_random_input(app, db, client, personas, login_as, record_property, role):
    objects = build_objects(db, personas)
    if role != "anonymous":
        login_as(role)
    forms, names, options = _catalogue(client, app, objects)
    routes, path_values, values = _routes(app), _path_values(objects), _values(options)
    file_names = sorted({name for form in forms for name in form[3]})
    sent = []

    # Strict runs (CI) replay a fixed sequence, so a green local strict run is the run CI will see;
    # other runs explore new inputs each time.
    @settings(max_examples=EXAMPLES_PER_ROLE, deadline=None, database=None, derandomize=STRICT,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def one_request(data):
        if forms and data.draw(st.booleans(), label="from a form"):
            method, url, form = _form_request(data, forms, names, values)
        else:
            method, url, form = _random_request(data, routes, path_values, names, values, file_names)
        query = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=4), label="query")
        if method == "POST" and file_names and data.draw(st.booleans(), label="with file"):
            form[data.draw(st.sampled_from(file_names))] = (io.BytesIO(data.draw(st.sampled_from(FILES))), "h.csv")
        with client.session_transaction() as session:
            session.clear()
        if role != "anonymous":
            login_as(role)
        path, _, in_url = unescape(url).partition("?")
        query = {**parse_qs(in_url), **query, **({} if method == "POST" else form)}
        response = client.open(path, method=method, query_string=query, data=form if method == "POST" else None)
        sent.append(1)
        assert response.status_code < 500, (method, url, query, form)

    one_request()
    record_property("fuzz_requests", len(sent))
    assert len(sent) >= EXAMPLES_PER_ROLE
