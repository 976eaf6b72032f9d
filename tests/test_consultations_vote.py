"""Voting: the phone ballot and the plain form, every method, bad input, one ballot each."""

import pytest
from sqlalchemy import func, select

from coopol.consultations import ballots
from coopol.consultations.models import Ballot, BallotChoice, Participation
from coopol.extensions import db
from tests.conftest import CERGY, login, make_member, make_section
from tests.consultations_factories import make_consultation, option_ids, vote


def my_ballot(consultation, member):
    db.session.expire_all()
    names = {v: k for k, v in option_ids(consultation).items()}
    return [(names[oid], value) for oid, value in ballots.own_ballot(consultation, member) or []]


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Participation, Ballot, BallotChoice))


def tap(client, consultation, action, option_id, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/consultations/{consultation.id}/vote/tap",
                       data={"action": action, "option": option_id}, headers=headers)


def test_phone_ballot_taps_in_order_reorders_and_saves_each_change(member_client, member):
    consultation = make_consultation("vote", max_choices=3)
    ids = option_ids(consultation)
    for title in ("Santé", "Logement", "École"):
        response = tap(member_client, consultation, "add", ids[title])
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and "<html" not in html and 'id="ballot"' in html
    assert my_ballot(consultation, member) == [("Santé", 1), ("Logement", 2), ("École", 3)]
    tap(member_client, consultation, "up", ids["École"])
    tap(member_client, consultation, "down", ids["Santé"])
    assert my_ballot(consultation, member) == [("École", 1), ("Santé", 2), ("Logement", 3)]
    tap(member_client, consultation, "remove", ids["École"])
    assert my_ballot(consultation, member) == [("Santé", 1), ("Logement", 2)]
    assert counts()[:2] == (1, 1)


def test_tap_without_javascript_redirects_to_the_ballot(member_client, member):
    consultation = make_consultation("vote")
    response = tap(member_client, consultation, "add", option_ids(consultation)["Santé"], False)
    assert response.status_code == 303 and response.location.endswith("/vote")
    page = member_client.get(response.location).get_data(as_text=True)
    assert "Ton vote est enregistré" in page and 'name="rank-' in page


@pytest.mark.parametrize(("method", "form", "expected"), [
    ("ranking", {"rank-Santé": "2", "rank-École": "1", "rank-Logement": ""},
     [("École", 1), ("Santé", 2)]),
    ("multiple", {"choice": ["Santé", "Transports"]}, [("Santé", 1), ("Transports", 1)]),
    ("points", {"points-Santé": "7", "points-École": "3", "points-Logement": "0"},
     [("Santé", 7), ("École", 3)]),
])
def test_plain_form_records_the_whole_ballot(member_client, member, method, form, expected):
    consultation = make_consultation("vote", method=method, max_choices=2)
    ids = option_ids(consultation)
    data = {}
    for key, value in form.items():
        if key == "choice":
            data["choice"] = [str(ids[t]) for t in value]
        else:
            prefix, title = key.split("-")
            data[f"{prefix}-{ids[title]}"] = value
    response = member_client.post(f"/consultations/{consultation.id}/vote", data=data)
    assert response.status_code == 303
    assert sorted(my_ballot(consultation, member)) == sorted(expected)


def test_member_changes_the_ballot_until_the_close(member_client, member):
    consultation = make_consultation("vote")
    vote(consultation, member, ["Santé", "Logement"])
    ids = option_ids(consultation)
    member_client.post(f"/consultations/{consultation.id}/vote",
                       data={f"rank-{ids['École']}": "1"})
    assert my_ballot(consultation, member) == [("École", 1)]
    assert counts() == (1, 1, 1)


@pytest.mark.parametrize(("method", "data", "message"), [
    ("ranking", {"rank-Santé": "1", "rank-École": "1"}, "le même rang"),
    ("ranking", {"rank-Santé": "1", "rank-École": "2", "rank-Logement": "3"},
     "classer 2 options au plus"),
    ("ranking", {"rank-999999": "1"}, "n&#39;existe pas"),
    ("ranking", {"rank-Santé": "premier"}, "nombres entiers"),
    ("multiple", {"choice": ["Santé", "École", "Logement"]}, "choisir 2 options au plus"),
    ("multiple", {"choice": ["Santé", "Santé"]}, "deux fois la même option"),
    ("points", {"points-Santé": "8", "points-École": "8"}, "16 points, pour 10 au plus"),
    ("points", {"points-Santé": "-3"}, "négatifs"),
])
def test_bad_ballots_are_refused_and_nothing_changes(member_client, member, method, data,
                                                     message):
    consultation = make_consultation("vote", method=method, max_choices=2)
    vote(consultation, member, ["Transports"] if method != "points" else {"Transports": 4})
    before, ids = counts(), option_ids(consultation)
    posted = {}
    for key, value in data.items():
        if key == "choice":
            posted["choice"] = [str(ids[t]) for t in value]
        else:
            prefix, name = key.split("-")
            posted[f"{prefix}-{ids.get(name, name)}"] = value
    response = member_client.post(f"/consultations/{consultation.id}/vote", data=posted)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts() == before
    assert [t for t, _v in my_ballot(consultation, member)] == ["Transports"]


def test_tap_on_unknown_option_is_refused_in_place(member_client, member):
    consultation = make_consultation("vote")
    foreign = option_ids(make_consultation("vote", title="Autre"))["Santé"]
    response = tap(member_client, consultation, "add", foreign)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in html and "n&#39;existe pas" in html
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(("phase", "message"), [
    ("contributions", "Le vote n&#39;est pas encore ouvert."),
    ("counting", "Le vote est clos."),
])
def test_voting_outside_the_vote_phase_is_refused(member_client, phase, message):
    consultation = make_consultation(phase)
    ids = option_ids(consultation)
    response = member_client.post(f"/consultations/{consultation.id}/vote",
                                  data={f"rank-{ids['Santé']}": "1"})
    assert response.status_code == 409 and message in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("case", ["sympathisant", "other_section", "unconfirmed_adherent"])
def test_members_not_eligible_cannot_vote(client, case):
    section = make_section()
    other = make_section("Cergy", "95", [CERGY])
    consultation = make_consultation("vote", section=section if case == "other_section" else None,
                                     eligibility="members" if case == "other_section"
                                     else "adherents")
    member = {"sympathisant": lambda: make_member(),
              "other_section": lambda: make_member(commune=CERGY),
              "unconfirmed_adherent": lambda: make_member(status="adherent",
                                                          adherent_confirmed=False)}[case]()
    assert other.id
    login(client, member)
    ids = option_ids(consultation)
    response = client.post(f"/consultations/{consultation.id}/vote",
                           data={f"rank-{ids['Santé']}": "1"})
    assert response.status_code == 403
    assert tap(client, consultation, "add", ids["Santé"]).status_code == 403
    assert counts() == (0, 0, 0)


def test_confirmed_adherent_votes_in_adherents_only_consultation(client, section):
    consultation = make_consultation("vote", eligibility="adherents")
    adherent = make_member(status="adherent")
    login(client, adherent)
    assert tap(client, consultation, "add", option_ids(consultation)["Santé"]).status_code == 200
    assert counts()[0] == 1


def test_anonymous_cannot_vote(client):
    consultation = make_consultation("vote")
    response = client.post(f"/consultations/{consultation.id}/vote", data={})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_own_ballot_is_shown_only_to_its_voter(client, section):
    consultation = make_consultation("vote")
    voter, neighbour = make_member(), make_member()
    vote(consultation, voter, ["Transports", "École"])
    login(client, neighbour)
    page = client.get(f"/consultations/{consultation.id}/vote").get_data(as_text=True)
    assert "Rien pour l" in page and " selected" not in page
    login(client, voter)
    page = client.get(f"/consultations/{consultation.id}/vote").get_data(as_text=True)
    assert page.count(" selected") == 2


def test_participation_lists_names_and_eligible_counts_never_choices(client, section):
    consultation = make_consultation("vote")
    voter = make_member(name="Zoé Votante")
    make_member(name="Yann Abstention")
    make_member(commune=None, name="Sans Commune")
    vote(consultation, voter, ["Transports"])
    login(client, voter)
    page = client.get(f"/consultations/{consultation.id}/participation").get_data(as_text=True)
    assert "Zoé Votante" in page and "Yann Abstention" not in page
    assert "Transports" not in page
    assert "<th scope=\"row\">Grenoble</th><td>2</td><td>1</td>" in page
    fragment = client.get(f"/consultations/{consultation.id}/participation?page=1",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="participants"' in fragment
