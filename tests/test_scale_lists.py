"""Long lists at national scale: the participation page and a group's members, page by page
in an order an index serves, with the same number of queries whatever their length."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coopol.consultations import ballots
from coopol.database import utcnow
from coopol.extensions import db
from coopol.geo.models import Commune
from coopol.groups.models import GroupMembership
from tests.conftest import CERGY, GRENOBLE, login, make_member, make_section
from tests.consultations_factories import make_consultation, vote
from tests.groups_factories import HX, make_group, new_member
from tests.querycount import count_queries


def _communes(n):
    return list(db.session.scalars(select(Commune.insee).where(
        Commune.federation_code == "38", Commune.section_id.is_(None),
        Commune.has_arrondissements.is_(False)).order_by(Commune.insee).limit(n)))


def _rows(html):
    return re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td><td>(\d+)</td>', html)


def test_participation_pages_sections_by_name_and_ends_with_members_without_one(
        client, monkeypatch):
    monkeypatch.setattr(ballots, "SECTIONS_PER_PAGE", 2)
    consultation = make_consultation("vote", eligibility="adherents")
    first, second, third, quiet = _communes(4)
    for name, insee in (("Charlieu", first), ("Abrets", second), ("Bourg", third),
                        ("Déserte", quiet)):
        make_section(name, "38", [insee])
    voter = make_member(commune=first, status="adherent", name="Zoé Votante")
    make_member(commune=second, status="adherent")
    make_member(commune=third, status="adherent")
    make_member(commune=third, status="adherent")
    make_member(commune=quiet)  # a sympathisant: not eligible, Déserte counts nobody
    make_member(commune=CERGY, status="adherent")  # no section covers Cergy here
    vote(consultation, voter, ["Santé"])
    login(client, voter)
    url = f"/consultations/{consultation.id}/participation"
    page = client.get(url).get_data(as_text=True)
    assert _rows(page) == [("Abrets", "1", "0"), ("Bourg", "2", "0")]
    assert "5 participant" not in page and "1 participant·es sur 5 membres" in page
    last = client.get(f"{url}?sections=2").get_data(as_text=True)
    assert _rows(last) == [("Charlieu", "1", "1"), ("Déserte", "0", "0"),
                           ("Sans section", "1", "0")]
    assert "Page 2 sur 2" in last
    assert _rows(client.get(f"{url}?sections=9").get_data(as_text=True)) == []


def test_participation_of_a_federation_lists_its_sections_only(client):
    consultation = make_consultation("vote", federation="95")
    make_section("Grenoble", "38", [GRENOBLE])
    make_section("Cergy", "95", [CERGY])
    voter = make_member(commune=CERGY)
    make_member(commune=GRENOBLE)
    vote(consultation, voter, ["Santé"])
    login(client, voter)
    page = client.get(f"/consultations/{consultation.id}/participation").get_data(as_text=True)
    assert _rows(page) == [("Cergy", "1", "1")]
    assert "1 participant·es sur 1 membres" in page


@pytest.mark.parametrize("walk_from", [1, 10_000])
def test_participants_come_in_name_order_however_they_are_found(client, monkeypatch,
                                                                walk_from, section):
    monkeypatch.setattr(ballots, "WALK_NAMES_FROM", walk_from)
    consultation = make_consultation("vote")
    names = ["Marc Zidane", "Ali Berger", "Ali Berger", "Chloé Martin"]
    for name in names:
        vote(consultation, make_member(name=name), ["Santé"])
    make_member(name="Aaron Abstention")
    login(client, make_member(name="Lecteur"))
    html = client.get(f"/consultations/{consultation.id}/participation?page=1",
                      headers=HX).get_data(as_text=True)
    shown = re.findall(r"<li>([^<]+?) <span class=\"muted\">Grenoble</span></li>", html)
    assert shown == sorted(names)
    assert "Aaron" not in html and "<html" not in html


@pytest.mark.parametrize("headers", [{}, HX])
def test_participation_page_queries_do_not_grow_with_sections_or_participants(client,
                                                                             headers):
    communes = _communes(12)
    small, large = make_consultation("vote", title="Petite"), \
        make_consultation("vote", title="Grande")
    for n, insee in enumerate(communes):
        make_section(f"Section {insee}", "38", [insee])
        for _ in range(3):
            vote(large, make_member(commune=insee), ["Santé"])
        if n < 2:
            vote(small, make_member(commune=insee), ["École"])
    login(client, make_member(commune=communes[0]))
    client.get("/")  # the first request of the hour records when the member was last seen
    counts = []
    for consultation in (small, large):
        with count_queries() as queries:
            assert client.get(f"/consultations/{consultation.id}/participation",
                              headers=headers).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1] <= (9 if headers else 14), counts


def test_group_members_list_animateurs_first_then_by_arrival(client):
    animateur = new_member(name="Zora Anim", visibility="members")
    group = make_group("Vélo", creator=animateur)
    now = utcnow()
    for days, name in ((3, "Yves Ancien"), (1, "Anna Récente"), (2, "Marc Milieu")):
        member = new_member(name=name, visibility="members")
        db.session.add(GroupMembership(group_id=group.id, member_id=member.id,
                                       joined_at=now - timedelta(days=days)))
        group.member_count += 1
    db.session.commit()
    login(client, new_member())
    html = client.get(f"/groups/{group.slug}/members").get_data(as_text=True)
    order = [html.index(name) for name in ("Zora Anim", "Yves Ancien", "Marc Milieu",
                                           "Anna Récente")]
    assert order == sorted(order) and "par date d'arrivée" in html.replace("&#39;", "'")
    found = client.get(f"/groups/{group.slug}/members?q=ann", headers=HX).get_data(as_text=True)
    assert "Anna Récente" in found and "Yves" not in found and "1 résultat" in found
