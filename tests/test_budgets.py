"""Statements per page: within each page's budget, and the same with 1 or 50 rows in every list.

Each list a page shows (pending adhérents, blocked accounts, sections, roles, themes, a member's
interests, a section's communes) gets 1 row, every page is measured, then 49 more rows, and
again: a page whose count grows has an N+1. A new page is one entry in PAGES: (path, who, budget).
"""

import pytest
from sqlalchemy import select

from coopol.extensions import db
from coopol.geo.models import Commune
from coopol.profile import blocking
from coopol.profile import service as profile_service
from tests.conftest import GRENOBLE, login, make_member, make_section, make_theme
from tests.querycount import count_queries

FEDERATIONS = ("38", "69", "95")

# path (with {section} and {other} filled in), who (None: logged out), statement budget
PAGES = [
    ("/", None, 0),
    ("/auth/login", None, 0),
    ("/auth/register", None, 0),
    ("/auth/forgot", None, 0),
    ("/geo/communes?place=38000", None, 2),
    # section and groups boxes; the feed (events near me, my RSVPs, my groups' news, open
    # consultations): 1 here, at most 5 when it holds every kind of item
    # (tests/test_notify_feed.py measures the home page with a full feed)
    ("/", "member", 9),
    ("/profile/", "member", 8),  # with the "Mes groupes" and "Qui m'a contacté·e" panels
    ("/profile/edit", "member", 9),
    ("/profile/{other}", "member", 6),
    ("/auth/account", "member", 2),
    ("/sections", "member", 5),
    ("/sections/{section}", "member", 7),
    ("/tools", "boss", 3),
    ("/profile/pending", "boss", 5),
    ("/profile/blocked", "boss", 8),
    ("/admin/", "boss", 2),
    ("/admin/sections", "boss", 5),
    ("/admin/sections/{section}", "boss", 6),
    ("/admin/sections/new", "boss", 3),
    ("/admin/themes", "boss", 3),
    ("/admin/roles", "boss", 7),
    ("/dashboards/", "boss", 4),
    ("/dashboards/sections/{section}", "boss", 7),  # member, roles, section, 4 aggregates
    ("/dashboards/federations/38", "boss", 11),  # and 4 for the sections side by side
    ("/dashboards/national", "boss", 11),
]


class World:
    """A section with its members; `grow(n)` adds n rows to every list the pages show."""

    def __init__(self):
        self.section = make_section("Grenoble", "38", [GRENOBLE])
        # Rows spread over several fédérations and communes, so that a lazy load per row
        # cannot hide behind the session's identity map.
        self.free_communes = {code: list(db.session.scalars(
            select(Commune).where(Commune.federation_code == code, Commune.section_id.is_(None),
                                  Commune.insee != GRENOBLE, Commune.has_arrondissements.is_(False))
            .order_by(Commune.insee).limit(60))) for code in FEDERATIONS}
        self.member = make_member(email="lea@exemple.fr", visibility="members")
        self.other = make_member(email="nadia@exemple.fr", visibility="members")
        self.boss = make_member(email="chef@exemple.fr",
                                roles=[("admin", None), ("secretary", self.section)])
        self.made = 0

    def grow(self, n: int) -> None:
        for _ in range(n):
            self.made += 1
            k = self.made
            theme = make_theme(f"Thème {k}")
            self.member.interests.append(theme)
            self.other.interests.append(theme)
            extra = self.free_communes["38"][k]
            self.section.communes.append(extra)
            db.session.commit()
            make_member(commune=extra.insee, status="adherent", adherent_confirmed=False)
            blocked = make_member(commune=extra.insee, roles=[("organiser", self.section)])
            blocking.block(self.boss, blocked, f"Raison {k}")
            federation = FEDERATIONS[k % len(FEDERATIONS)]
            commune = self.free_communes[federation][k + 1 if federation == "38" else k]
            other_section = make_section(f"Section {k}", federation, [commune.insee])
            organiser = make_member(commune=None)
            profile_service.grant_role(None, organiser, "organiser", section_id=other_section.id)
        db.session.commit()

    def path(self, template: str) -> str:
        return template.format(section=self.section.id, other=self.other.id)


def measure(client, path: str):
    with count_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return queries


@pytest.mark.parametrize(("template", "who", "budget"), PAGES,
                         ids=[f"{who or 'visitor'}:{path}" for path, who, _ in PAGES])
def test_page_statements_are_bounded_and_do_not_grow(app, template, who, budget):
    world = World()
    world.grow(1)
    client = app.test_client()
    if who:
        login(client, getattr(world, who))
        client.get("/")  # the first request of a session records when the member was seen
    path = world.path(template)
    few = measure(client, path)
    world.grow(49)
    many = measure(client, path)
    assert many.count == few.count, f"{path} grows with the data:\n{few}\n---\n{many}"
    assert few.count <= budget, f"{path} is over its budget of {budget}:\n{few}"
