"""Consultations: setting one up, who may, the list and the home page."""

import pytest
from sqlalchemy import func, select

from coopol.consultations.models import Consultation
from coopol.extensions import db
from tests.conftest import CERGY, login, make_member, make_section, make_theme, reload
from tests.consultations_factories import make_consultation


def setup_data(theme, **overrides):
    data = {"title": "Logement : nos priorités", "theme": theme.id, "context": "# Pourquoi",
            "scope": "national", "eligibility": "members", "method": "ranking",
            "max_choices": "5", "points_total": "10",
            "contributions_open_at": "2030-01-01T10:00", "vote_opens_at": "2030-01-10T10:00",
            "vote_closes_at": "2030-01-20T20:00", "syntheses_due_at": "2030-02-01T12:00"}
    data.update(overrides)
    return data


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Consultation))


def test_admin_sets_up_a_national_consultation(admin_client):
    theme = make_theme()
    response = admin_client.post("/consultations/new", data=setup_data(theme))
    assert response.status_code == 303
    consultation = db.session.scalar(select(Consultation))
    assert consultation.title == "Logement : nos priorités"
    assert consultation.scope_level == "national"
    # 10:00 in Paris in winter is 09:00 UTC.
    assert consultation.contributions_open_at.hour == 9
    assert consultation.phase() == "upcoming"
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "<h3>Pourquoi</h3>" in page


def test_section_secretary_sets_up_for_their_section_only(client):
    section = make_section()
    other = make_section("Cergy", "95", [CERGY])
    secretary = make_member(roles=[("secretary", section)])
    login(client, secretary)
    theme = make_theme()
    form = client.get("/consultations/new").get_data(as_text=True)
    assert f'value="s:{section.id}"' in form and f'value="s:{other.id}"' not in form
    assert client.post("/consultations/new",
                       data=setup_data(theme, scope=f"s:{other.id}")).status_code == 403
    assert client.post("/consultations/new", data=setup_data(theme, scope="national")
                       ).status_code == 403
    assert count() == 0
    assert client.post("/consultations/new",
                       data=setup_data(theme, scope=f"s:{section.id}")).status_code == 303
    assert db.session.scalar(select(Consultation.section_id)) == section.id


def test_federation_secretary_may_choose_a_section_of_their_federation(client):
    section = make_section()
    secretary = make_member(roles=[("secretary", "38")])
    login(client, secretary)
    response = client.post("/consultations/new",
                           data=setup_data(make_theme(), scope=f"s:{section.id}"))
    assert response.status_code == 303


@pytest.mark.parametrize(("overrides", "message"), [
    ({"vote_opens_at": "2029-12-31T10:00"}, "Les dates doivent se suivre"),
    ({"syntheses_due_at": "2030-01-15T10:00"}, "Les dates doivent se suivre"),
    ({"vote_closes_at": ""}, "Indique la date et"),
    ({"title": ""}, "Donne un titre."),
    ({"max_choices": "0"}, "Entre 1 et 30."),
    ({"method": "tirage"}, "est pas un choix valide"),
])
def test_setup_bad_input_is_refused_and_nothing_saved(admin_client, overrides, message):
    response = admin_client.post("/consultations/new", data=setup_data(make_theme(), **overrides))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count() == 0


def test_setup_cannot_change_once_vote_has_opened(admin_client):
    consultation = make_consultation("vote")
    theme = make_theme()
    response = admin_client.post(f"/consultations/{consultation.id}/edit",
                                 data=setup_data(theme, title="Autre"))
    assert response.status_code == 422
    assert "Le vote a commencé" in response.get_data(as_text=True)
    assert reload(Consultation, consultation.id).title == "Nos priorités"


@pytest.mark.parametrize("path", ["/consultations/", "/consultations/new"])
def test_anonymous_is_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.location


def test_member_cannot_set_up_or_edit(member_client):
    consultation = make_consultation("contributions")
    assert member_client.get("/consultations/new").status_code == 403
    assert member_client.post("/consultations/new", data=setup_data(make_theme())
                              ).status_code == 403
    assert member_client.get(f"/consultations/{consultation.id}/edit").status_code == 403


def test_open_consultations_show_in_list_and_on_home_page(member_client):
    make_consultation("vote", title="Ouverte au vote")
    make_consultation("upcoming", title="Pas encore")
    other = make_section("Cergy", "95", [CERGY])
    make_consultation("vote", title="Chez les autres", section=other)
    listing = member_client.get("/consultations/").get_data(as_text=True)
    assert "Ouverte au vote" in listing and "Chez les autres" not in listing
    home = member_client.get("/").get_data(as_text=True)
    assert "Ouverte au vote" in home and "Pas encore" not in home


def test_member_without_section_sees_only_national_consultations(client):
    make_section("Cergy", "95", [CERGY])
    login(client, make_member(commune=None))
    make_consultation("vote", title="Nationale")
    make_consultation("vote", title="Du Val-d'Oise", federation="95")
    listing = client.get("/consultations/").get_data(as_text=True)
    assert "Nationale" in listing and "Val-d" not in listing


def test_list_pages_answer_htmx_with_a_fragment(member_client):
    make_consultation("vote", title="Ouverte au vote")
    response = member_client.get("/consultations/?page=1", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="listing"' in html


def test_consultation_of_another_section_is_forbidden(member_client):
    other = make_section("Cergy", "95", [CERGY])
    consultation = make_consultation("vote", section=other)
    assert member_client.get(f"/consultations/{consultation.id}").status_code == 403
    assert member_client.get("/consultations/999999").status_code == 404
