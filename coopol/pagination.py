"""Pagination of any list that can grow: one count and one page query."""

from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import func

from .extensions import db

MAX_PAGE = 10_000


def page_arg() -> int:
    """Read ?page= leniently: anything odd means the first page."""
    value = request.args.get("page", "1")
    return max(1, min(int(value), MAX_PAGE)) if value.isdigit() else 1


def paginate(query, per_page: int | None = None, total=None):
    """Return a Flask-SQLAlchemy Pagination of a select() for the requested page.

    `total`, when given, is the number of rows already known, or a select() of it that the
    database answers more cheaply than counting the list (one table's index, not a join).
    """
    pagination = db.paginate(query, page=page_arg(),
                             per_page=per_page or current_app.config["PAGE_SIZE"],
                             error_out=False, max_per_page=100, count=total is None)
    if total is not None:
        pagination.total = total if isinstance(total, int) else db.session.scalar(total) or 0
    return pagination


class Pager:
    """What the pager macro reads, from `page` and `pages`."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class RowPage(Pager):
    """A page of plain rows: no ORM objects to build for a list read many times a second."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def paginate_rows(query, count, row=tuple, per_page: int | None = None,
                  shown=None) -> RowPage:
    """Return the requested page of a select() of columns, each row made by `row`.

    One query: the list's length comes with the page's rows (a window count). `count`, the
    select() of that length, only runs for a page past the end, which has no row to bring it.
    With `shown`, `query` only chooses the page (ordered, cut to one page) and `shown(page)`
    returns the select() of the columns to show from that subquery, followed by
    `page.c.total`: what a row shows is then joined for one page, not for the whole list
    before it is sorted. A page past the end is empty, as with `paginate`.
    """
    per_page = per_page or current_app.config["PAGE_SIZE"]
    page = page_arg()
    query = (query.add_columns(func.count().over().label("total"))
             .limit(per_page).offset((page - 1) * per_page))
    if shown is not None:
        query = shown(query.subquery())
    rows = db.session.execute(query).all()
    if rows:
        return RowPage([row(*values[:-1]) for values in rows], page, per_page, rows[0][-1])
    return RowPage([], page, per_page, (db.session.scalar(count) or 0) if page > 1 else 0)
