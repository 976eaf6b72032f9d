"""Profiles: editing, interests, visibility, consent, adhérent confirmation by secretaries."""

import pytest
from sqlalchemy import select

from coopol.extensions import db
from coopol.profile.models import AuditLog, ConsentEvent, Member
from tests.conftest import (
    CERGY,
    ECHIROLLES,
    GRENOBLE,
    login,
    make_member,
    make_section,
    make_theme,
    reload,
)


def profile_data(**overrides):
    data = {"display_name": "Léa M.", "place": "38000", "commune": GRENOBLE, "section": "",
            "status": "sympathisant", "skills": "graphisme,  droit du travail ,", "bio": "Bonjour",
            "visibility": "members"}
    data.update(overrides)
    return data


def test_edit_profile_saves_everything(client, section):
    logement, sante = make_theme("Logement"), make_theme("Santé")
    member = make_member()
    login(client, member)
    data = profile_data(interests=[str(logement.id), str(sante.id)])
    response = client.post("/profile/edit", data=data)
    assert response.status_code == 303
    member = reload(Member, member.id)
    assert member.display_name == "Léa M."
    assert member.skills == "graphisme, droit du travail"
    assert {t.name for t in member.interests} == {"Logement", "Santé"}
    assert member.visibility == "members"
    page = client.get("/profile/").get_data(as_text=True)
    assert "Logement" in page and "graphisme" in page


def test_moving_commune_moves_section(client):
    grenoble = make_section("Grenoble", "38", [GRENOBLE])
    cergy = make_section("Cergy-Pontoise", "95", [CERGY])
    member = make_member(commune=GRENOBLE)
    assert member.section_id == grenoble.id
    login(client, member)
    response = client.post("/profile/edit", data=profile_data(place="95000", commune=CERGY,
                                                              section=str(grenoble.id)))
    assert response.status_code == 303
    member = reload(Member, member.id)
    assert (member.commune_insee, member.section_id) == (CERGY, cergy.id)


def test_member_may_pick_another_section_of_their_federation(client):
    make_section("Grenoble", "38", [GRENOBLE])
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    member = make_member(commune=GRENOBLE)
    login(client, member)
    page = client.get("/profile/edit").get_data(as_text=True)
    assert "Échirolles" in page
    client.post("/profile/edit", data=profile_data(section=str(echirolles.id)))
    assert reload(Member, member.id).section_id == echirolles.id


def test_section_of_another_federation_is_refused(client):
    make_section("Grenoble", "38", [GRENOBLE])
    cergy = make_section("Cergy-Pontoise", "95", [CERGY])
    member = make_member(commune=GRENOBLE)
    login(client, member)
    response = client.post("/profile/edit", data=profile_data(section=str(cergy.id)))
    assert response.status_code == 422
    assert "pas dans ta fédération" in response.get_data(as_text=True)
    assert reload(Member, member.id).section_id != cergy.id


@pytest.mark.parametrize(("overrides", "message"), [
    ({"display_name": ""}, "Indique le nom"),
    ({"bio": "x" * 2001}, "2000 caractères au plus."),
    ({"skills": "x" * 501}, "500 caractères au plus."),
    ({"status": "president"}, "pas un choix valide"),
    ({"visibility": "everyone"}, "pas un choix valide"),
    ({"interests": ["999999"]}, "Un des thèmes choisis n'existe pas."),
    ({"place": "00000", "commune": ""}, "Aucune commune ne correspond"),
])
def test_edit_profile_bad_input_changes_nothing(client, section, overrides, message):
    member = make_member(name="Avant")
    login(client, member)
    response = client.post("/profile/edit", data=profile_data(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert reload(Member, member.id).display_name == "Avant"


def test_becoming_adherent_waits_for_confirmation(client, section):
    member = make_member()
    login(client, member)
    client.post("/profile/edit", data=profile_data(status="adherent"))
    member = reload(Member, member.id)
    assert member.is_adherent_pending
    assert "à confirmer" in client.get("/profile/").get_data(as_text=True)


def test_consent_is_explicit_timestamped_and_revocable(client, member):
    login(client, member)
    assert reload(Member, member.id).mobilisation_consent_at is None
    assert client.post("/profile/consent", data={"decision": "give"}).status_code == 303
    assert reload(Member, member.id).mobilisation_consent_at is not None
    client.post("/profile/consent", data={"decision": "withdraw"})
    assert reload(Member, member.id).mobilisation_consent_at is None
    history = db.session.scalars(select(ConsentEvent.given).order_by(ConsentEvent.id)).all()
    assert history == [True, False]


def test_consent_with_htmx_swaps_the_consent_section(client, member):
    login(client, member)
    response = client.post("/profile/consent", data={"decision": "give"},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<section id="consent"')
    assert "Retirer mon accord" in html
    assert 'id="flashes"' in html and "hx-swap-oob" in html


def test_consent_needs_a_decision(client, member):
    login(client, member)
    client.post("/profile/consent", data={"decision": "maybe"})
    assert reload(Member, member.id).mobilisation_consent_at is None


@pytest.mark.parametrize(("visibility", "viewer_kind", "allowed"), [
    ("section", "same_section", True),
    ("section", "other_section", False),
    ("members", "other_section", True),
    ("organisers", "same_section", False),
    ("organisers", "section_secretary", True),
    ("organisers", "federation_secretary", True),
    ("organisers", "other_secretary", False),
    ("organisers", "admin", True),
])
def test_profile_visibility(client, visibility, viewer_kind, allowed):
    grenoble = make_section("Grenoble", "38", [GRENOBLE])
    cergy = make_section("Cergy-Pontoise", "95", [CERGY])
    member = make_member(commune=GRENOBLE, visibility=visibility, interests=[make_theme()])
    viewers = {
        "same_section": lambda: make_member(commune=GRENOBLE),
        "other_section": lambda: make_member(commune=CERGY),
        "section_secretary": lambda: make_member(commune=CERGY, roles=[("secretary", grenoble)]),
        "federation_secretary": lambda: make_member(commune=CERGY, roles=[("secretary", "38")]),
        "other_secretary": lambda: make_member(commune=CERGY, roles=[("secretary", cergy)]),
        "admin": lambda: make_member(commune=CERGY, roles=[("admin", None)]),
    }
    login(client, viewers[viewer_kind]())
    response = client.get(f"/profile/{member.id}")
    assert response.status_code == (200 if allowed else 403)
    assert ("Logement" in response.get_data(as_text=True)) is allowed


def test_unknown_profile_is_404(member_client):
    assert member_client.get("/profile/999999").status_code == 404


def test_secretary_confirms_adherent_of_their_section(client, section):
    secretary = make_member(roles=[("secretary", section)])
    pending = make_member(status="adherent", adherent_confirmed=False, name="Karim")
    login(client, secretary)
    page = client.get("/profile/pending").get_data(as_text=True)
    assert "Karim" in page
    assert client.post(f"/profile/{pending.id}/confirm").status_code == 303
    assert reload(Member, pending.id).is_confirmed_adherent
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "adherent.confirm"))
    assert (audit.action, audit.actor_id, audit.subject_id) == (
        "adherent.confirm", secretary.id, pending.id)
    page = client.get("/profile/pending").get_data(as_text=True)
    assert "Karim est confirmé·e" in page and "Personne n'attend" in page


def test_federation_secretary_confirms_in_every_section_of_the_federation(client):
    echirolles = make_section("Échirolles", "38", [ECHIROLLES])
    secretary = make_member(commune=CERGY, roles=[("secretary", "38")])
    pending = make_member(commune=ECHIROLLES, status="adherent", adherent_confirmed=False)
    assert pending.section_id == echirolles.id
    login(client, secretary)
    assert client.post(f"/profile/{pending.id}/confirm").status_code == 303
    assert reload(Member, pending.id).is_confirmed_adherent


def test_secretary_of_another_section_cannot_confirm(client):
    make_section("Grenoble", "38", [GRENOBLE])
    cergy = make_section("Cergy-Pontoise", "95", [CERGY])
    secretary = make_member(commune=CERGY, roles=[("secretary", cergy)])
    pending = make_member(commune=GRENOBLE, status="adherent", adherent_confirmed=False)
    login(client, secretary)
    assert client.post(f"/profile/{pending.id}/confirm").status_code == 403
    assert reload(Member, pending.id).is_adherent_pending
    assert "Aucun" not in client.get("/profile/pending").get_data(as_text=True)


def test_pending_list_is_paginated(client, section):
    secretary = make_member(roles=[("secretary", section)])
    for i in range(25):
        make_member(status="adherent", adherent_confirmed=False, name=f"Attente {i:02d}")
    login(client, secretary)
    first = client.get("/profile/pending").get_data(as_text=True)
    assert "25 membres attendent" in first and "Attente 19" in first and "Attente 20" not in first
    second = client.get("/profile/pending?page=2").get_data(as_text=True)
    assert "Attente 20" in second
    assert client.get("/profile/pending?page=abc").status_code == 200


def test_plain_member_has_no_pending_page(member_client):
    assert member_client.get("/profile/pending").status_code == 403


def test_confirming_with_htmx_swaps_the_list(client, section):
    login(client, make_member(roles=[("secretary", section)]))
    first = make_member(status="adherent", adherent_confirmed=False, name="Karim")
    make_member(status="adherent", adherent_confirmed=False, name="Inès")
    response = client.post(f"/profile/{first.id}/confirm", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="pending">')
    assert "Inès" in html and "1 membre attend ta confirmation." in html
    assert "Karim est confirmé·e" in html  # the flash, out of band
    assert reload(Member, first.id).is_confirmed_adherent
