"""Find members: consent only, each filter, scopes and crafted parameters, names on demand
(audited), the CSV export (secretaries, audited), active search with and without htmx."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from coopol.database import utcnow
from coopol.extensions import db
from coopol.profile.models import AuditLog
from tests.conftest import CERGY, ECHIROLLES, GRENOBLE, login, make_member, make_section, make_theme
from tests.events_factories import join, make_event, make_organiser
from tests.groups_factories import add_member, make_group
from tests.organize_factories import make_consenting

HTMX = {"HX-Request": "true"}


@pytest.fixture
def places():
    """Two sections of the Isère fédération, one in the Val-d'Oise."""
    return {"grenoble": make_section("Grenoble", "38", [GRENOBLE]),
            "echirolles": make_section("Échirolles", "38", [ECHIROLLES]),
            "cergy": make_section("Cergy", "95", [CERGY])}


def _count(client, query="") -> str:
    response = client.get("/organize/?" + query)
    assert response.status_code == 200, response.text
    return response.text


def test_only_consenting_confirmed_unblocked_members_are_counted(client, places):
    make_consenting(name="Léa")
    make_member(name="Sans accord")
    make_consenting(name="Adresse non confirmée", confirmed=False)
    make_consenting(name="Compte suspendu").blocked_at = utcnow()
    db.session.commit()
    login(client, make_organiser(places["grenoble"]))
    assert "1 membre correspond" in _count(client)
    names = client.get("/organize/members").text
    assert "Léa" in names and "Sans accord" not in names and "non confirmée" not in names
    assert "suspendu" not in names


def test_each_filter_narrows_the_count(client, places):
    housing, health = make_theme("Logement"), make_theme("Santé")
    grenoble = places["grenoble"]
    lea = make_consenting(interests=[housing], status="adherent")
    lea.skills = "Graphisme, Réseaux sociaux"
    lea.last_seen_at = utcnow() - timedelta(days=2)
    sam = make_consenting(interests=[health])
    sam.last_seen_at = utcnow() - timedelta(days=60)
    db.session.commit()
    make_consenting(commune=ECHIROLLES, interests=[housing, health])
    event = make_event(grenoble)
    rsvp = join(event, sam)
    rsvp.checked_in_at = utcnow()
    group = make_group(creator=make_member(), section=grenoble)
    add_member(group, lea)
    login(client, make_member(roles=[("secretary", "38")]))
    cases = {
        "": 3, f"themes={housing.id}": 2, f"themes={housing.id}&themes={health.id}": 3,
        "skills=graph": 1, "skills=%25": 0, "commune=38000": 2, f"commune={ECHIROLLES}": 1,
        f"section={grenoble.id}": 2, "federation=38": 3, "status=adherent": 1,
        "status=sympathisant": 2, "seen=7": 1, "seen=90": 2, "attended=1": 1,
        f"group={group.id}": 1, f"themes={health.id}&section={grenoble.id}": 1,
    }
    for query, expected in cases.items():
        text = _count(client, query)
        assert re.search(rf"\b{expected} membres? correspond", text), (query, expected)


def test_scope_bounds_every_search(client, places):
    make_consenting(name="Grenoblois")
    make_consenting(commune=ECHIROLLES, name="Échirollois")
    make_consenting(commune=CERGY, name="Cergyssois")
    login(client, make_organiser(places["grenoble"]))
    assert "1 membre correspond" in _count(client)
    login(client, make_member(roles=[("secretary", "38")]))
    assert "2 membres correspondent" in _count(client)
    login(client, make_member(roles=[("admin", None)]))
    assert "3 membres correspondent" in _count(client)


@pytest.mark.parametrize("query", ["section={cergy}", "section={echirolles}", "federation=95",
                                   "federation=38", "commune=95000", f"commune={CERGY}",
                                   "section=999999", "federation=2A"])
def test_crafted_place_outside_scope_is_refused_without_data(client, places, query):
    make_consenting(commune=CERGY, name="Cergyssois")
    make_consenting(commune=ECHIROLLES, name="Échirollois")
    login(client, make_organiser(places["grenoble"]))
    query = query.format(cergy=places["cergy"].id, echirolles=places["echirolles"].id)
    for path in ("/organize/", "/organize/members", "/organize/mobilise"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 403, (path, response.status_code)
        assert "hors de ton périmètre" in response.text
        assert "Cergyssois" not in response.text and "membre" not in response.text.split(
            "hors de ton")[0].split("<main")[-1]
    htmx = client.get(f"/organize/?{query}", headers=HTMX)
    assert htmx.status_code == 403 and htmx.headers["HX-Retarget"] == "#flashes"
    assert not db.session.scalar(select(AuditLog.id).where(AuditLog.action == "organize.reveal"))


@pytest.mark.parametrize("query", ["themes=abc", "section=x", "seen=3", "status=roi",
                                   "commune=<b>", "skills=" + "a" * 81, "group=-1"])
def test_malformed_filter_answers_422_with_a_message(client, places, query):
    login(client, make_organiser(places["grenoble"]))
    response = client.get(f"/organize/?{query}")
    assert response.status_code == 422
    assert "Filtre à corriger" in response.text
    assert client.get(f"/organize/members?{query}").status_code == 422


def test_unknown_postal_code_is_a_clear_message(client, places):
    login(client, make_member(roles=[("admin", None)]))
    response = client.get("/organize/?commune=00000")
    assert response.status_code == 422
    assert "Aucune commune" in response.text


def test_members_without_role_cannot_search(client, places):
    login(client, make_member())
    for path in ("/organize/", "/organize/members", "/organize/members.csv",
                 "/organize/mobilise", "/organize/mobilisations"):
        assert client.get(path).status_code == 403


def test_names_reveal_is_paginated_and_audited(app, client, places, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    theme = make_theme()
    for n in range(5):
        make_consenting(name=f"Membre {n}", interests=[theme])
    organiser = make_organiser(places["grenoble"])
    login(client, organiser)
    page = client.get(f"/organize/members?themes={theme.id}&page=2")
    assert page.status_code == 200
    assert "Membre 2" in page.text and "Membre 0" not in page.text
    assert f"themes={theme.id}" in page.text  # the pager keeps the filter
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "organize.reveal"))
    assert entry.actor_id == organiser.id
    assert entry.details == {"filter": {"themes": [theme.id]}, "page": 2, "count": 2,
                             "total": 5}
    fragment = client.get(f"/organize/members?themes={theme.id}", headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="names"')


def test_names_page_shows_fields_the_visibility_allows(client, places):
    theme = make_theme()
    make_consenting(name="Léa", interests=[theme], visibility="organisers")
    login(client, make_organiser(places["grenoble"]))
    page = client.get("/organize/members").text
    assert "Léa" in page and theme.name in page
    assert "@exemple.fr" not in page  # addresses never show on the page


def test_csv_export_for_secretaries_is_audited(client, places):
    make_consenting(name="=HYPERLINK(1)", email="lea@exemple.fr")
    secretary = make_member(roles=[("secretary", places["grenoble"])])
    login(client, secretary)
    response = client.get("/organize/members.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "lea@exemple.fr" in response.text
    assert "'=HYPERLINK(1)" in response.text  # never a formula in a spreadsheet
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "organize.export"))
    assert entry.actor_id == secretary.id and entry.details["count"] == 1
    login(client, make_organiser(places["grenoble"]))
    assert client.get("/organize/members.csv").status_code == 403
    login(client, secretary)
    assert client.get(f"/organize/members.csv?section={places['cergy'].id}").status_code == 403


def test_active_search_answers_the_count_fragment(client, places):
    theme = make_theme()
    make_consenting(interests=[theme])
    login(client, make_organiser(places["grenoble"]))
    fragment = client.get(f"/organize/?themes={theme.id}", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section id="count"')
    assert "1 membre correspond" in fragment.text
    assert "<form" not in fragment.text.split('id="flashes"')[0]
    page = client.get(f"/organize/?themes={theme.id}")
    assert 'role="search"' in page.text and "1 membre correspond" in page.text
    assert fragment.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_tools_page_links_to_the_organisers_tools(client, places):
    login(client, make_organiser(places["grenoble"]))
    text = client.get("/tools").text
    assert "/organize/" in text and "/organize/audit" not in text
    assert "/organize/adherents/import" not in text
    login(client, make_member(roles=[("admin", None)]))
    text = client.get("/tools").text
    assert "/organize/audit" in text and "/organize/adherents/import" in text
