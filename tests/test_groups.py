"""Groups: the directory, creating a group, its page, its settings and archiving."""

import pytest
from sqlalchemy import select

from coopol.extensions import db
from coopol.groups.models import Group, GroupMembership
from tests.conftest import CERGY, login, make_section, make_theme, reload
from tests.groups_factories import HX, add_member, count, make_group, membership, new_member, text


def new_group_data(**overrides):
    data = {"name": "Droit de vote des étrangers", "description": "Aux élections **locales**.",
            "scope": "national", "is_open": "open"}
    data.update(overrides)
    return data


# --- directory -------------------------------------------------------------------------------


def test_directory_finds_groups_by_part_of_their_name(member_client):
    make_group("Droit de vote des étrangers")
    make_group("Jardins partagés")
    html = member_client.get("/groups/?q=ETRANG").get_data(as_text=True)
    assert "Droit de vote des étrangers" in html
    assert "Jardins partagés" not in html
    assert "<html" in html


def test_directory_active_search_answers_a_fragment(member_client):
    make_group("Droit de vote des étrangers")
    make_group("Jardins partagés")
    response = member_client.get("/groups/?q=jardin", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="results"' in html
    assert "Jardins partagés" in html and "étrangers" not in html


def test_directory_search_treats_like_wildcards_as_text(member_client):
    make_group("Cent pour cent solidaires")
    html = member_client.get("/groups/?q=%25").get_data(as_text=True)
    assert "Cent pour cent" not in html


def test_directory_filters_by_theme(member_client):
    logement = make_theme("Logement")
    make_group("Mal-logement", themes=[logement])
    make_group("Vélo en ville")
    html = member_client.get(f"/groups/?theme={logement.id}").get_data(as_text=True)
    assert "Mal-logement" in html and "Vélo en ville" not in html


@pytest.mark.parametrize(("scope", "shown", "hidden"), [
    ("national", ["Groupe national"], ["Groupe de Grenoble", "Groupe de Cergy"]),
    ("section", ["Groupe de Grenoble"], ["Groupe national", "Groupe de Cergy"]),
    ("federation", ["Groupe de Grenoble"], ["Groupe national", "Groupe de Cergy"]),
    ("", ["Groupe national", "Groupe de Grenoble", "Groupe de Cergy"], []),
])
def test_directory_filters_by_place(member_client, section, scope, shown, hidden):
    cergy = make_section("Cergy", "95", [CERGY])
    make_group("Groupe national")
    make_group("Groupe de Grenoble", section=section)
    make_group("Groupe de Cergy", section=cergy)
    html = member_client.get(f"/groups/?scope={scope}").get_data(as_text=True)
    assert all(name in html for name in shown)
    assert not any(name in html for name in hidden)


@pytest.mark.parametrize(("sort", "order"), [
    ("members", ["Beaucoup", "Moyen", "Aucun"]),
    ("name", ["Aucun", "Beaucoup", "Moyen"]),
    ("activity", ["Moyen", "Beaucoup", "Aucun"]),
])
def test_directory_sorts(member_client, sort, order):
    from datetime import timedelta

    from coopol.database import utcnow
    groups = {name: make_group(name) for name in ("Aucun", "Beaucoup", "Moyen")}
    counts, ages = {"Aucun": 0, "Beaucoup": 50, "Moyen": 7}, {"Aucun": 9, "Beaucoup": 5,
                                                               "Moyen": 1}
    for name, group in groups.items():
        group.member_count = counts[name]
        group.last_activity_at = utcnow() - timedelta(days=ages[name])
    db.session.commit()
    html = member_client.get(f"/groups/?sort={sort}").get_data(as_text=True)
    positions = [html.index(f"<strong>{name}</strong>") for name in order]
    assert positions == sorted(positions)


def test_directory_is_paginated_and_hides_archived_groups(member_client, app):
    for n in range(app.config["PAGE_SIZE"] + 1):
        make_group(f"Groupe {n:02d}")
    archived = make_group("Archivé")
    archived.archived_at = archived.created_at
    db.session.commit()
    first = member_client.get("/groups/?sort=name").get_data(as_text=True)
    second = member_client.get("/groups/?sort=name&page=2").get_data(as_text=True)
    assert "Page 1 sur 2" in first and "Groupe 20" not in first
    assert "Groupe 20" in second
    assert "Archivé" not in first + second


def test_directory_suggests_groups_from_interests_and_section(client, section):
    logement = make_theme("Logement")
    me = new_member(interests=[logement])
    make_group("Mal-logement", themes=[logement])
    make_group("Quartier Berriat", section=section)
    make_group("Sans rapport")
    joined = make_group("Déjà dedans", themes=[logement])
    add_member(joined, me)
    login(client, me)
    html = client.get("/groups/").get_data(as_text=True)
    suggested = html.split('id="suggested-title"')[1].split("</section>")[0]
    assert "Mal-logement" in suggested and "Quartier Berriat" in suggested
    assert "Sans rapport" not in suggested and "Déjà dedans" not in suggested


@pytest.mark.parametrize("path", ["/groups/", "/groups/new", "/groups/mine", "/groups/x"])
def test_pages_ask_anonymous_visitors_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.location


# --- create ----------------------------------------------------------------------------------


def test_confirmed_member_creates_a_group_and_animates_it(member_client, member):
    theme = make_theme("Droits des étrangers")
    response = member_client.post("/groups/new", data=new_group_data(themes=[theme.id]))
    assert response.status_code == 303
    group = db.session.scalar(select(Group))
    assert response.location.endswith(f"/groups/{group.slug}")
    assert group.slug == "droit-de-vote-des-etrangers"
    assert group.member_count == 1 and group.section_id is None
    assert [t.name for t in group.themes] == ["Droits des étrangers"]
    assert membership(group, member).role == "animateur"
    page = member_client.get(response.location).get_data(as_text=True)
    assert "<strong>locales</strong>" in page


def test_local_group_belongs_to_the_creators_section(member_client, section):
    member_client.post("/groups/new", data=new_group_data(scope="section", is_open="closed"))
    group = db.session.scalar(select(Group))
    assert (group.section_id, group.federation_code, group.is_open) == (section.id, "38", False)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"name": ""}, "Donne un nom au groupe."),
    ({"name": "ab"}, "Entre 3 et 120 caractères."),
    ({"name": "x" * 121}, "Entre 3 et 120 caractères."),
    ({"description": ""}, "Présente le groupe en quelques mots."),
    ({"description": "x" * 5001}, "5000 caractères au plus."),
    ({"themes": [999999]}, "Un des thèmes choisis n'existe pas."),
    ({"scope": "mars"}, "Le formulaire contient des erreurs"),
])
def test_create_refuses_bad_input(member_client, overrides, message):
    response = member_client.post("/groups/new", data=new_group_data(**overrides))
    assert response.status_code == 422
    assert message in text(response)
    assert count(Group) == 0


def test_create_refuses_a_duplicate_name_whatever_its_accents(member_client):
    make_group("Droit de vote des étrangers")
    response = member_client.post("/groups/new",
                                  data=new_group_data(name="DROIT DE VOTE DES ETRANGERS"))
    assert response.status_code == 422
    assert "Un groupe porte déjà ce nom." in text(response)
    assert count(Group) == 1


def test_create_refuses_local_group_without_section(client):
    login(client, new_member(commune=None))
    response = client.post("/groups/new", data=new_group_data(scope="section"))
    assert response.status_code == 422
    assert "Tu n'as pas de section" in text(response)
    assert count(Group) == 0


def test_unconfirmed_member_cannot_create_a_group(client):
    login(client, new_member(confirmed=False))
    assert "Confirme d'abord" in text(client.get("/groups/new"))
    response = client.post("/groups/new", data=new_group_data())
    assert response.status_code == 403
    assert "Confirme d'abord ton adresse e-mail" in text(response)
    assert count(Group) == 0


def test_group_description_is_sanitised(member_client):
    member_client.post("/groups/new", data=new_group_data(
        description="<script>alert(1)</script> [lien](javascript:alert(1))"))
    group = db.session.scalar(select(Group))
    html = member_client.get(f"/groups/{group.slug}").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html


# --- edit and archive ------------------------------------------------------------------------


def test_animateur_renames_group_and_the_slug_stays(client):
    animateur = new_member()
    group = make_group("Vélo", creator=animateur)
    login(client, animateur)
    response = client.post(f"/groups/{group.slug}/edit", data={
        "name": "Vélo pour tous", "description": "Nouveau", "is_open": "closed"})
    assert response.status_code == 303
    group = reload(Group, group.id)
    assert (group.name, group.slug, group.is_open) == ("Vélo pour tous", "velo", False)
    # A new group with the old name gets another slug.
    client.post("/groups/new", data=new_group_data(name="Vélo"))
    assert db.session.scalar(select(Group.slug).where(Group.name == "Vélo")) == "velo-2"


def test_edit_refuses_a_name_taken_by_another_group(client):
    animateur = new_member()
    make_group("Jardins")
    group = make_group("Vélo", creator=animateur)
    login(client, animateur)
    response = client.post(f"/groups/{group.slug}/edit", data={
        "name": "jardins", "description": "x", "is_open": "open"})
    assert response.status_code == 422
    assert reload(Group, group.id).name == "Vélo"


def outsider():
    return new_member()


def plain_member(group):
    member = new_member()
    add_member(group, member)
    return member


@pytest.mark.parametrize("who", [outsider, plain_member])
@pytest.mark.parametrize(("method", "path"), [
    ("get", "/edit"), ("post", "/edit"), ("post", "/archive"), ("get", "/requests"),
])
def test_only_animateurs_run_the_group(client, who, method, path):
    group = make_group("Vélo")
    login(client, who(group) if who is plain_member else who())
    response = getattr(client, method)(f"/groups/{group.slug}{path}",
                                       data={"name": "Pirate", "description": "x",
                                             "is_open": "open"})
    assert response.status_code == 403
    group = reload(Group, group.id)
    assert (group.name, group.archived_at) == ("Vélo", None)


def test_section_secretary_may_step_in_for_a_local_group(client, section):
    group = make_group("Quartier", section=section)
    login(client, new_member(roles=[("secretary", section)]))
    assert client.get(f"/groups/{group.slug}/edit").status_code == 200
    other = make_group("National")
    assert client.get(f"/groups/{other.slug}/edit").status_code == 403


def test_archived_group_is_read_only(client):
    animateur, member = new_member(), new_member()
    group = make_group("Vélo", creator=animateur)
    add_member(group, member)
    login(client, animateur)
    assert client.post(f"/groups/{group.slug}/archive").status_code == 303
    assert reload(Group, group.id).archived_at is not None
    page = client.get(f"/groups/{group.slug}").get_data(as_text=True)
    assert "Ce groupe est archivé" in page
    for path, data in [("/archive", {}), ("/edit", {}), ("/leave", {}),
                       ("/threads/new", {"title": "t", "body": "b"})]:
        response = client.post(f"/groups/{group.slug}{path}", data=data)
        assert response.status_code == 409, path
        assert "Ce groupe est archivé" in text(response)
    login(client, new_member())
    response = client.post(f"/groups/{group.slug}/join", headers=HX)
    assert response.status_code == 409
    assert response.headers["HX-Retarget"] == "#flashes"
    assert count(GroupMembership) == 2


def test_unknown_group_is_404(member_client):
    assert member_client.get("/groups/nope").status_code == 404
    assert member_client.post("/groups/nope/join").status_code == 404
