"""Dashboard pages: who sees which area, crafted IDs out of scope, charts that a screen reader
and a no-CSS browser can read, sorting and paging with and without htmx, statement budgets."""

import re
from datetime import timedelta

import pytest

from coopol.database import utcnow
from tests.conftest import CERGY, ECHIROLLES, GRENOBLE, login, make_member, make_section
from tests.dashboards_factories import consultation_at, event_at, member_at
from tests.querycount import count_queries

HTMX = {"HX-Request": "true"}


@pytest.fixture
def world():
    now = utcnow()
    grenoble = make_section("Grenoble", "38", [GRENOBLE])
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    cergy = make_section("Cergy", "95", [CERGY])
    voters = [member_at(now - timedelta(days=40 * n), status="adherent") for n in range(3)]
    member_at(now - timedelta(days=3), commune=ECHIROLLES)
    event_at(grenoble, now - timedelta(days=10), answers=[(voters[0], "going", True)])
    consultation_at(now - timedelta(days=20), voters[:2], title="Nos priorités <b>logement</b>")
    return {
        "grenoble": grenoble, "echirolles": echirolles, "cergy": cergy,
        "secretary": make_member(roles=[("secretary", grenoble)]),
        "federation_secretary": make_member(roles=[("secretary", "38")]),
        "cergy_secretary": make_member(commune=CERGY, roles=[("secretary", cergy)]),
        "organiser": make_member(roles=[("organiser", grenoble)]),
        "admin": make_member(roles=[("admin", None)]),
    }


@pytest.mark.parametrize(("who", "path", "status"), [
    ("secretary", "/dashboards/sections/{grenoble}", 200),
    ("secretary", "/dashboards/sections/{echirolles}", 403),
    ("secretary", "/dashboards/sections/{cergy}", 403),
    ("secretary", "/dashboards/federations/38", 403),
    ("secretary", "/dashboards/national", 403),
    ("federation_secretary", "/dashboards/sections/{echirolles}", 200),
    ("federation_secretary", "/dashboards/sections/{cergy}", 403),
    ("federation_secretary", "/dashboards/federations/38", 200),
    ("federation_secretary", "/dashboards/federations/95", 403),
    ("federation_secretary", "/dashboards/national", 403),
    ("cergy_secretary", "/dashboards/sections/{grenoble}", 403),
    ("organiser", "/dashboards/", 403),
    ("organiser", "/dashboards/sections/{grenoble}", 403),
    ("admin", "/dashboards/sections/{cergy}", 200),
    ("admin", "/dashboards/federations/95", 200),
    ("admin", "/dashboards/national", 200),
    ("admin", "/dashboards/sections/999999", 404),
    ("admin", "/dashboards/federations/ZZ", 404),
    ("admin", "/dashboards/federations/" + "9" * 300, 404),
])
def test_each_role_sees_only_its_areas(client, world, who, path, status):
    login(client, world[who])
    url = path.format(**{k: v.id for k, v in world.items() if k in ("grenoble", "echirolles",
                                                                   "cergy")})
    assert client.get(url).status_code == status


@pytest.mark.parametrize(("who", "links", "absent"), [
    ("secretary", ["/dashboards/sections/"], ["/dashboards/national", "/dashboards/federations/"]),
    ("federation_secretary", ["/dashboards/federations/38"], ["/dashboards/national"]),
    ("admin", ["/dashboards/national"], []),
])
def test_the_index_lists_the_member_s_dashboards_and_tools_link_to_it(client, world, who, links,
                                                                      absent):
    login(client, world[who])
    page = client.get("/dashboards/").get_data(as_text=True)
    assert all(link in page for link in links) and not any(link in page for link in absent)
    assert "/dashboards/" in client.get("/tools").get_data(as_text=True)


def test_the_tools_page_of_an_organiser_has_no_dashboard_link(client, world):
    login(client, world["organiser"])
    assert "/dashboards/" not in client.get("/tools").get_data(as_text=True)


def test_a_section_dashboard_shows_figures_charts_and_tables(client, world):
    login(client, world["secretary"])
    page = client.get(f"/dashboards/sections/{world['grenoble'].id}").get_data(as_text=True)
    assert "<h1>" in page and "Grenoble" in page
    # Every chart is an image named by its title, and its figures are in a table.
    charts = re.findall(r'<svg role="img" aria-labelledby="([\w-]+)"', page)
    assert len(charts) == 4
    assert all(f'<title id="{name}">' in page for name in charts)
    assert page.count('<table class="figures">') == 2 and page.count('<th scope="row">') == 13
    assert "style=" not in page  # the CSP forbids inline styles
    # The consultation's title is text, never markup; participants over members: 2 of 7
    # (the three voters, the secretaries, the organiser and the admin live in Grenoble).
    assert "Nos priorités &lt;b&gt;logement&lt;/b&gt;" in page and "<b>logement" not in page
    assert "<td>2</td><td>7</td><td>29 %</td>" in page
    assert 'id="comparison"' not in page


def test_a_federation_dashboard_compares_its_sections(client, world):
    login(client, world["federation_secretary"])
    page = client.get("/dashboards/federations/38").get_data(as_text=True)
    assert 'id="comparison"' in page
    assert f"/dashboards/sections/{world['grenoble'].id}" in page
    assert f"/dashboards/sections/{world['echirolles'].id}" in page
    assert "Cergy" not in page
    assert 'aria-sort="ascending"' in page  # by name, A to Z, at first


def test_sorting_works_as_a_link_and_as_an_htmx_swap(client, world):
    login(client, world["admin"])
    full = client.get("/dashboards/national?sort=members&order=desc")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    text = full.get_data(as_text=True)
    table = text[text.index('id="comparison"'):]
    first = re.search(r'<tr><th scope="row"><a href="/dashboards/federations/(\w+)"', table)
    assert first.group(1) == "38"  # the most members
    assert 'aria-sort="descending"' in text
    assert "order=asc" in table  # choosing the column again turns the order round
    partial = client.get("/dashboards/national?sort=members&order=desc", headers=HTMX)
    body = partial.get_data(as_text=True)
    assert partial.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="comparison"')
    assert "HX-Request" in partial.headers.get("Vary", "")


@pytest.mark.parametrize("query", ["sort=%3Cscript%3E", "sort=rate&order=sideways", "page=abc",
                                   "page=99999", "page=-1", "sort=name&page=0"])
def test_odd_parameters_fall_back_to_a_valid_page(client, world, query):
    login(client, world["admin"])
    response = client.get(f"/dashboards/national?{query}")
    assert response.status_code == 200
    assert "<script>" not in response.get_data(as_text=True)


def test_long_comparisons_are_paged_and_keep_their_order(client, world, app):
    login(client, world["admin"])
    app.config["PAGE_SIZE"] = 3  # the test geography has four fédérations
    try:
        first = client.get("/dashboards/national?sort=members").get_data(as_text=True)
        last = client.get("/dashboards/national?sort=members&page=999").get_data(as_text=True)
    finally:
        app.config["PAGE_SIZE"] = 20
    table = first[first.index('id="comparison"'):]
    assert table.count('<tr><th scope="row">') == 3
    assert 'href="/dashboards/national?page=2&amp;sort=members&amp;order=desc" rel="next"' in table
    table = last[last.index('id="comparison"'):]
    assert table.count('<tr><th scope="row">') == 1
    assert 'rel="prev"' in table and 'rel="next"' not in table


# The member and their roles, then the area (section or fédération), four queries for its
# figures and four (fédérations: five) for the areas side by side.
@pytest.mark.parametrize(("path", "budget"), [("/dashboards/", 4),
                                              ("/dashboards/sections/{grenoble}", 7),
                                              ("/dashboards/federations/38", 11),
                                              ("/dashboards/national", 11)])
def test_dashboards_take_a_constant_number_of_statements(client, world, path, budget):
    login(client, world["admin"])
    client.get("/")
    url = path.format(grenoble=world["grenoble"].id)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    now = utcnow()
    for n in range(12):
        section = make_section(f"Section {n}", ("38", "69", "95")[n % 3], [])
        voter = member_at(now - timedelta(days=25 * n), status="adherent")
        voter.section_id = section.id
        event_at(world["grenoble"], now - timedelta(days=20 * n + 1),
                 answers=[(voter, "going", n % 2 == 0)])
        consultation_at(now - timedelta(days=25 * n + 1), [voter], title=f"Consultation {n}")
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count <= budget, many


def test_an_htmx_sort_answers_the_table_without_the_area_s_figures(client, world):
    login(client, world["admin"])
    client.get("/")
    with count_queries() as full:
        client.get("/dashboards/national?sort=events")
    with count_queries() as partial:
        body = client.get("/dashboards/national?sort=events", headers=HTMX).get_data(as_text=True)
    assert 'id="members-title"' not in body and 'id="comparison"' in body
    assert partial.count == full.count - 4, partial  # the area's four aggregates are skipped
