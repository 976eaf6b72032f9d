"""Statements per organisers' page: within budget, and the same with 2 or 40 rows per list."""

import pytest

from coopol.extensions import db
from tests.conftest import ECHIROLLES, GRENOBLE, login, make_member, make_section, make_theme
from tests.events_factories import make_organiser
from tests.groups_factories import make_group
from tests.organize_factories import make_consenting, make_mobilisation
from tests.querycount import count_queries

# path, who, statement budget
PAGES = [
    ("/organize/", "boss", 8),  # scope, themes, sections, fédérations, groups, the COUNT
    ("/organize/?themes={theme}&section={section}", "boss", 12),
    ("/organize/members", "boss", 9),  # + audit insert, page, and its communes/sections/themes
    ("/organize/mobilise", "boss", 4),
    ("/organize/mobilisations", "organiser", 4),
    ("/organize/mobilisations/{mobilisation}", "organiser", 4),
    ("/organize/audit", "boss", 5),
    ("/organize/contacts", "reader", 5),
    ("/profile/", "reader", 8),
]


class World:
    def __init__(self):
        self.section = make_section("Grenoble", "38", [GRENOBLE, ECHIROLLES])
        self.theme = make_theme("Logement")
        self.boss = make_member(roles=[("admin", None), ("secretary", self.section)])
        self.organiser = make_organiser(self.section)
        self.reader = make_consenting(interests=[self.theme])
        self.made = 0
        self.mobilisation = None

    def grow(self, n: int) -> None:
        for _ in range(n):
            self.made += 1
            theme = make_theme(f"Thème {self.made}")
            commune = GRENOBLE if self.made % 2 else ECHIROLLES
            make_consenting(commune=commune, interests=[self.theme, theme],
                            status="adherent")
            make_group(creator=make_member(), section=self.section, name=f"Groupe {self.made}")
            self.mobilisation = make_mobilisation(self.organiser, subject=f"Appel {self.made}")
        db.session.commit()

    def path(self, template: str) -> str:
        return template.format(theme=self.theme.id, section=self.section.id,
                               mobilisation=self.mobilisation.id)


@pytest.mark.parametrize(("template", "who", "budget"), PAGES, ids=[p for p, _w, _b in PAGES])
def test_organize_statements_are_bounded(app, monkeypatch, template, who, budget):
    monkeypatch.setitem(app.config, "ORGANIZE_MOBILISATIONS_PER_DAY", 0)
    world = World()
    world.grow(2)
    client = app.test_client()
    login(client, getattr(world, who))
    client.get("/")
    path = world.path(template)
    counts = []
    for grow in (0, 38):
        world.grow(grow)
        path = world.path(template) if "mobilisation" in template else path
        with count_queries() as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(queries)
    few, many = counts
    assert many.count == few.count, f"{path} grows with the data:\n{few}\n---\n{many}"
    assert few.count <= budget, f"{path} is over its budget of {budget}:\n{few}"
