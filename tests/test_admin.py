"""National admin: themes, sections and their communes, scoped roles."""

import pytest
from sqlalchemy import func, select

from coopol.extensions import db
from coopol.geo.models import Commune, Section
from coopol.profile.models import AuditLog, Member, Role, Theme
from tests.conftest import CERGY, ECHIROLLES, GRENOBLE, login, make_member, make_section, reload


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_adds_and_deletes_themes(admin_client):
    assert admin_client.post("/admin/themes", data={"name": "Logement"}).status_code == 303
    theme = db.session.scalar(select(Theme))
    assert theme.name == "Logement"
    response = admin_client.post("/admin/themes", data={"name": "logement"})
    assert response.status_code == 422 and "existe déjà" in response.get_data(as_text=True)
    assert admin_client.post(f"/admin/themes/{theme.id}/delete").status_code == 303
    assert count(Theme) == 0


@pytest.mark.parametrize("name", ["", "x" * 81])
def test_theme_name_is_checked(admin_client, name):
    assert admin_client.post("/admin/themes", data={"name": name}).status_code == 422
    assert count(Theme) == 0


def test_admin_creates_section_from_postal_codes(admin_client):
    member = make_member(commune=GRENOBLE)
    assert member.section_id is None
    response = admin_client.post("/admin/sections/new", data={
        "name": "Grenoble", "federation": "38", "communes": "38000, cp:38130"})
    assert response.status_code == 303
    section = db.session.scalar(select(Section))
    communes = db.session.scalars(select(Commune.insee).where(Commune.section_id == section.id))
    assert set(communes) == {GRENOBLE, ECHIROLLES}
    # Members already living there join the new section.
    assert reload(Member, member.id).section_id == section.id


def test_admin_edits_section_communes(admin_client):
    section = make_section("Grenoble", "38", [GRENOBLE, ECHIROLLES])
    page = admin_client.get(f"/admin/sections/{section.id}").get_data(as_text=True)
    assert f"insee:{GRENOBLE}" in page
    admin_client.post(f"/admin/sections/{section.id}", data={
        "name": "Grenoble ville", "federation": "38", "communes": GRENOBLE})
    section = reload(Section, section.id)
    assert section.name == "Grenoble ville"
    assert [c.insee for c in section.communes] == [GRENOBLE]
    assert db.session.get(Commune, ECHIROLLES).section_id is None


@pytest.mark.parametrize(("data", "message"), [
    ({"communes": "99999"}, "Codes inconnus ou ambigus : 99999."),
    ({"communes": "38130"}, "Codes inconnus ou ambigus : 38130."),
    ({"communes": "95000"}, "Hors de cette fédération"),
    ({"communes": ""}, "Indique au moins une commune."),
    ({"name": ""}, "Indique un nom."),
    ({"federation": "ZZ"}, "pas un choix valide"),
    ({"name": "existante"}, "Une section porte déjà ce nom."),
])
def test_section_bad_input_changes_nothing(admin_client, data, message):
    make_section("Existante", "38", [ECHIROLLES])
    form = {"name": "Grenoble", "federation": "38", "communes": "38000"}
    form.update(data)
    response = admin_client.post("/admin/sections/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Section) == 1
    assert db.session.get(Commune, GRENOBLE).section_id is None


def test_admin_grants_and_revokes_roles_with_audit(admin_client, admin):
    section = make_section()
    member = make_member(email="nadia@exemple.fr")
    response = admin_client.post("/admin/roles", data={
        "email": "Nadia@exemple.fr", "role": "secretary", "scope": f"s:{section.id}",
        "next": f"/admin/sections/{section.id}"})
    assert response.status_code == 303 and response.location == f"/admin/sections/{section.id}"
    role = db.session.scalar(select(Role).where(Role.member_id == member.id))
    assert (role.role, role.section_id) == ("secretary", section.id)
    admin_client.post("/admin/roles", data={"email": "nadia@exemple.fr", "role": "organiser",
                                            "scope": "f:38"})
    assert "Fédération Isère (38)" in admin_client.get("/admin/roles").get_data(as_text=True)
    assert admin_client.post(f"/admin/roles/{role.id}/revoke").status_code == 303
    actions = db.session.scalars(
        select(AuditLog.action).where(AuditLog.actor_id == admin.id).order_by(AuditLog.id)).all()
    assert actions == ["role.grant", "role.grant", "role.revoke"]


def test_granting_a_role_twice_keeps_one(admin_client):
    make_member(email="nadia@exemple.fr")
    data = {"email": "nadia@exemple.fr", "role": "organiser", "scope": "national"}
    admin_client.post("/admin/roles", data=data)
    response = admin_client.post("/admin/roles", data=data, follow_redirects=True)
    assert "a déjà ce rôle" in response.get_data(as_text=True)
    assert count(Role) == 2  # the admin's own and this one


@pytest.mark.parametrize(("data", "message"), [
    ({"email": "personne@exemple.fr"}, "Aucun membre n&#39;a cette adresse."),
    ({"scope": "s:999999"}, "Ce périmètre n&#39;existe pas."),
    ({"scope": "f:ZZ"}, "Ce périmètre n&#39;existe pas."),
    ({"role": "king"}, "pas un choix valide"),
])
def test_role_bad_input(admin_client, data, message):
    make_member(email="nadia@exemple.fr")
    form = {"email": "nadia@exemple.fr", "role": "secretary", "scope": "national"}
    form.update(data)
    response = admin_client.post("/admin/roles", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html or message.replace("&#39;", "'") in html
    assert count(Role) == 1


def test_admin_cannot_revoke_own_admin_role(admin_client, admin):
    role = db.session.scalar(select(Role).where(Role.member_id == admin.id))
    admin_client.post(f"/admin/roles/{role.id}/revoke")
    assert reload(Role, role.id) is not None


def test_secretary_is_not_admin(client):
    section = make_section()
    login(client, make_member(roles=[("secretary", section)]))
    for path in ("/admin/", "/admin/themes", "/admin/sections", "/admin/roles",
                 f"/admin/sections/{section.id}"):
        assert client.get(path).status_code == 403
    assert client.post("/admin/themes", data={"name": "X"}).status_code == 403
    assert count(Theme) == 0


def test_section_page_shows_communes_and_secretaries(client):
    section = make_section("Cergy-Pontoise", "95", [CERGY])
    make_member(commune=CERGY, name="Thomas", roles=[("secretary", section)])
    login(client, make_member(commune=GRENOBLE))
    html = client.get(f"/sections/{section.id}").get_data(as_text=True)
    assert "Cergy" in html and "Thomas" in html
    assert "Cergy-Pontoise" in client.get("/sections").get_data(as_text=True)
