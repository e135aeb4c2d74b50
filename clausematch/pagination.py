"""Pagination in SQL: one COUNT, then one LIMIT/OFFSET query, whatever the table size."""
from dataclasses import dataclass
from math import ceil
from typing import Any

import sqlalchemy as sa
from flask import current_app

from clausematch.extensions import db


@dataclass(frozen=True)
class Page:
    """One page of results. `page` is 1-based and always within [1, pages]."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None


def paginate(select_stmt: sa.Select, page: int | None, per_page: int | None = None) -> Page:
    """Run `select_stmt` (which should be ordered) for one page.

    A page beyond the last one shows the last page; a missing or invalid page shows the first.
    A statement selecting one entity or column yields scalars, several columns yield rows.
    """
    per_page = per_page or current_app.config.get("PAGE_SIZE", 25)
    count_stmt = sa.select(sa.func.count()).select_from(select_stmt.order_by(None).subquery())
    total = db.session.scalar(count_stmt) or 0
    pages = max(1, ceil(total / per_page))
    page = min(max(page or 1, 1), pages)
    if total == 0:
        return Page(items=[], page=1, per_page=per_page, total=0)
    paged = select_stmt.limit(per_page).offset((page - 1) * per_page)
    if len(select_stmt.column_descriptions) == 1:
        items = list(db.session.scalars(paged))
    else:
        items = list(db.session.execute(paged))
    return Page(items=items, page=page, per_page=per_page, total=total)
