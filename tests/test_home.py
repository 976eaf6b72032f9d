"""Home: what Coopol is for a visitor; my section, its secretary and my profile's progress."""

from tests.conftest import CERGY, GRENOBLE, login, make_member, make_section, make_theme


def test_visitor_sees_what_coopol_is_and_how_to_join(client):
    html = client.get("/").get_data(as_text=True)
    assert "la coopérative politique" in html
    assert 'href="/auth/register"' in html and 'href="/auth/login"' in html


def test_member_sees_section_secretary_and_progress(client):
    section = make_section("Grenoble", "38", [GRENOBLE])
    make_member(name="Nadia Benali", roles=[("secretary", section)])
    login(client, make_member(name="Léa"))
    html = client.get("/").get_data(as_text=True)
    assert "Bonjour Léa" in html
    assert "Grenoble" in html and "Nadia Benali" in html
    assert "rempli à 40 %" in html
    assert "choisir mes thèmes" in html and "confirmer mon adresse" not in html


def test_member_without_section_is_told_so(client):
    login(client, make_member(commune=CERGY))
    html = client.get("/").get_data(as_text=True)
    assert "Cergy n&#39;a pas encore de section" in html or "Cergy n'a pas encore" in html


def test_complete_profile_shows_no_progress_box(client, section):
    member = make_member(interests=[make_theme()])
    member.skills, member.bio = "graphisme", "Militante"
    from coopol.extensions import db

    db.session.commit()
    login(client, member)
    html = client.get("/").get_data(as_text=True)
    assert "rempli à" not in html


def test_tools_page_lists_what_roles_open(client, section):
    login(client, make_member(roles=[("secretary", section)]))
    html = client.get("/tools").get_data(as_text=True)
    assert "Adhésions à confirmer" in html and "/admin/roles" not in html
