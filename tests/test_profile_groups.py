"""The member's own profile shows "Mes groupes", given by the groups blueprint."""

import pytest

from tests.conftest import login, make_member
from tests.groups_factories import HX, add_member, make_group, text


def test_my_profile_lists_my_groups_and_requests(client, section):
    member = make_member()
    add_member(make_group("Quartier Berriat", section=section), member)
    add_member(make_group("Vélo Grenoble", is_open=False), member, status="pending")
    make_group("Pas le mien")
    login(client, member)
    html = text(client.get("/profile/"))
    assert "Mes groupes" in html and "Quartier Berriat" in html and "Vélo Grenoble" in html
    assert "demande envoyée" in html and "Pas le mien" not in html
    assert "/groups/mine" in html


def test_my_profile_without_groups_points_to_the_directory(client, section):
    login(client, make_member())
    html = text(client.get("/profile/"))
    assert "Tu n'es encore dans aucun groupe." in html and 'href="/groups/"' in html


def test_another_members_profile_does_not_show_their_groups(client, section):
    other = make_member(visibility="members")
    add_member(make_group("Quartier Berriat", section=section), other)
    login(client, make_member())
    html = text(client.get(f"/profile/{other.id}"))
    assert "Mes groupes" not in html and "Quartier Berriat" not in html


@pytest.mark.parametrize("decision", ["give", "withdraw"])
def test_htmx_consent_answer_stays_a_fragment_without_the_groups_box(client, section, decision):
    member = make_member()
    add_member(make_group("Quartier Berriat", section=section), member)
    login(client, member)
    response = client.post("/profile/consent", headers=HX, data={"decision": decision})
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="consent"' in html and "Mes groupes" not in html
