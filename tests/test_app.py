"""The application shell: configuration, headers, static files, errors, language, CLI."""

import pytest
from sqlalchemy import func, select

from coopol import create_app
from coopol.config import normalise_database_url
from coopol.extensions import db
from coopol.profile.models import Member, Role
from tests.conftest import PASSWORD, make_member


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("COOPOL_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite3")
    monkeypatch.setenv("COOPOL_MAIL_BACKEND", "console")
    monkeypatch.setenv("COOPOL_MAIL_PORT", "2525")
    monkeypatch.setenv("COOPOL_MAIL_USE_TLS", "true")
    monkeypatch.setenv("COOPOL_LANGUAGES", "fr, en")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/x.sqlite3"
    assert app.config["MAIL_BACKEND"] == "console"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["MAIL_USE_TLS"] is True
    assert app.config["LANGUAGES"] == ["fr", "en"]


def test_secret_key_is_generated_once_into_instance(tmp_path):
    from coopol.config import secret_key

    first = secret_key(str(tmp_path))
    assert len(first) == 64 and (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert secret_key(str(tmp_path)) == first


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x", "sqlite:///x"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.sqlite3",
                      "SECRET_KEY": "x"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


def test_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HX-Request" in response.vary


def test_pages_have_no_inline_script_or_style(client, member_client):
    for path in ("/", "/profile/", "/profile/edit", "/auth/account"):
        html = member_client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "style=" not in html and "<style" not in html


def test_static_urls_are_versioned_and_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    css = html.split('href="/static/css/coopol.css?v=')[1].split('"')[0]
    assert len(css) == 10
    response = client.get(f"/static/css/coopol.css?v={css}")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert "/static/vendor/htmx-2.0.11.min.js?v=" in html


def test_htmx_config_meta_matches_the_design(client):
    html = client.get("/").get_data(as_text=True)
    for setting in ('"includeIndicatorStyles":false', '"allowEval":false',
                    '"selfRequestsOnly":true', '"historyRestoreAsHxRequest":false',
                    '{"code":"422","swap":true}'):
        assert setting in html


def test_not_found_page_in_site_style(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html and 'class="site"' in html


def test_errors_for_htmx_go_to_the_flash_region(member_client):
    response = member_client.get("/profile/999999", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flashes"
    assert "<html" not in response.get_data(as_text=True)


def test_server_error_page_outside_testing(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/e.sqlite3",
                      "SECRET_KEY": "x"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Erreur du serveur" in response.get_data(as_text=True)


def test_csrf_is_enforced(app, client):
    make_member(email="nadia@exemple.fr")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/auth/login", data={"email": "nadia@exemple.fr",
                                                     "password": PASSWORD})
        assert response.status_code == 400
        assert "Le formulaire a expiré" in response.get_data(as_text=True)
        html = client.get("/auth/login").get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post("/auth/login", data={"email": "nadia@exemple.fr",
                                                     "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 303
        # htmx requests send the token in a header, taken from the page wrapper.
        html = client.get("/profile/").get_data(as_text=True)
        header = html.split('"X-CSRFToken": "')[1].split('"')[0]
        response = client.post("/profile/consent", data={"decision": "give"},
                               headers={"HX-Request": "true", "X-CSRFToken": header})
        assert response.status_code == 200
        response = client.post("/profile/consent", data={"decision": "give"},
                               headers={"HX-Request": "true"})
        assert response.status_code == 400 and response.headers["HX-Retarget"] == "#flashes"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_english_is_available(client):
    client.post("/language", data={"lang": "en", "next": "/auth/login"})
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html
    client.post("/language", data={"lang": "fr"})
    assert "Connexion" in client.get("/auth/login").get_data(as_text=True)


def test_browser_language_is_followed(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_language_switch_ignores_unknown_and_offsite(client):
    response = client.post("/language", data={"lang": "xx", "next": "https://evil.example/"})
    assert response.location == "/"


def test_cli_init_is_idempotent_and_create_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-admin", "chef@exemple.fr", "--password", "x" * 12])
    assert result.exit_code == 0, result.output
    member = db.session.scalar(select(Member).where(Member.email == "chef@exemple.fr"))
    assert db.session.scalar(select(Role.role).where(Role.member_id == member.id)) == "admin"
    result = runner.invoke(args=["create-admin", "chef@exemple.fr"])
    assert "déjà" in result.output
    result = runner.invoke(args=["create-admin", "inconnu@exemple.fr"])
    assert result.exit_code != 0 and "--password" in result.output


@pytest.mark.parametrize("path", ["/", "/static/css/coopol.css",
                                  "/static/vendor/htmx-2.0.11.min.js"])
@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_pages_and_static_files_are_compressed(client, path, encoding):
    response = client.get(path, headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding


def test_form_fields_carry_no_empty_aria_attributes(client):
    html = client.get("/auth/register").get_data(as_text=True)
    assert '="None"' not in html
    response = client.post("/auth/register", data={"email": "x"})
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_control_characters_are_dropped_from_input(client, section):
    from sqlalchemy import select

    from coopol.profile.models import Member

    client.post("/auth/register", data={
        "email": "lea@exemple.fr", "password": "un-bon-mot-de-passe", "place": "38000",
        "display_name": "Lé\x00a\x07 M.", "commune": "38185"})
    assert db.session.scalar(select(Member.display_name)) == "Léa M."


def test_oversized_request_is_refused_cleanly(client):
    response = client.post("/auth/login", data={"email": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


def test_demo_has_sections_members_groups_events_and_a_consultation(app):
    from coopol.cli import ensure_themes
    from coopol.consultations.models import Consultation
    from coopol.events.models import KINDS, Event
    from coopol.groups.models import Group

    ensure_themes()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    assert "lea@demo.coopol.fr" in result.output
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Member, Group, Event, Consultation)]
    assert counts == [5, 2, 2, 1]
    # Each demo event is of a kind the events list can name and filter on.
    assert set(db.session.scalars(select(Event.kind))) <= set(KINDS)
    again = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert "déjà chargée" in again.output


def test_absurdly_long_numbers_are_refused_not_crashed(admin_client):
    response = admin_client.post("/consultations/new", data={"points_total": "9" * 400})
    assert response.status_code == 422
    assert "Ce nombre est trop grand." in response.get_data(as_text=True)


def test_an_id_past_the_databases_integers_in_an_address_is_a_404(client, member_client):
    """PostgreSQL refuses such a number in a query: the address names nothing."""
    for path in ("/consultations/2147483648", "/events/99999999999999999999",
                 "/profile/2147483648"):
        assert member_client.get(path).status_code == 404
    assert member_client.get("/consultations/2147483647").status_code == 404
