"""Geography: postal codes to communes, commune search, the place picker fragment."""

import pytest

from coopol.database import fold
from coopol.geo import service
from tests.conftest import CERGY, GRENOBLE, PARIS_11


def insees(communes):
    return [c.insee for c in communes]


def test_postal_code_resolves_to_its_communes_most_populous_first():
    assert insees(service.communes_for_postal_code("38000")) == [GRENOBLE]
    found = insees(service.communes_for_postal_code("95000"))
    assert found[0] == CERGY and len(found) == 4


def test_paris_postal_code_gives_the_arrondissement_not_the_city():
    assert insees(service.communes_for_postal_code("75011")) == [PARIS_11]
    assert service.get_commune("75056") is None


@pytest.mark.parametrize("bad", ["", "3800", "380000", "abcde", "38000; drop table", None])
def test_malformed_postal_codes_find_nothing(bad):
    assert service.communes_for_postal_code(bad) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("grenoble", GRENOBLE), ("GRENO", GRENOBLE), ("cergy", CERGY), ("380", GRENOBLE),
    ("saint egreve", "38382"), ("Saint-Égrève", "38382"),
])
def test_search_by_name_or_postal_code_prefix(text, expected):
    assert expected in insees(service.search_communes(text))


@pytest.mark.parametrize("text", ["", "g", "%", "_", "\\", "x" * 500])
def test_search_ignores_too_short_or_hostile_text(text):
    assert service.search_communes(text) == []


def test_fold_removes_accents_and_punctuation():
    assert fold("Saint-Martin-d’Hères") == "saint martin d heres"


def test_commune_picker_fragment_for_htmx(client):
    response = client.get("/geo/communes?place=95000", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.startswith('<div id="commune_field"')
    assert "choisis ta commune" in html and 'value="95127"' in html
    assert "HX-Request" in response.vary


def test_commune_picker_preselects_a_single_match(client):
    html = client.get("/geo/communes?place=38000", headers={"HX-Request": "true"}).get_data(
        as_text=True)
    assert f'value="{GRENOBLE}" selected' in html


def test_commune_search_page_without_javascript(client):
    response = client.get("/geo/communes?place=cergy")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in html and "Cergy" in html


def test_resolve_communes_reports_unknown_codes():
    communes, unknown = service.resolve_communes("38000, insee:95127 99999 nope 38130")
    assert set(insees(communes)) == {GRENOBLE, CERGY}
    assert unknown == ["99999", "nope", "38130"]
    communes, unknown = service.resolve_communes("cp:38130 insee:38130")
    assert set(insees(communes)) == {"38151", "38130"} and unknown == []
