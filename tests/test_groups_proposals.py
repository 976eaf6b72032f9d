"""Proposals: members draft them, support them one tap each, the count follows."""

import pytest
from sqlalchemy import select

from coopol.extensions import db
from coopol.groups.models import Group, Proposal, ProposalSupport
from tests.conftest import login, make_theme, reload
from tests.groups_factories import (
    HX,
    add_member,
    count,
    make_group,
    make_proposal,
    new_member,
    text,
)


@pytest.fixture
def setting():
    theme = make_theme("Éducation")
    animateur, member = new_member(), new_member()
    group = make_group("Cantines", creator=animateur, themes=[theme])
    add_member(group, member)
    return group, member, theme


def test_member_drafts_a_proposal(client, setting):
    group, member, theme = setting
    login(client, member)
    page = text(client.get(f"/groups/{group.slug}/proposals/new"))
    assert "Éducation" in page
    response = client.post(f"/groups/{group.slug}/proposals/new", data={
        "title": "Du bio à la cantine", "body": "Dans **toutes** les écoles.",
        "theme": str(theme.id)})
    assert response.status_code == 303
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.title, proposal.theme_id, proposal.status) == (
        "Du bio à la cantine", theme.id, "draft")
    html = text(client.get(response.location))
    assert "<strong>toutes</strong>" in html and "brouillon" in html
    assert "Du bio à la cantine" in text(client.get(f"/groups/{group.slug}/proposals"))


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "body": "x"}, "Donne un titre."),
    ({"title": "t", "body": ""}, "Écris ton message."),
    ({"title": "t", "body": "x", "theme": "999999"}, "Choisis un des thèmes du groupe."),
])
def test_proposal_bad_input_is_refused(client, setting, data, message):
    group, member, _theme = setting
    login(client, member)
    response = client.post(f"/groups/{group.slug}/proposals/new", data=data)
    assert response.status_code == 422
    assert message in text(response)
    assert count(Proposal) == 0


def test_outsider_cannot_draft(client, setting):
    group, _member, _theme = setting
    login(client, new_member())
    response = client.post(f"/groups/{group.slug}/proposals/new", data={"title": "t",
                                                                      "body": "x"})
    assert response.status_code == 403
    assert count(Proposal) == 0


@pytest.mark.parametrize("headers", [{}, HX])
def test_member_supports_then_withdraws(client, setting, headers):
    group, member, _theme = setting
    proposal = make_proposal(group, member)
    login(client, member)
    url = f"/groups/{group.slug}/proposals/{proposal.id}/support"
    response = client.post(url, headers=headers)
    if headers:
        html = text(response)
        assert response.status_code == 200 and "<html" not in html and 'id="support"' in html
        assert "1 soutien" in html and "Retirer mon soutien" in html
    else:
        assert response.status_code == 303
    assert reload(Proposal, proposal.id).support_count == 1
    client.post(url, headers=headers)
    assert reload(Proposal, proposal.id).support_count == 0
    assert count(ProposalSupport) == 0


def test_supports_add_up_one_per_member(client, setting):
    group, member, _theme = setting
    proposal = make_proposal(group, member)
    for _ in range(3):
        supporter = new_member()
        add_member(group, supporter)
        login(client, supporter)
        client.post(f"/groups/{group.slug}/proposals/{proposal.id}/support")
    assert reload(Proposal, proposal.id).support_count == 3
    assert "3 soutiens" in text(client.get(f"/groups/{group.slug}/proposals/{proposal.id}"))


@pytest.mark.parametrize("who", ["outsider", "pending", "unconfirmed"])
def test_only_confirmed_members_support(client, setting, who):
    group, member, _theme = setting
    proposal = make_proposal(group, member)
    person = new_member(confirmed=who != "unconfirmed")
    if who != "outsider":
        add_member(group, person, status="pending" if who == "pending" else "active")
    login(client, person)
    response = client.post(f"/groups/{group.slug}/proposals/{proposal.id}/support")
    assert response.status_code == 403
    assert reload(Proposal, proposal.id).support_count == 0


def test_archived_group_refuses_support(client, setting):
    group, member, _theme = setting
    proposal = make_proposal(group, member)
    reload(Group, group.id).archived_at = proposal.created_at
    db.session.commit()
    login(client, member)
    response = client.post(f"/groups/{group.slug}/proposals/{proposal.id}/support", headers=HX)
    assert response.status_code == 409 and "archivé" in text(response)
    assert reload(Proposal, proposal.id).support_count == 0


def test_proposal_of_another_group_is_404(client, setting):
    group, member, _theme = setting
    other = make_group("Ailleurs")
    foreign = make_proposal(other, member)
    login(client, member)
    assert client.get(f"/groups/{group.slug}/proposals/{foreign.id}").status_code == 404
    assert client.post(f"/groups/{group.slug}/proposals/{foreign.id}/support").status_code \
        == 404


def test_author_reworks_a_draft(client, setting):
    group, member, theme = setting
    proposal = make_proposal(group, member)
    login(client, member)
    url = f"/groups/{group.slug}/proposals/{proposal.id}/edit"
    assert "Des cantines bio" in text(client.get(url))
    response = client.post(url, data={"title": "Du bio local", "body": "Partout",
                                      "theme": str(theme.id)})
    assert response.status_code == 303
    proposal = reload(Proposal, proposal.id)
    assert (proposal.title, proposal.body, proposal.theme_id) == ("Du bio local", "Partout",
                                                                  theme.id)
    response = client.post(url, data={"title": "", "body": "Partout"})
    assert response.status_code == 422 and reload(Proposal, proposal.id).title == "Du bio local"


def test_others_cannot_rework_a_proposal(client, setting):
    group, member, _theme = setting
    proposal = make_proposal(group, member)
    other = new_member()
    add_member(group, other)
    login(client, other)
    url = f"/groups/{group.slug}/proposals/{proposal.id}/edit"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"title": "Piraté", "body": "x"}).status_code == 403
    assert reload(Proposal, proposal.id).title == "Des cantines bio"
