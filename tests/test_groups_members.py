"""Membership: join, request, cancel, leave; animateurs' decisions; the member list; my groups."""

import pytest

from coopol import mail
from coopol.groups.models import Group, GroupMembership
from tests.conftest import login, make_section, reload
from tests.groups_factories import (
    HX,
    add_member,
    count,
    make_group,
    membership,
    new_member,
    text,
)


@pytest.mark.parametrize("headers", [{}, HX])
def test_member_joins_an_open_group_in_one_tap(member_client, member, headers):
    group = make_group("Vélo")
    response = member_client.post(f"/groups/{group.slug}/join", headers=headers)
    if headers:
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html and 'id="membership"' in html
        assert "2 membres" in html and "Quitter le groupe" in html
        assert "Bienvenue dans le groupe" in html  # the flash, out of band
        # Joined in place, the member can start a thread without reloading the page.
        assert f'href="/groups/{group.slug}/threads/new"' in html
    else:
        assert response.status_code == 303
        assert response.location.endswith(f"/groups/{group.slug}")
    assert membership(group, member).status == "active"
    assert reload(Group, group.id).member_count == 2


@pytest.mark.parametrize("headers", [{}, HX])
def test_closed_group_takes_a_request_that_can_be_cancelled(member_client, member, headers):
    group = make_group("Vélo", is_open=False)
    response = member_client.post(f"/groups/{group.slug}/join", headers=headers)
    assert response.status_code == (200 if headers else 303)
    assert membership(group, member).status == "pending"
    assert reload(Group, group.id).member_count == 1
    if headers:
        assert "Annuler ma demande" in text(response)
        assert "/threads/new" not in text(response)
    response = member_client.post(f"/groups/{group.slug}/leave", headers=headers)
    assert response.status_code == (200 if headers else 303)
    if headers:
        assert "Demande annulée" in text(response) and "Demander à rejoindre" in text(response)
    assert membership(group, member) is None


def test_member_leaves_and_the_count_follows(member_client, member):
    group = make_group("Vélo")
    add_member(group, member)
    assert member_client.post(f"/groups/{group.slug}/leave").status_code == 303
    assert membership(group, member) is None
    assert reload(Group, group.id).member_count == 1


@pytest.mark.parametrize(("status", "path", "code", "message"), [
    ("active", "join", 409, "Tu fais déjà partie de ce groupe."),
    ("pending", "join", 409, "Ta demande attend déjà"),
    ("banned", "join", 403, "t'en a exclu·e"),
    (None, "leave", 409, "Tu ne fais pas partie de ce groupe."),
    ("banned", "leave", 409, "Tu ne fais pas partie de ce groupe."),
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_wrong_membership_moves_are_refused(member_client, member, status, path, code,
                                            message, headers):
    group = make_group("Vélo", is_open=status != "pending")
    if status:
        add_member(group, member, status=status)
    before = reload(Group, group.id).member_count
    response = member_client.post(f"/groups/{group.slug}/{path}", headers=headers)
    assert response.status_code == code
    assert message in text(response)
    if headers:
        assert response.headers["HX-Retarget"] == "#flashes"
    assert reload(Group, group.id).member_count == before
    assert (membership(group, member).status if status else None) == status


def test_anonymous_join_is_sent_to_login(client):
    group = make_group("Vélo")
    response = client.post(f"/groups/{group.slug}/join")
    assert response.status_code == 302 and "/auth/login" in response.location
    response = client.post(f"/groups/{group.slug}/join", headers=HX)
    assert response.status_code == 401 and "/auth/login" in response.headers["HX-Redirect"]
    assert count(GroupMembership) == 1


# --- animateurs' decisions ---------------------------------------------------------------


@pytest.fixture
def closed_group():
    animateur = new_member()
    group = make_group("Vélo", creator=animateur, is_open=False)
    return group, animateur


def test_animateur_approves_a_request(client, closed_group):
    group, animateur = closed_group
    asker = new_member(name="Nadia")
    add_member(group, asker, status="pending")
    login(client, animateur)
    page = text(client.get(f"/groups/{group.slug}"))
    assert "1 demande à traiter" in page
    assert "Nadia" in text(client.get(f"/groups/{group.slug}/requests"))
    response = client.post(f"/groups/{group.slug}/members/{asker.id}/approve")
    assert response.status_code == 303 and response.location.endswith("/requests")
    assert membership(group, asker).status == "active"
    assert reload(Group, group.id).member_count == 2


@pytest.mark.parametrize(("start", "action", "after", "count_delta"), [
    ("pending", "refuse", None, 0),
    ("active", "promote", ("active", "animateur"), 0),
    ("active", "remove", None, -1),
    ("active", "ban", ("banned", "member"), -1),
    ("pending", "ban", ("banned", "member"), 0),
])
def test_animateur_decides_about_a_member(client, closed_group, start, action, after,
                                          count_delta):
    group, animateur = closed_group
    target = new_member()
    add_member(group, target, status=start)
    before = reload(Group, group.id).member_count
    login(client, animateur)
    assert client.post(f"/groups/{group.slug}/members/{target.id}/{action}").status_code == 303
    row = membership(group, target)
    assert ((row.status, row.role) if row else None) == after
    assert reload(Group, group.id).member_count == before + count_delta


@pytest.mark.parametrize(("start", "action"), [
    ("active", "approve"), ("active", "refuse"), ("pending", "promote"), ("pending", "remove"),
    ("banned", "ban"), ("banned", "approve"), ("active", "demote"),
])
def test_decisions_that_do_not_apply_are_refused(client, closed_group, start, action):
    group, animateur = closed_group
    target = new_member()
    add_member(group, target, status=start)
    login(client, animateur)
    response = client.post(f"/groups/{group.slug}/members/{target.id}/{action}")
    assert response.status_code == 409
    assert "ne s'applique pas" in text(response) or "n'anime pas le groupe" in text(response)
    assert (membership(group, target).status, membership(group, target).role) == (start,
                                                                                  "member")


@pytest.mark.parametrize("action", ["approve", "refuse", "promote", "demote", "remove", "ban"])
def test_non_animateurs_cannot_decide(client, closed_group, action):
    group, _animateur = closed_group
    target, plain = new_member(), new_member()
    add_member(group, target, status="pending")
    add_member(group, plain)
    login(client, plain)
    assert client.post(f"/groups/{group.slug}/members/{target.id}/{action}").status_code == 403
    assert membership(group, target).status == "pending"


def test_animateur_lifts_a_ban(client, closed_group):
    group, animateur = closed_group
    banned = new_member(name="Banni")
    add_member(group, banned, status="banned")
    login(client, animateur)
    assert "Banni" in text(client.get(f"/groups/{group.slug}/requests?banned=1"))
    response = client.post(f"/groups/{group.slug}/members/{banned.id}/remove")
    assert response.status_code == 303 and response.location.endswith("/requests?banned=1")
    assert membership(group, banned) is None
    assert reload(Group, group.id).member_count == 1


def test_animateur_demotes_another_and_the_last_one_stepping_down_tells_admins(client,
                                                                               sent_mail):
    new_member(email="admin@exemple.fr", roles=[("admin", None)])
    animateur, other = new_member(), new_member()
    group = make_group("Vélo", creator=animateur)
    add_member(group, other, role="animateur")
    login(client, animateur)
    assert client.post(f"/groups/{group.slug}/members/{other.id}/demote").status_code == 303
    assert membership(group, other).role == "member"
    assert mail.work_once() == 0
    assert client.post(f"/groups/{group.slug}/members/{animateur.id}/demote").status_code == 303
    assert membership(group, animateur).role == "member"
    assert mail.work_once() == 1 and sent_mail[0]["To"] == "admin@exemple.fr"


def test_animateur_cannot_act_on_another_groups_member(client, closed_group):
    group, animateur = closed_group
    other = make_group("Jardins", is_open=False)
    target = new_member()
    add_member(other, target, status="pending")
    login(client, animateur)
    assert client.post(f"/groups/{group.slug}/members/{target.id}/approve").status_code == 404
    assert client.post(f"/groups/{other.slug}/members/{target.id}/approve").status_code == 403
    assert client.post(f"/groups/{group.slug}/members/{target.id}/explode").status_code == 404
    assert membership(other, target).status == "pending"


@pytest.mark.parametrize(("secretary", "recipient"), [(True, "secretaire@exemple.fr"),
                                                       (False, "admin@exemple.fr")])
def test_last_animateur_leaving_tells_the_section_or_the_admins(client, sent_mail, secretary,
                                                                recipient):
    section = make_section("Grenoble")
    new_member(email="admin@exemple.fr", roles=[("admin", None)])
    if secretary:
        new_member(email="secretaire@exemple.fr", roles=[("secretary", section)])
    animateur = new_member()
    group = make_group("Quartier", creator=animateur, section=section)
    add_member(group, new_member())
    login(client, animateur)
    assert client.post(f"/groups/{group.slug}/leave").status_code == 303
    assert mail.work_once() == 1
    assert sent_mail[0]["To"] == recipient
    assert "Quartier" in sent_mail[0]["Subject"]
    assert f"/groups/{group.slug}" in sent_mail[0].get_content()


def test_animateur_leaving_others_behind_sends_no_mail(client, sent_mail):
    animateur, other = new_member(), new_member()
    group = make_group("Vélo", creator=animateur)
    add_member(group, other, role="animateur")
    login(client, animateur)
    client.post(f"/groups/{group.slug}/leave")
    assert mail.work_once() == 0


# --- member list -----------------------------------------------------------------------------


def test_member_list_respects_profile_visibility(client, section):
    group = make_group("Vélo", creator=new_member(name="Anim Ateur", visibility="members"))
    add_member(group, new_member(name="Visible Partout", visibility="members"))
    add_member(group, new_member(name="Discrète Secrète", visibility="organisers"))
    viewer = new_member()
    add_member(group, viewer)
    login(client, viewer)
    html = text(client.get(f"/groups/{group.slug}/members"))
    assert "Visible Partout" in html and "Anim Ateur" in html
    assert "Discrète" not in html and "profil privé" in html
    assert "4 membres" in html
    # Searching cannot reveal a hidden member either.
    html = text(client.get(f"/groups/{group.slug}/members?q=secr", headers=HX))
    assert "<html" not in html and "Discrète" not in html and "0 résultat" in html


def test_animateurs_see_every_member_to_run_the_group(client):
    animateur = new_member()
    group = make_group("Vélo", creator=animateur)
    add_member(group, new_member(name="Discrète Secrète", visibility="organisers"))
    login(client, animateur)
    html = text(client.get(f"/groups/{group.slug}/members?q=discr"))
    assert "Discrète Secrète" in html and "Exclure" in html


def test_member_list_is_paginated(client, app):
    group = make_group("Vélo")
    for _ in range(app.config["PAGE_SIZE"]):
        add_member(group, new_member(visibility="members"))
    login(client, new_member())
    html = text(client.get(f"/groups/{group.slug}/members?page=2"))
    assert "Page 2 sur 2" in html


# --- notifications and my groups -------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, HX])
def test_member_chooses_notifications(member_client, member, headers):
    group = make_group("Vélo")
    add_member(group, member)
    response = member_client.post(f"/groups/{group.slug}/notifications",
                                  data={"notify": "threads"}, headers=headers)
    assert response.status_code == (200 if headers else 303)
    assert membership(group, member).notify == "threads"
    response = member_client.post(f"/groups/{group.slug}/notifications",
                                  data={"notify": "souvent"}, headers=headers)
    assert response.status_code == 422
    assert membership(group, member).notify == "threads"


def test_outsider_cannot_set_notifications(member_client):
    group = make_group("Vélo")
    response = member_client.post(f"/groups/{group.slug}/notifications",
                                  data={"notify": "none"})
    assert response.status_code == 403


def test_my_groups_on_home_page_and_own_page(member_client, member):
    mine, asked = make_group("Vélo"), make_group("Jardins", is_open=False)
    make_group("Pas le mien")
    add_member(mine, member)
    add_member(asked, member, status="pending")
    for path in ("/", "/groups/mine"):
        html = text(member_client.get(path))
        assert "Vélo" in html and "Jardins" in html and "demande envoyée" in html
        assert "Pas le mien" not in html
