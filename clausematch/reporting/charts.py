"""Server-rendered SVG bar charts, accessible: role="img" named by a <title> and a <desc>, every
bar labelled with its value in text, and hatching or dashed lines (never colour alone) for
what differs. The same numbers follow in a table on every page; no JavaScript, no CDN.
A masked count of people (masking.py) draws no bar: its line says "< 5", and a legend says why."""
import textwrap
from dataclasses import dataclass

from markupsafe import Markup, escape

from clausematch.formats import format_number, format_percent
from clausematch.reporting.masking import count_text, is_small
from clausematch.reporting.queries.clause_share import ClauseShareLine
from clausematch.reporting.queries.funnel import Funnel
from clausematch.reporting.queries.hours import LOT_GROUPS, HoursReport
from clausematch.reporting.queries.outcomes import OutcomesReport
from clausematch.reporting.queries.publics import PublicsReport
from clausematch.reporting.queries.warnings import Warnings

WIDTH, LABEL_WIDTH, BAR_X, BAR_AREA = 800, 300, 310, 290  # the viewBox widens for long value texts
ROW, BAR_HEIGHT, TOP, LEGEND_ROW, LINE = 34, 20, 28, 22, 17
LABEL_CHARS = 34  # a longer label wraps onto further lines (its row grows), never cut
# Widest advance of a character of the page's sans-serif font, in ems (digits and lowercase are
# about 0.55): texts are measured with it so that the viewBox always holds them (and a label of
# LABEL_CHARS characters its LABEL_WIDTH).
CHAR_EM = 0.62
BLUE, MARKER, TEXT = "#000091", "#b34000", "#161616"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written at the end of the bar
    hatched: bool = False
    marker: float | None = None  # a target or expected level on the same scale
    masked: bool = False  # a count of fewer than 5 people: no bar, only its text


MASKED_LEGEND = "« < 5 » : moins de 5 personnes ; le nombre exact n'est pas affiché, ni sa barre."


def people_bar(label: str, count, suffix: str = "", **options) -> Bar:
    """A bar whose length is a count of people, followed by `suffix`; masked under 5."""
    if is_small(count):
        return Bar(label, 0, count_text(count), masked=True, **options)
    return Bar(label, count, format_number(count) + suffix, **options)


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar], *,
              reference: tuple[float, str] | None = None, legend: list[str] | None = None) -> Markup:
    """A horizontal bar chart; `reference` draws one dashed line across all bars (e.g. 100 %).
    Every text fits inside the viewBox: long labels wrap, and the chart widens (scaled down on
    screen) rather than cut a value or a legend."""
    legend = (legend or []) + ([MASKED_LEGEND] if any(bar.masked for bar in bars) else [])
    scale = max([b.value for b in bars] + [b.marker or 0 for b in bars] + [reference[0] if reference else 0] + [0])
    scale = scale or 1
    rows, right, y = [], WIDTH, TOP
    for index, bar in enumerate(bars):
        row, row_right, height = _bar(chart_id, index, bar, scale, y)
        rows.append(row)
        right = max(right, row_right)
        y += height
    bottom = y if bars else TOP + ROW
    parts = rows
    if reference and bars:
        line, reference_right = _reference(reference, scale, bottom)
        parts.append(line)
        right = max(right, reference_right)
    if not bars:
        parts.append(f'<text x="{BAR_X}" y="{TOP + ROW / 2}" fill="{TEXT}">Aucune donnée pour ce périmètre.</text>')
    for index, text in enumerate(legend):
        parts.append(f'<text x="4" y="{bottom + LEGEND_ROW * index + 14}" font-size="13" '  # 4: a glyph's overhang
                     f'fill="{TEXT}">{escape(text)}</text>')
        right = max(right, 4 + text_width(text, 13))
    height = bottom + LEGEND_ROW * len(legend) + 8
    width = int(right + 8)
    head = [f'<svg class="graphique" role="img" aria-labelledby="{chart_id}-titre {chart_id}-desc" '
            f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'xmlns="http://www.w3.org/2000/svg" id="{chart_id}">',
            f'<title id="{chart_id}-titre">{escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
            _defs(chart_id)]
    return Markup("".join(head + parts + ["</svg>"]))


def text_width(text: str, size: float) -> float:
    """An upper bound of the width of `text` written at `size` px."""
    return len(text) * size * CHAR_EM


def _defs(chart_id: str) -> str:
    return (f'<defs><pattern id="{chart_id}-hachures" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<rect width="8" height="8" fill="#ffffff"/>'
            f'<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="{BLUE}" stroke-width="2"/></pattern></defs>')


def _bar(chart_id: str, index: int, bar: Bar, scale: float, y: float) -> tuple[str, float, float]:
    """The row of one bar from `y`: its markup, the right end of its texts and its height."""
    length = max(bar.value, 0) / scale * BAR_AREA
    marker = bar.marker / scale * BAR_AREA if bar.marker is not None else None
    lines = textwrap.wrap(bar.label, LABEL_CHARS) or [""]
    fill = f"url(#{chart_id}-hachures)" if bar.hatched else BLUE
    text_x = BAR_X + max(length, marker or 0) + 8  # the value text clears the bar and the marker
    label = "".join(f'<tspan x="{LABEL_WIDTH}" dy="{0 if n == 0 else LINE}">{escape(line)}</tspan>'
                    for n, line in enumerate(lines))
    parts = [f'<text x="{LABEL_WIDTH}" y="{y + BAR_HEIGHT - 5}" text-anchor="end" font-size="14" '
             f'fill="{TEXT}">{label}</text>',
             "" if bar.masked else f'<rect x="{BAR_X}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
             f'fill="{fill}" stroke="{BLUE}" stroke-width="1"/>',
             f'<text x="{text_x:.1f}" y="{y + BAR_HEIGHT - 5}" font-size="14" fill="{TEXT}">{escape(bar.text)}</text>']
    if marker is not None:
        x = BAR_X + marker
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 4}" y2="{y + BAR_HEIGHT + 4}" stroke="{MARKER}" '
                     f'stroke-width="3" stroke-dasharray="4 2"/>')
    height = max(ROW, BAR_HEIGHT + LINE * (len(lines) - 1) + 14)
    return "".join(parts), text_x + text_width(bar.text, 14), height


def _reference(reference: tuple[float, str], scale: float, bottom: float) -> tuple[str, float]:
    value, text = reference
    x = BAR_X + value / scale * BAR_AREA
    return (f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 6}" y2="{bottom}" stroke="{MARKER}" stroke-width="2" '
            f'stroke-dasharray="6 3"/><text x="{x:.1f}" y="{TOP - 10}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT}">{escape(text)}</text>'), x + text_width(text, 13) / 2


# --- One chart per report -----------------------------------------------------------------

def funnel_chart(funnel: Funnel) -> Markup:
    bars = [people_bar(step.label, step.count,
                       f" ({format_percent(step.rate)} de l'étape précédente)" if step.rate is not None else "",
                       hatched=not step.main) for step in funnel.steps]
    main = " → ".join(count_text(step.count) for step in funnel.main_steps)
    return bar_chart("graphique-entonnoir", "Entonnoir de recrutement",
                     f"Nombre de personnes à chaque étape. Étapes principales : {main}.", bars,
                     legend=["Barres hachurées : étapes intermédiaires (présélection, entretien)."])


def hours_chart(report: HoursReport) -> Markup:
    if report.group in LOT_GROUPS:
        bars = [Bar(line.label, float(line.rate or 0) * 100, _rate_text(line)) for line in report.lines]
        return bar_chart("graphique-heures", "Taux de réalisation des heures d'insertion",
                         f"Heures réalisées rapportées à l'objectif. Total : {_rate_text(report.total)}.", bars,
                         reference=(100, "Objectif (100 %)"),
                         legend=["Trait pointillé : objectif atteint (100 %) ; une barre qui le dépasse "
                                 "indique une surréalisation."])
    bars = [Bar(line.label, float(line.realised), f"{format_number(line.realised)} h "
                f"({format_percent(report.share(line))})") for line in report.lines]
    return bar_chart("graphique-heures", "Heures d'insertion réalisées",
                     f"Heures réalisées et validées par groupe. Total : {format_number(report.total.realised)} h.",
                     bars)


def _rate_text(line) -> str:
    if line.rate is None:
        return f"{format_number(line.realised)} h, sans objectif"
    return f"{format_percent(line.rate)} ({format_number(line.realised)} h sur {format_number(line.objective)} h)"


def publics_chart(report: PublicsReport) -> Markup:
    def bar(line) -> Bar:
        target = f" (objectif {format_percent(line.target)})" if line.target is not None else ""
        marker = float(line.target) * 100 if line.target is not None else None
        if is_small(line.people):
            return Bar(line.label, 0, f"{count_text(line.people)} personnes{target}", marker=marker, masked=True)
        return Bar(line.label, float(line.share or 0) * 100, format_percent(line.share) + target, marker=marker)

    bars = [bar(line) for line in report.lines]
    return bar_chart("graphique-publics", "Publics touchés parmi les participants",
                     f"Part de chaque public parmi les {count_text(report.participants)} participants, "
                     "comparée à l'objectif du territoire quand il en fixe un.", bars,
                     legend=["Trait pointillé : objectif du territoire."])


def outcomes_chart(report: OutcomesReport) -> Markup:
    if report.plie is not None:
        plie = report.plie
        bars = [people_bar(label, count, f" ({format_percent(plie.share(count))})") for label, count in (
            ("Emploi durable confirmé à 6 mois", plie.durable_confirmed),
            ("Formation qualifiante", plie.qualifying_training), ("Autre sortie", plie.others))]
        return bar_chart("graphique-sorties", "Sorties selon la convention des PLIE",
                         f"Nombre de sorties positives au sens des PLIE et d'autres sorties, sur "
                         f"{count_text(plie.total)} sorties.", bars)
    bars = [people_bar(line.label, line.exits, f" ({format_percent(line.share)})") for line in report.categories]
    return bar_chart("graphique-sorties", "Sorties par catégorie (définitions de la DGEFP)",
                     f"Nombre de sorties par catégorie, sur {count_text(report.total)} sorties.", bars)


def warnings_chart(warnings: Warnings) -> Markup:
    bars = [Bar(f"{lot.reference} – lot {lot.number}", float(lot.realised_share or 0) * 100,
                f"{format_percent(lot.realised_share)} réalisé, {format_percent(lot.elapsed)} du temps écoulé",
                marker=float(lot.elapsed) * 100) for lot in warnings.lots]
    return bar_chart("graphique-alertes", "Lots en retard sur leur objectif d'heures",
                     "Pour chaque lot en retard, part de l'objectif d'heures réalisée, comparée à la part "
                     "de la durée du lot déjà écoulée.", bars,
                     legend=["Trait pointillé : part de la durée du lot écoulée."])


def clause_share_chart(lines: list[ClauseShareLine]) -> Markup:
    bars = [Bar(str(line.year), float(line.share or 0) * 100,
                f"{format_percent(line.share)} ({line.with_clause} sur {line.contracts})") for line in lines]
    trend = " → ".join(format_percent(line.share) for line in lines)
    return bar_chart("graphique-clauses", "Part des marchés notifiés avec une clause sociale",
                     f"Par année de notification : {trend}.", bars)
