"""Every consultation page stays small, without inline scripts or styles, for each method."""

import gzip

import pytest

from tests.conftest import login, make_member
from tests.consultations_factories import close_now, make_consultation, vote

OPTIONS = tuple(f"Priorité numéro {n} pour notre commune" for n in range(1, 31))


def check(html: str) -> None:
    assert len(gzip.compress(html.encode())) <= 15_000
    assert "style=" not in html and "<script>" not in html


@pytest.mark.parametrize("method", ["ranking", "multiple", "points"])
def test_pages_stay_small_with_thirty_options(client, section, method):
    secretary = make_member(roles=[("secretary", section), ("secretary", "38")])
    consultation = make_consultation("vote", options=OPTIONS, method=method, max_choices=5,
                                     points_total=10)
    voters = [make_member() for _ in range(5)]
    for voter in voters:
        vote(consultation, voter, {OPTIONS[0]: 6, OPTIONS[1]: 4} if method == "points"
             else list(OPTIONS[:5]))
    login(client, voters[0])
    base = f"/consultations/{consultation.id}"
    for path in ("", "/vote", "/participation"):
        response = client.get(base + path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True))
    close_now(consultation)
    login(client, secretary)
    for path in ("", "/results", "/report", f"/sections/{section.id}", "/federations/38"):
        response = client.get(base + path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True))
    page = client.get(base).get_data(as_text=True)
    assert f"/sections/{section.id}" in page and "/federations/38" in page
    login(client, make_member(roles=[("admin", None)]))
    for path in ("/options", "/report", "/edit"):
        response = client.get(base + path)
        assert response.status_code == 200, path
        check(response.get_data(as_text=True))
