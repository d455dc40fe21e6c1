"""A page of a long list whose count never scans the whole list.

At 100,000 cases a ``COUNT(*)`` over a municipality's cases costs more than the page itself. The count
stops at ``COUNT_CAP``: the page says "meer dan 1.000" and pages on with "Volgende" as long as there are
rows (one row more than a page is read to know that).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from portal.extensions import db

#: Counts stop here; beyond it the list says "more than".
COUNT_CAP = 1000


@dataclass
class CappedPage:
    """One page; the attributes the ``pagination`` macro reads, plus ``capped``."""

    items: list[Any]
    page: int
    per_page: int
    total: int
    capped: bool
    more: bool

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.more

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def capped_count(query: Select, *order) -> tuple[int, bool]:
    """How many rows ``query`` has, counting at most ``COUNT_CAP + 1``; and whether it stopped there.

    ``order``: an index's order to count in (a stored deadline's), so the database reads the first
    ``COUNT_CAP + 1`` entries of that index and stops: without it PostgreSQL chose to scan the case rows
    for a teamleider's 7,500 escalations (1.7 ms at 100,000 cases, against 0.3 ms in index order)."""
    found = db.session.scalar(select(func.count()).select_from(
        query.order_by(None).order_by(*order).limit(COUNT_CAP + 1).subquery()))
    return min(found, COUNT_CAP), found > COUNT_CAP


def capped_page(query: Select, page: int, per_page: int, *, scalars: bool = True) -> CappedPage:
    """Page ``page`` (1-based) of ``query`` (ordered), with a capped count."""
    total, capped = capped_count(query)
    paged = query.limit(per_page + 1).offset((page - 1) * per_page)
    rows = list(db.session.scalars(paged) if scalars else db.session.execute(paged).all())
    return CappedPage(items=rows[:per_page], page=page, per_page=per_page, total=total, capped=capped,
                      more=len(rows) > per_page)
