"""Every main page of every role (reached by following links from the role's home on the demo
territory) has unique ids, and every reference to an id points at an element of the page:
label for=, aria-labelledby, aria-describedby, aria-controls and in-page links (href="#…").
Clicking a label must focus its own field, never another form's."""
from html.parser import HTMLParser

import pytest
import role_pages

REFERENCES = ("aria-labelledby", "aria-describedby", "aria-controls")


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.references = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") is not None:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.references.append(("label for", attrs["for"]))
        for name in REFERENCES:
            for target in (attrs.get(name) or "").split():
                self.references.append((name, target))
        href = attrs.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.references.append(("href", href[1:]))

    handle_startendtag = handle_starttag


def structure_problems(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    ids = set(parser.ids)
    problems = [f'id="{value}" apparaît {parser.ids.count(value)} fois'
                for value in sorted(ids) if parser.ids.count(value) > 1]
    problems += [f'{name}="{target}" ne désigne aucun élément' for name, target in parser.references
                 if target not in ids]
    return problems


def test_the_checker_finds_duplicates_and_dangling_references():
    html = ('<label for="comment">A</label><textarea id="comment"></textarea>'
            '<textarea id="comment"></textarea><label for="missing">B</label>'
            '<input aria-describedby="comment-aide"><a href="#nowhere">x</a><a href="#comment">y</a>')
    assert structure_problems(html) == ['id="comment" apparaît 2 fois', 'label for="missing" ne désigne aucun élément',
                                        'aria-describedby="comment-aide" ne désigne aucun élément',
                                        'href="nowhere" ne désigne aucun élément']


@pytest.fixture(scope="module")
def demo(database_url, referential_index):
    yield from role_pages.seeded_demo(database_url, referential_index)


@pytest.mark.parametrize("role", role_pages.ROLES)
def test_main_pages_have_unique_ids_and_no_dangling_reference(demo, role):
    pages = role_pages.crawl(demo.app, role)
    assert len(pages) >= (3 if role == "anonymous" else 8), sorted(pages)
    found = {url: problems for url, html in pages.items() if (problems := structure_problems(html))}
    assert found == {}, "\n".join(f"{url} : {'; '.join(problems)}" for url, problems in found.items())
