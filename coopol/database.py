"""The one place that knows which database we run on: SQLite pragmas and dialect helpers."""

import unicodedata
from datetime import UTC, datetime

from sqlalchemy import String, event
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def utcnow() -> datetime:
    """Return the current time in UTC, naive, as every timestamp column stores it."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """Turn on WAL, foreign keys and a busy timeout for every SQLite connection."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def is_sqlite(session) -> bool:
    """Tell whether the session talks to SQLite."""
    return session.get_bind().dialect.name == "sqlite"


def refresh_statistics(session) -> None:
    """Let PostgreSQL's planner know the tables after a bulk load (ANALYZE).

    Autovacuum would do it later, when it runs; until then the planner guesses a few rows
    per table and picks plans for empty tables. SQLite is left alone: a deployment never
    gathers statistics there, so plans are measured as they will run.
    """
    if not is_sqlite(session):
        session.execute(sql_text("ANALYZE"))


def fold(text: str) -> str:
    """Fold a name for searching: lower case, no accents, hyphens and apostrophes as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for char in "-'’":
        plain = plain.replace(char, " ")
    return " ".join(plain.split())


def like_prefix(text: str) -> str:
    """Escape a user's text for a LIKE prefix match (used with escape='\\')."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def insert_ignoring_duplicates(session, table):
    """Return an INSERT that skips rows breaking a unique constraint (ON CONFLICT DO NOTHING).

    Both databases spell it the same way, but SQLAlchemy builds it from each dialect's insert.
    """
    if is_sqlite(session):
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(table).on_conflict_do_nothing()
class month_key(FunctionElement):  # noqa: N801 - used like a SQL function
    """The 'YYYY-MM' of a timestamp column, in UTC as stored, for GROUP BY month.

    Each database spells it differently; this is the one place that knows both.
    """

    type = String()
    name = "month_key"
    inherit_cache = True


@compiles(month_key, "sqlite")
def _month_key_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(month_key)
def _month_key_default(element, compiler, **kw):
    # PostgreSQL (and any database with to_char).
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"
