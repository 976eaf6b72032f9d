"""Contributions: members propose, organisers sort (accept, merge, reject), groups submit."""

import pytest
from sqlalchemy import func, select

from coopol.consultations import service
from coopol.consultations.models import Option
from coopol.consultations.service import ConsultationError
from coopol.extensions import db
from tests.conftest import CERGY, login, make_member, make_section, reload
from tests.consultations_factories import close_now, make_consultation, option_ids, vote


def options_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Option))


def proposal(member, consultation, title="Des logements sociaux"):
    option = service.propose(consultation, member, title, "Partout.")
    db.session.commit()
    return option


def test_member_proposes_a_priority(member_client, member):
    consultation = make_consultation("contributions")
    response = member_client.post(f"/consultations/{consultation.id}/propose",
                                  data={"title": "Des pistes cyclables", "text": "Sûres."})
    assert response.status_code == 303
    option = db.session.scalar(select(Option).where(Option.title == "Des pistes cyclables"))
    assert (option.origin, option.status, option.member_id) == ("member", "proposed", member.id)
    page = member_client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Mes propositions" in page and "en attente de tri" in page


@pytest.mark.parametrize(("phase", "data", "status", "message"), [
    ("vote", {"title": "Trop tard"}, 409, "Les propositions ne sont pas ouvertes"),
    ("upcoming", {"title": "Trop tôt"}, 409, "Les propositions ne sont pas ouvertes"),
    ("contributions", {"title": ""}, 422, "Vérifie ta proposition."),
    ("contributions", {"title": "x" * 161}, 422, "160 caractères au plus."),
])
def test_bad_proposals_are_refused(member_client, phase, data, status, message):
    consultation = make_consultation(phase)
    before = options_count()
    response = member_client.post(f"/consultations/{consultation.id}/propose", data=data)
    assert response.status_code in (status, 422)
    assert message in response.get_data(as_text=True)
    assert options_count() == before


def test_member_not_eligible_cannot_propose(client):
    make_section()
    sympathisant = make_member()
    login(client, sympathisant)
    consultation = make_consultation("contributions", eligibility="adherents")
    response = client.post(f"/consultations/{consultation.id}/propose", data={"title": "Moi"})
    assert response.status_code == 403
    assert options_count() == 4


@pytest.fixture
def organiser_client(client, section):
    organiser = make_member(roles=[("organiser", section)])
    login(client, organiser)
    return client


def test_organiser_accepts_rejects_with_reason_and_merges_keeping_origins(organiser_client,
                                                                          section):
    consultation = make_consultation("contributions", section=section)
    author = make_member(name="Ana")
    other = make_member(name="Bruno")
    first = proposal(author, consultation, "Des crèches")
    second = proposal(other, consultation, "Plus de crèches")
    third = proposal(other, consultation, "Hors sujet")
    base = f"/consultations/{consultation.id}/options"
    assert organiser_client.post(f"{base}/{first.id}/accept").status_code == 303
    response = organiser_client.post(f"{base}/{second.id}/merge", data={"into": first.id},
                                     headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="moderation"' in html
    assert "membre Ana" in html and "membre Bruno" in html
    refused = organiser_client.post(f"{base}/{third.id}/reject", data={"reason": ""})
    assert refused.status_code == 422 and "Dis pourquoi" in refused.get_data(as_text=True)
    assert reload(Option, third.id).status == "proposed"
    organiser_client.post(f"{base}/{third.id}/reject", data={"reason": "Pas le thème."})
    assert reload(Option, second.id).merged_into_id == first.id
    assert reload(Option, third.id).reject_reason == "Pas le thème."


@pytest.mark.parametrize("into", ["2147483648", "-99999999999", "douze"])
def test_merging_into_an_id_no_row_can_have_is_refused_with_a_message(organiser_client,
                                                                     section, into):
    consultation = make_consultation("contributions", section=section)
    option = proposal(make_member(name="Ana"), consultation, "Des crèches")
    response = organiser_client.post(
        f"/consultations/{consultation.id}/options/{option.id}/merge", data={"into": into})
    assert response.status_code == 422
    assert "option qui reste" in response.get_data(as_text=True)
    assert reload(Option, option.id).merged_into_id is None


def test_contributors_see_what_became_of_their_proposals(client, section):
    consultation = make_consultation("contributions", section=section, max_choices=2)
    author = make_member(name="Ana")
    kept = proposal(author, consultation, "Des crèches")
    merged = proposal(author, consultation, "Plus de crèches")
    rejected = proposal(author, consultation, "Hors sujet")
    service.accept(kept, consultation)
    service.merge(merged, kept, consultation)
    service.reject(rejected, consultation, "Pas le thème.")
    db.session.commit()
    consultation.vote_opens_at = consultation.contributions_open_at
    db.session.commit()
    voters = [make_member() for _ in range(5)]
    for voter in voters:
        vote(consultation, voter, ["Des crèches"])
    close_now(consultation)
    login(client, author)
    page = client.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "retenue, rang final : 1" in page
    assert "fusionnée dans « Des crèches », rang final : 1" in page
    assert "non retenue : Pas le thème." in page


def test_organisers_add_options_but_not_after_the_vote_opened(organiser_client, section):
    consultation = make_consultation("contributions", section=section)
    url = f"/consultations/{consultation.id}/options"
    assert organiser_client.post(url, data={"title": "La nôtre"}).status_code == 303
    assert db.session.scalar(select(Option.status).where(Option.title == "La nôtre")) == \
        "accepted"
    late = make_consultation("vote", section=section)
    response = organiser_client.post(f"/consultations/{late.id}/options", data={"title": "X"})
    assert response.status_code == 422 and "Le vote a commencé" in response.get_data(as_text=True)
    pending = Option(consultation_id=late.id, title="Tardive", origin="member")
    db.session.add(pending)
    db.session.commit()
    response = organiser_client.post(f"/consultations/{late.id}/options/{pending.id}/accept")
    assert response.status_code == 422
    assert reload(Option, pending.id).status == "proposed"


def test_group_proposal_becomes_an_option_with_its_origin(section):
    consultation = make_consultation("contributions", section=section)
    option = service.add_option(consultation, "Rénover les écoles", "Vite.", "group",
                                group_id=42, group_name="Groupe école")
    db.session.commit()
    assert (reload(Option, option.id).group_id, option.group_name) == (42, "Groupe école")
    with pytest.raises(ConsultationError):
        service.add_option(consultation, "Sans groupe", "", "group")


@pytest.mark.parametrize("action", ["accept", "reject", "merge"])
def test_moderation_is_for_organisers_of_the_scope(client, section, action):
    consultation = make_consultation("contributions", section=section)
    other = make_section("Cergy", "95", [CERGY])
    ids = option_ids(consultation)
    url = f"/consultations/{consultation.id}/options/{ids['Santé']}/{action}"
    login(client, make_member())
    assert client.post(url, data={"reason": "x", "into": ids["Logement"]}).status_code == 403
    login(client, make_member(commune=CERGY, roles=[("organiser", other)]))
    assert client.get(f"/consultations/{consultation.id}/options").status_code == 403
    other_consultation = make_consultation("contributions", section=other)
    foreign = option_ids(other_consultation)["Santé"]
    login(client, make_member(roles=[("organiser", section)]))
    crafted = f"/consultations/{consultation.id}/options/{foreign}/{action}"
    assert client.post(crafted, data={"reason": "x"}).status_code == 404


def test_anonymous_cannot_propose(client):
    consultation = make_consultation("contributions")
    response = client.post(f"/consultations/{consultation.id}/propose", data={"title": "x"})
    assert response.status_code == 302 and "/auth/login" in response.location
