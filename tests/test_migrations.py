"""Upgrades: a database made at the first migration, with data in it, upgrades to the latest
and back down, on SQLite and (with COOPOL_TEST_DATABASE_URL) PostgreSQL."""

import os
from datetime import datetime

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import Boolean, Date, DateTime, Integer, create_engine, inspect, text
from sqlalchemy.engine import make_url

from coopol import create_app
from coopol.config import normalise_database_url
from coopol.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own, so the suite's shared one is not touched."""
    base = os.environ.get("COOPOL_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path}/migrations.sqlite3"
        return
    url = make_url(normalise_database_url(base))
    name = f"{url.database}_migrations"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_first_migration_keeps_data_and_downgrades(empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config(
            directory))
        revisions = [r.revision for r in script.walk_revisions("base", "heads")][::-1]
        assert revisions[0] == "0001"
        upgrade(directory=directory, revision="0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO federation (code, name) VALUES ('38', 'Isère')"))
            connection.execute(text(
                "INSERT INTO member (email, password_hash, display_name, status, skills, bio, "
                "visibility, session_nonce, created_at) VALUES ('lea@exemple.fr', 'x', 'Léa', "
                "'sympathisant', '', '', 'section', 'n', CURRENT_TIMESTAMP)"))
        for revision in revisions[1:]:
            upgrade(directory=directory, revision=revision)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT email FROM member")).scalar() == \
                "lea@exemple.fr"
        downgrade(directory=directory, revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(directory=directory)
        assert "member" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_scale_revision_fills_closed_consultations_and_comes_off_without_losing_them(
        empty_database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0005")
        scores = '[[1, 6, 3, 6], [2, 4, 2, 4]]', '[[2, 5, 5, 5], [1, 0, 0, 0]]'
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO consultation (id, title, context, eligibility, method, max_choices, "
                "points_total, contributions_open_at, vote_opens_at, vote_closes_at, "
                "syntheses_due_at, closed_at, ballots_count, created_at) VALUES (1, 'C', '', "
                "'members', 'ranking', 2, 10, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 10, CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO option (id, consultation_id, title, text, origin, group_name, "
                "status, reject_reason, created_at) VALUES (1, 1, 'A', '', 'organiser', '', "
                "'accepted', '', CURRENT_TIMESTAMP), (2, 1, 'B', '', 'organiser', '', "
                "'accepted', '', CURRENT_TIMESTAMP)"))
            connection.execute(text(
                "INSERT INTO area_result (consultation_id, level, area_key, area_name, ballots, "
                "eligible, attendance, scores) VALUES (1, 'national', '', '', 10, 20, 0, :n), "
                "(1, 'section', '7', 'S', 5, 9, 0, :s)"), {"n": scores[0], "s": scores[1]})
        upgrade(directory=directory, revision="0010")
        with db.engine.connect() as connection:
            # National shares A 60 / B 40, the section's A 0 / B 100: 60 points apart.
            assert connection.execute(text(
                "SELECT distance FROM area_result WHERE level = 'section'")).scalar() == 60.0
        downgrade(directory=directory, revision="0005")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM option")).scalar() == 2
            assert connection.execute(text("SELECT count(*) FROM area_result")).scalar() == 2
        db.engine.dispose()


def _insert(connection, table: str, **given) -> None:
    """Insert a row giving `given` and a plain value to every other required column."""
    values = dict(given)
    for column in inspect(connection).get_columns(table):
        name, kind = column["name"], column["type"]
        if name in values or column["nullable"] or column.get("default") is not None \
                or name == "id":
            continue
        values[name] = (1 if isinstance(kind, Integer) else False if isinstance(kind, Boolean)
                        else datetime(2026, 1, 1) if isinstance(kind, DateTime | Date) else "x")
    connection.execute(text(f'INSERT INTO "{table}" ({", ".join(values)}) '  # noqa: S608
                            f'VALUES ({", ".join(":" + k for k in values)})'), values)


def test_a_downgrade_that_rebuilds_a_table_keeps_the_rows_pointing_at_it(empty_database_url):
    """SQLite's batch mode copies `event` and drops the old one: RSVPs must not go with it."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "x"})
    with app.app_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="0005")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO federation (code, name) VALUES ('38', 'Isère')"))
            _insert(connection, "commune", insee="38185", federation_code="38")
            _insert(connection, "section", id=1, name="Grenoble", federation_code="38")
            _insert(connection, "member", id=1, email="lea@exemple.fr", section_id=1)
            _insert(connection, "event", id=1, section_id=1, organiser_id=1,
                    commune_insee="38185")
            _insert(connection, "rsvp", id=1, event_id=1, member_id=1)
        downgrade(directory=directory, revision="0004")
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM rsvp")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM event")).scalar() == 1
        db.engine.dispose()
