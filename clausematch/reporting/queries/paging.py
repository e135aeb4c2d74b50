"""One page of a report's lines in one statement: the statement carries its totals as window
aggregates (SUM(...) OVER (), and COUNT(*) OVER () last), computed before LIMIT over every line,
so a page costs one pass over the hours instead of three (count, page, total)."""
from math import ceil

import sqlalchemy as sa
from flask import current_app

from clausematch.extensions import db
from clausematch.pagination import Page


def line_count() -> sa.ColumnElement:
    """The last column of a paged statement: how many lines in all."""
    return sa.func.count().over().label("line_count")


def window_page(stmt: sa.Select, page: int | None) -> tuple[list, Page | None]:
    """Rows of page `page` (every row when None) of `stmt`, whose last column is line_count().
    A page past the end shows the last one, as clausematch.pagination does."""
    if page is None:
        return db.session.execute(stmt).all(), None
    per_page = current_app.config.get("PAGE_SIZE", 25)
    page = max(page, 1)
    rows = _rows(stmt, page, per_page)
    if not rows and page > 1:
        first = db.session.execute(stmt.limit(1)).all()
        page = max(1, ceil(first[0][-1] / per_page)) if first else 1
        rows = _rows(stmt, page, per_page) if first else []
    return rows, Page(items=rows, page=page if rows else 1, per_page=per_page, total=rows[0][-1] if rows else 0)


def _rows(stmt: sa.Select, page: int, per_page: int) -> list:
    return db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page)).all()
