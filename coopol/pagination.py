"""Pagination of any list that can grow: one count and one page query."""

from flask import current_app, request

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
