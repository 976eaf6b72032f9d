"""Test fixtures: one app and schema per session, a clean database per test, members by role.

The suite runs on SQLite; with COOPOL_TEST_DATABASE_URL set it runs on PostgreSQL.
"""

import os
import secrets
import threading

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, delete, text, update
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from coopol import create_app
from coopol.auth.service import hash_password
from coopol.config import normalise_database_url
from coopol.database import utcnow
from coopol.extensions import db, limiter
from coopol.geo import service as geo_service
from coopol.geo.models import Commune, Section
from coopol.profile import service as profile_service
from coopol.profile.models import Member, Theme

# Tables the tests share: loaded once, never emptied between tests.
REFERENCE_TABLES = {"alembic_version", "region", "federation", "epci", "commune", "postal_code"}
TEST_DEPARTEMENTS = {"38", "69", "75", "95"}
PASSWORD = "mot-de-passe-solide"

GRENOBLE = "38185"
ECHIROLLES = "38151"
CERGY = "95127"
PONTOISE = "95500"
PARIS_11 = "75111"


def _database_url(tmp_path_factory) -> str:
    """The session's database: a temporary SQLite file, or COOPOL_TEST_DATABASE_URL.

    Under pytest-xdist each worker gets a PostgreSQL database of its own, made here.
    """
    url = os.environ.get("COOPOL_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(normalise_database_url(url))
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": name}).scalar():
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgres_schema(app) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context and database session.

    Each test runs inside an app context for its factories; without this, requests would
    reuse it and share the test's session, hiding bugs that real requests would meet.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "MAIL_BACKEND": "memory",
        "SERVER_NAME": "coopol.test",
        "BASE_URL": "http://coopol.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "FORM_MIN_SECONDS": 0,
        "DASHBOARD_CACHE_SECONDS": 0,
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _reset_postgres_schema(app)
        upgrade(directory=app.extensions["migrate"].directory)
        geo_service.load_geography(TEST_DEPARTEMENTS)
    return app


def _clean_database() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        connection.execute(update(Commune).where(Commune.section_id.is_not(None))
                           .values(section_id=None))
        for table in reversed(db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(delete(table))


@pytest.fixture(autouse=True)
def _context(app):
    """Run each test inside an app context, on an empty database, with fresh rate limits."""
    with app.app_context():
        limiter.reset()
        app.extensions["coopol_sent_mail"] = []
        yield
        _clean_database()


@pytest.fixture
def live_server(app):
    """Serve the app from a thread per request, as a real deployment would (concurrency tests)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def sent_mail(app):
    """Mails delivered by the outbox worker during the test (run `work_once()` first)."""
    return app.extensions["coopol_sent_mail"]


# --- factories -------------------------------------------------------------------------------


def make_section(name="Grenoble", federation="38", communes=(GRENOBLE,)) -> Section:
    section = Section(federation_code=federation)
    geo_service.save_section(section, name,
                             [db.session.get(Commune, insee) for insee in communes])
    db.session.commit()
    return section


_counter = {"n": 0}


def make_member(email=None, commune=GRENOBLE, status="sympathisant", confirmed=True,
                adherent_confirmed=True, roles=(), visibility="section", name=None,
                interests=()) -> Member:
    """Create a member; roles are (role, section or federation code or None) pairs."""
    _counter["n"] += 1
    # A random part too: test modules that import `tests.conftest` get their own counter.
    email = email or f"membre{_counter['n']}-{secrets.token_hex(3)}@exemple.fr"
    member = Member(
        email=email.lower(), password_hash=FAST_HASH, status=status,
        display_name=name or f"Membre {_counter['n']}", visibility=visibility,
        email_confirmed_at=utcnow() if confirmed else None,
        adherent_confirmed_at=utcnow() if status == "adherent" and adherent_confirmed else None,
    )
    if commune:
        profile_service.place_member(member, db.session.get(Commune, commune))
    member.interests = list(interests)
    db.session.add(member)
    db.session.flush()
    for role, scope in roles:
        section_id = scope.id if isinstance(scope, Section) else None
        federation = scope if isinstance(scope, str) else None
        profile_service.grant_role(None, member, role, federation_code=federation,
                                   section_id=section_id)
    db.session.commit()
    return member


def make_theme(name="Logement") -> Theme:
    theme = Theme(name=name)
    db.session.add(theme)
    db.session.commit()
    return theme


def login(client, member: Member) -> None:
    """Log a test client in as the member without going through the form."""
    with client.session_transaction() as session:
        session["_user_id"] = member.get_id()
        session["_fresh"] = True


def reload(model, key):
    """Read a row again from the database, past what this session remembers."""
    db.session.expire_all()
    return db.session.get(model, key)


# One real scrypt hash, computed once: hashing per member would dominate the suite's time.
FAST_HASH = hash_password(PASSWORD)


@pytest.fixture
def section():
    return make_section()


@pytest.fixture
def member(section):
    return make_member()


@pytest.fixture
def member_client(client, member):
    login(client, member)
    return client


@pytest.fixture
def admin():
    return make_member(email="admin@exemple.fr", roles=[("admin", None)])


@pytest.fixture
def admin_client(client, admin):
    login(client, admin)
    return client
