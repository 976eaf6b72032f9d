"""Group proposals handed to consultations: animateurs submit them, the page follows their fate."""

import pytest
from sqlalchemy import func, select

from coopol.consultations import service as consultations_service
from coopol.consultations.models import Option
from coopol.extensions import db
from coopol.groups.models import Proposal
from coopol.profile.models import AuditLog
from tests.conftest import login, make_member, make_section, make_theme, reload
from tests.consultations_factories import close_now, make_consultation, vote
from tests.groups_factories import HX, add_member, make_group, new_member, text


@pytest.fixture
def world():
    """A local group on a theme, its animateur and a member, a draft proposal on the theme,
    and a national consultation on that theme taking contributions."""
    section = make_section()
    theme = make_theme("Éducation")
    animateur, member = new_member(), new_member()
    group = make_group("Cantines", creator=animateur, section=section, themes=[theme])
    add_member(group, member)
    proposal = Proposal(group_id=group.id, author_id=member.id, theme_id=theme.id,
                        title="Du bio à la cantine", body="Dans **toutes** les écoles.")
    db.session.add(proposal)
    db.session.commit()
    consultation = make_consultation(phase="contributions", theme=theme, title="École 2027")
    return {"section": section, "theme": theme, "animateur": animateur, "member": member,
            "group": group, "proposal": proposal, "consultation": consultation}


def _url(w, suffix=""):
    return f"/groups/{w['group'].slug}/proposals/{w['proposal'].id}{suffix}"


def _group_options() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Option)
                             .where(Option.origin == "group"))


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_animateur_submits_a_proposal_which_becomes_a_group_option(client, world, headers):
    login(client, world["animateur"])
    page = text(client.get(_url(world)))
    assert "École 2027" in page and "Soumettre au nom du groupe" in page
    response = client.post(_url(world, "/submit"), headers=headers,
                           data={"consultation": str(world["consultation"].id)})
    if headers:
        assert response.status_code == 200
        html = text(response)
        assert "<html" not in html and 'id="submission"' in html
        assert "École 2027" in html and "En attente du tri" in html
    else:
        assert response.status_code == 303
        html = text(client.get(response.location))
        assert "La proposition est soumise à la consultation" in html
    option = db.session.scalar(select(Option).where(Option.origin == "group"))
    assert (option.consultation_id, option.group_id, option.group_name, option.title) == (
        world["consultation"].id, world["group"].id, "Cantines", "Du bio à la cantine")
    assert option.member_id is None and option.status == "proposed"
    proposal = reload(Proposal, world["proposal"].id)
    assert (proposal.status, proposal.option_id) == ("submitted", option.id)
    assert proposal.submitted_at is not None
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.action == "group.proposal_submit")) is not None
    # Once sorted in, the consultation shows the group as the option's origin.
    consultations_service.accept(option, world["consultation"])
    db.session.commit()
    login(client, world["member"])
    assert "groupe Cantines" in text(client.get(
        f"/consultations/{world['consultation'].id}"))


def test_the_proposal_page_follows_what_became_of_the_option(client, world):
    login(client, world["animateur"])
    client.post(_url(world, "/submit"), data={"consultation": str(world["consultation"].id)})
    option = db.session.scalar(select(Option).where(Option.origin == "group"))
    consultation = world["consultation"]
    login(client, world["member"])
    consultations_service.reject(option, consultation, "Hors sujet pour cette fois")
    db.session.commit()
    assert "Pas retenue : Hors sujet pour cette fois" in text(client.get(_url(world)))
    other = db.session.scalar(select(Option).where(Option.title == "Logement"))
    consultations_service.merge(option, other, consultation)
    db.session.commit()
    assert "Fusionnée avec « Logement »" in text(client.get(_url(world)))
    consultations_service.accept(option, consultation)
    db.session.commit()
    html = text(client.get(_url(world)))
    assert "Retenue parmi les options" in html and "Classée" not in html
    # The vote, then the close: the stored national rank shows on the proposal page.
    consultation.vote_opens_at = consultation.contributions_open_at
    db.session.commit()
    voters = [make_member() for _ in range(5)]  # five ballots: the national cell shows
    for voter in voters:
        vote(consultation, voter, ["Du bio à la cantine", "Santé"])
    close_now(consultation)
    rank = reload(Option, option.id).final_rank
    assert rank == 1
    assert f"Classée n° {rank} au résultat national" in text(client.get(_url(world)))


def _other_consultation(w, kind):
    if kind == "vote":
        return make_consultation(phase="vote", theme=w["theme"], title="Déjà au vote").id
    if kind == "theme":
        return make_consultation(phase="contributions", theme=make_theme("Santé"),
                                 title="Autre thème").id
    if kind == "elsewhere":
        return make_consultation(phase="contributions", theme=w["theme"], federation="95",
                                 title="Val-d'Oise").id
    return 999999


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
@pytest.mark.parametrize(("kind", "status", "message"), [
    ("vote", 409, "Cette consultation ne reçoit pas de propositions en ce moment."),
    ("theme", 422, "Cette consultation porte sur un autre thème que la proposition."),
    ("elsewhere", 403, "Cette consultation ne concerne pas ce groupe."),
    ("missing", 404, "Cette consultation n'existe pas."),
])
def test_submission_to_a_wrong_consultation_is_refused(client, world, headers, kind, status,
                                                       message):
    target = _other_consultation(world, kind)
    login(client, world["animateur"])
    page = text(client.get(_url(world)))
    assert "Déjà au vote" not in page and "Autre thème" not in page and "Val-d'Oise" not in page
    response = client.post(_url(world, "/submit"), headers=headers,
                           data={"consultation": str(target)})
    assert response.status_code == status
    assert message in text(response)
    if headers:
        assert "<html" not in text(response)
    assert _group_options() == 0
    proposal = reload(Proposal, world["proposal"].id)
    assert (proposal.status, proposal.option_id) == ("draft", None)


@pytest.mark.parametrize("headers", [{}, HX], ids=["plain", "htmx"])
def test_submitting_twice_is_refused(client, world, headers):
    login(client, world["animateur"])
    data = {"consultation": str(world["consultation"].id)}
    assert client.post(_url(world, "/submit"), data=data).status_code == 303
    response = client.post(_url(world, "/submit"), headers=headers, data=data)
    assert response.status_code == 409
    assert "Cette proposition est déjà soumise à une consultation." in text(response)
    assert _group_options() == 1


@pytest.mark.parametrize("data", [{}, {"consultation": "abc"}, {"consultation": "-1"}])
def test_submission_without_a_consultation_asks_for_one(client, world, data):
    login(client, world["animateur"])
    response = client.post(_url(world, "/submit"), headers=HX, data=data)
    assert response.status_code == 422
    html = text(response)
    assert "Choisis une consultation." in html and "<html" not in html
    assert _group_options() == 0


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_only_animateurs_submit(client, world, role):
    who = world["member"] if role == "member" else new_member()
    login(client, who)
    page = text(client.get(_url(world)))
    assert "Soumettre au nom du groupe" not in page
    assert "l'animation du groupe peut la porter" in page
    response = client.post(_url(world, "/submit"),
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 403
    assert _group_options() == 0
    assert reload(Proposal, world["proposal"].id).status == "draft"


def test_section_secretary_may_submit_for_the_group(client, world):
    secretary = make_member(roles=[("secretary", world["section"])])
    login(client, secretary)
    response = client.post(_url(world, "/submit"),
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 303
    assert _group_options() == 1


def test_a_proposal_of_another_group_cannot_be_reached(client, world):
    other = make_group("Autre groupe", creator=world["animateur"])
    login(client, world["animateur"])
    response = client.post(f"/groups/{other.slug}/proposals/{world['proposal'].id}/submit",
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 404
    assert _group_options() == 0


def test_a_proposal_too_long_for_an_option_is_refused_whole(client, world):
    proposal = reload(Proposal, world["proposal"].id)
    proposal.title = "T" * 180
    db.session.commit()
    login(client, world["animateur"])
    response = client.post(_url(world, "/submit"),
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 422
    assert "Donne un titre de 160 caractères au plus." in text(response)
    assert _group_options() == 0
    assert reload(Proposal, world["proposal"].id).status == "draft"


def test_a_proposal_without_theme_says_how_to_submit_it(client, world):
    proposal = reload(Proposal, world["proposal"].id)
    proposal.theme_id = None
    db.session.commit()
    login(client, world["animateur"])
    page = text(client.get(_url(world)))
    assert "Donne un thème à la proposition" in page and "École 2027" not in page
    response = client.post(_url(world, "/submit"),
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 422
    assert _group_options() == 0


def test_an_archived_group_submits_nothing(client, world):
    world["group"].archived_at = world["proposal"].created_at
    db.session.commit()
    login(client, world["animateur"])
    response = client.post(_url(world, "/submit"),
                           data={"consultation": str(world["consultation"].id)})
    assert response.status_code == 409
    assert "Ce groupe est archivé" in text(response)
    assert _group_options() == 0
