"""Count the SQL statements that run inside a block, e.g. one request.

    with count_queries() as queries:
        client.get("/sections")
    assert queries.count <= 6, queries

It listens to SQLAlchemy's `before_cursor_execute` on the app's engine, so it sees every
statement of the requests made inside the block (they share the engine, not the session).
"""

from contextlib import contextmanager

from sqlalchemy import event

from coopol.extensions import db


class QueryLog:
    """The statements run so far; its text lists them, numbered, for failure messages."""

    def __init__(self):
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __str__(self) -> str:
        lines = (f"{n}. {' '.join(s.split())[:200]}" for n, s in enumerate(self.statements, 1))
        return f"{self.count} statements:\n" + "\n".join(lines)


@contextmanager
def count_queries(engine=None):
    """Record the statements run on `engine` (the current app's by default) inside the block."""
    engine = engine or db.engine
    log = QueryLog()

    def record(_connection, _cursor, statement, _parameters, _context, _executemany):
        log.statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", record)
