"""Reading figures and table rows out of the rendered home pages."""
import re
from html import unescape

TAG = re.compile(r"<[^>]+>")


def text(fragment: str) -> str:
    """Visible text of an HTML fragment, ASCII whitespace collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", unescape(TAG.sub(" ", fragment))).strip()


def figures(html: str) -> dict[str, str]:
    """The key figures of a page: {label: value}."""
    pairs = re.findall(r'<dt class="chiffre__libelle">(.*?)</dt>\s*<dd class="chiffre__valeur">(.*?)</dd>',
                       html, re.S)
    return {text(label): text(value) for label, value in pairs}


def tables(html: str) -> list[list[list[str]]]:
    """The body rows of each table of the page, as lists of cell texts."""
    return [[[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
             for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
            for body in re.findall(r"<tbody>(.*?)</tbody>", html, re.S)]


def table_rows(html: str) -> list[list[str]]:
    """Every body row of every table, in page order."""
    return [row for table in tables(html) for row in table]


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return text(match.group(1)) if match else ""


NNBSP = "\u202f"  # thousands separator of the `number` filter
NBSP = "\u00a0"   # before "%" and "h"
