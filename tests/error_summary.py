"""Reading a refused form's page in tests: the error summary at the top, one field's errors."""
import re


def summary_of(html: str) -> str:
    """The error summary's HTML (empty when the page has none)."""
    if "data-resume-erreurs>" not in html:
        return ""
    return html.split("data-resume-erreurs>")[1].split("</div>")[0]


def error_count(html: str) -> int:
    """The N of « Le formulaire contient N erreurs » (1 for « une erreur », 0 without a summary)."""
    summary = summary_of(html)
    if "contient une erreur" in summary:
        return 1
    found = re.search(r"contient (\d+) erreurs", summary)
    return int(found.group(1)) if found else 0


def field_errors(html: str, field_id: str) -> str:
    """The text of the errors shown under one field (empty when it has none)."""
    found = re.search(rf'<div id="{re.escape(field_id)}-erreurs" class="champ__erreurs">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""
