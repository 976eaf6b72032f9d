"""Dashboard figures: month bucketing on this database, one area's 12 months, areas compared."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from coopol.dashboards import charts, service
from coopol.database import month_key
from coopol.extensions import db
from coopol.geo.models import Federation
from coopol.profile.models import Member
from tests.conftest import CERGY, ECHIROLLES, GRENOBLE, make_section
from tests.dashboards_factories import consultation_at, event_at, member_at
from tests.querycount import count_queries

NOW = datetime(2026, 3, 15, 12, 0)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("moment", "key"), [
    (datetime(2026, 1, 31, 23, 59, 59), "2026-01"),
    (datetime(2025, 12, 1, 0, 0), "2025-12"),
    (datetime(2024, 2, 29, 12, 0), "2024-02"),
])
def test_month_key_buckets_a_timestamp_by_its_month(moment, key):
    member = member_at(moment, commune=None)
    assert db.session.scalar(select(month_key(Member.created_at))
                             .where(Member.id == member.id)) == key


def test_month_keys_are_the_last_twelve_months_across_the_new_year():
    keys = service.month_keys(NOW)
    assert keys[0] == "2025-04" and keys[-1] == "2026-03" and len(keys) == 12
    assert "2025-12" in keys and "2026-01" in keys
    assert service.window_start(NOW) == datetime(2025, 4, 1)


@pytest.fixture
def places():
    """Two sections of the Isère fédération and one of the Val-d'Oise, with their members,
    events and consultations around NOW (15 March 2026)."""
    grenoble = make_section("Grenoble", "38", [GRENOBLE])
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    cergy = make_section("Cergy", "95", [CERGY])
    old = member_at(datetime(2024, 1, 10), status="adherent", seen=NOW - 2 * DAY)
    pending = member_at(datetime(2026, 3, 1), status="adherent", adherent_confirmed=False)
    sympathisant = member_at(datetime(2026, 1, 31, 23), seen=NOW - 40 * DAY)
    erased = member_at(datetime(2025, 12, 15))
    erased.erased_at = NOW - DAY
    neighbour = member_at(datetime(2025, 5, 1), commune=ECHIROLLES, seen=NOW - DAY)
    member_at(datetime(2023, 5, 1), commune=CERGY)
    event_at(grenoble, datetime(2026, 2, 10, 18), answers=[
        (old, "going", True), (pending, "going", False), (sympathisant, "cancelled", False)])
    event_at(grenoble, datetime(2026, 2, 20, 18), status="cancelled",
             answers=[(old, "going", False)])
    event_at(grenoble, datetime(2026, 4, 1, 18), answers=[(old, "going", False)])  # to come
    event_at(grenoble, datetime(2025, 3, 31, 18), answers=[(old, "going", True)])  # too old
    event_at(grenoble, datetime(2025, 6, 5, 18))
    event_at(echirolles, datetime(2026, 2, 11, 18), answers=[(neighbour, "going", True)])
    national = consultation_at(datetime(2026, 1, 10), [old, sympathisant, neighbour],
                               title="Nationale")
    isere = consultation_at(datetime(2025, 10, 1), [old, neighbour], eligibility="adherents",
                            federation="38", title="Isère")
    consultation_at(datetime(2026, 2, 1), [member_at(NOW - DAY, commune=CERGY)], section=cergy,
                    title="Cergy")
    consultation_at(datetime(2024, 6, 1), [old], title="Trop ancienne")
    consultation_at(datetime(2026, 4, 1), [], title="À venir")
    return {"grenoble": grenoble, "echirolles": echirolles, "cergy": cergy,
            "national": national, "isere": isere}


def test_a_section_overview_counts_members_events_and_participation(places):
    figures = service.overview(service.section_area(places["grenoble"]), NOW)
    assert figures.members == {"members": 3, "adherents": 1, "pending": 1, "sympathisants": 1,
                               "new": 2, "active": 1}
    months = figures.months
    series = dict(zip(months, zip(*(figures.series[k] for k in
                                    ("new", "total", "events", "going", "checked_in")),
                                  strict=True), strict=True))
    assert series["2026-03"] == (1, 3, 0, 0, 0)
    assert series["2026-02"] == (0, 2, 1, 2, 1)  # the cancelled event is not counted
    assert series["2026-01"] == (1, 2, 0, 0, 0)  # joined on the 31st at 23:00 UTC
    assert series["2025-06"] == (0, 1, 1, 0, 0)
    assert sum(figures.series["events"]) == 2
    assert [(c["title"], c["participants"], c["eligible"], c["rate"])
            for c in figures.consultations] == [("Nationale", 2, 3, 67), ("Isère", 1, 1, 100)]


def test_a_federation_overview_adds_its_sections_and_leaves_others_out(places):
    federation = db.session.get(Federation, "38")
    figures = service.overview(service.federation_area(federation), NOW)
    assert figures.members["members"] == 4 and figures.members["active"] == 2
    assert sum(figures.series["events"]) == 3 and sum(figures.series["going"]) == 3
    assert [(c["title"], c["participants"]) for c in figures.consultations] == [
        ("Nationale", 3), ("Isère", 2)]


def test_the_national_overview_counts_every_member_and_only_national_consultations(places):
    figures = service.overview(service.Area("national", "", "National"), NOW)
    assert figures.members["members"] == 6  # the erased member is not counted
    assert [(c["title"], c["participants"], c["eligible"]) for c in figures.consultations] == [
        ("Nationale", 3, 6)]


def test_sections_compared_side_by_side(places):
    rows = {row["name"]: row for row in service.compare("section", "38", NOW)}
    assert set(rows) == {"Grenoble", "Échirolles"}
    assert (rows["Grenoble"]["members"], rows["Grenoble"]["events"], rows["Grenoble"]["going"],
            rows["Grenoble"]["participants"], rows["Grenoble"]["rate"]) == (3, 2, 2, 2, 67)
    assert (rows["Échirolles"]["members"], rows["Échirolles"]["new"],
            rows["Échirolles"]["checked_in"], rows["Échirolles"]["rate"]) == (1, 1, 1, 100)


def test_federations_compared_side_by_side(places):
    rows = {row["key"]: row for row in service.compare("federation", now=NOW)}
    assert {"38", "69", "75", "95"} <= set(rows)
    assert (rows["38"]["members"], rows["38"]["events"], rows["38"]["participants"]) == (4, 3, 3)
    assert (rows["95"]["members"], rows["95"]["participants"]) == (2, 1)
    assert rows["69"]["members"] == 0 and rows["69"]["rate"] == 0


def test_comparison_takes_a_constant_number_of_queries(places):
    area = service.section_area(places["grenoble"])
    with count_queries() as few:
        service.compare("section", "38", NOW)
        service.overview(area, NOW)
    for n in range(5):
        section = make_section(f"Section {n}", "38", [])
        db.session.commit()
        member = member_at(NOW - n * 30 * DAY, commune=ECHIROLLES)
        member.section_id = section.id
        event_at(places["grenoble"], NOW - (n + 1) * 20 * DAY, answers=[(member, "going", True)])
        consultation_at(NOW - (n + 1) * 25 * DAY, [member], title=f"Consultation {n}")
    with count_queries() as many:
        service.compare("section", "38", NOW)
        service.overview(area, NOW)
    assert many.count == few.count <= 8, many


@pytest.mark.parametrize(("sort", "ascending", "first"), [
    ("name", None, "Cergy"), ("name", False, "Grenoble"), ("members", None, "Grenoble"),
    ("members", True, "Cergy"), ("rate", None, "Échirolles"), ("nonsense", None, "Cergy"),
])
def test_rows_sort_by_any_known_column(sort, ascending, first):
    rows = [{"name": "Grenoble", "members": 3, "rate": 67},
            {"name": "Cergy", "members": 1, "rate": 50},
            {"name": "Échirolles", "members": 2, "rate": 100}]
    assert service.sort_rows(rows, sort, ascending)[0]["name"] == first


def test_a_list_page_stays_within_its_pages():
    page = service.ListPage(list(range(45)), 9, 20)
    assert page.page == 3 and page.pages == 3 and page.items == [40, 41, 42, 43, 44]
    assert page.has_prev and not page.has_next
    assert service.ListPage([], 1, 20).items == [] and service.ListPage([], 1, 20).pages == 1


def test_cache_keeps_figures_for_its_time_then_recomputes(app, places):
    area = service.federation_area(db.session.get(Federation, "38"))
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    try:
        service.clear_cache()
        first = service.figures(area)
        with count_queries() as queries:
            assert service.figures(area) is first
            service.side_by_side("section", "38")
            service.side_by_side("section", "38")
        assert queries.count == 4, queries  # compared once, then kept
        service.clear_cache()
        assert service.figures(area) is not first
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        service.clear_cache()


def test_a_section_is_always_live(app, places):
    app.config["DASHBOARD_CACHE_SECONDS"] = 60
    try:
        area = service.section_area(places["grenoble"])
        assert service.figures(area) is not service.figures(area)
    finally:
        app.config["DASHBOARD_CACHE_SECONDS"] = 0
        service.clear_cache()


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20),
                                            (180, 200), (40000, 50000)])
def test_chart_scales_end_on_a_round_number(value, top):
    assert charts.nice_max(value) == top


def test_column_heights_are_proportional_and_stay_in_the_frame():
    chart = charts.columns(["a", "b", "c"], [0, 5, 10])
    heights = [bar.height for bar in chart["bars"]]
    assert heights[0] == 0 and heights[2] == pytest.approx(2 * heights[1], abs=0.2)
    assert all(bar.y >= chart["top_y"] and bar.y + bar.height <= chart["base"] + 0.1
               for bar in chart["bars"])
    assert all(chart["left"] <= bar.x and bar.x + bar.width <= chart["right"]
               for bar in chart["bars"])


def test_lines_and_rows_fit_their_viewbox():
    chart = charts.lines(["a", "b"], {"going": [4, 0], "checked_in": [2, 1]})
    assert float(chart["paths"]["going"].split()[1].split(",")[1]) == chart["base"]
    rows = charts.rows([("Grenoble", 10), ("Cergy", 5)], "%")
    assert rows["height"] == 2 * charts.ROW
    assert rows["bars"][1].width == pytest.approx(rows["bars"][0].width / 2, abs=0.1)
    assert max(bar.x + bar.width for bar in rows["bars"]) <= charts.WIDTH
