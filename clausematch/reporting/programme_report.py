"""A programme's funnel as a table (page, CSV, command line) and an accessible SVG chart, from
the same figures (queries/programme_funnel.py)."""
from markupsafe import Markup

from clausematch.formats import format_number, format_percent
from clausematch.reporting.charts import Bar, bar_chart
from clausematch.reporting.queries.programme_funnel import ProgrammeFunnel
from clausematch.reporting.tables import COUNT, PERCENT, Column, Table


def programme_table(funnel: ProgrammeFunnel) -> Table:
    columns = [Column("etape", "Étape"), Column("personnes", "Personnes", COUNT),
               Column("taux_etape_precedente", "Taux depuis l'étape précédente", PERCENT),
               Column("part_premiere_etape", "Part de la première étape", PERCENT),
               Column("definition", "Définition")]
    rows = [[stage.label, stage.count, stage.rate, stage.share_of_first, stage.stage.definition]
            for stage in funnel.stages]
    return Table(f"Entonnoir du programme « {funnel.programme_name} »", columns, rows)


def programme_chart(funnel: ProgrammeFunnel) -> Markup:
    bars = [Bar(stage.label, stage.count, format_number(stage.count) + (
        f" ({format_percent(stage.rate)} de l'étape précédente)" if stage.rate is not None else ""))
        for stage in funnel.stages]
    path = " → ".join(format_number(count) for count in funnel.counts)
    return bar_chart("graphique-programme", f"Entonnoir du programme « {funnel.programme_name} »",
                     f"Nombre de personnes à chaque étape, chacune comptant des personnes de l'étape précédente : "
                     f"{path}.", bars)
