"""Blocking an account: who may, what it does at once, what each list hides, and unblocking."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from coopol.consultations.models import Option
from coopol.database import utcnow
from coopol.events import calendar, rsvps
from coopol.extensions import db
from coopol.groups import notifications
from coopol.mail import OutboxMail
from coopol.profile import blocking, privacy
from coopol.profile.models import AuditLog, Member
from tests.conftest import ECHIROLLES, PASSWORD, login, make_member, make_section, reload
from tests.consultations_factories import make_consultation, vote
from tests.events_factories import join, make_event
from tests.groups_factories import add_member, make_group, make_proposal, make_reply, make_thread
from tests.querycount import count_queries

TROLL = ("Fil du troll", "Réponse du troll", "Proposition du troll", "Réunion du troll",
         "Priorité du troll")


@pytest.fixture
def scene():
    """A member ("troll") who wrote, proposed, organised and RSVPed everywhere, in a section
    with its secretary, a group, events and a consultation; a reader who sees it all."""
    section = make_section()
    secretary = make_member(roles=[("secretary", section)], name="Secrétaire")
    troll = make_member(email="troll@exemple.fr", name="Trollin", visibility="members")
    reader = make_member(name="Lecteur", visibility="members")
    group = make_group(section=section)
    add_member(group, troll)
    add_member(group, reader)
    own = make_thread(group, troll, title="Fil du troll")
    thread = make_thread(group, reader, title="Fil du lecteur")
    make_reply(thread, troll, body="Réponse du troll")
    proposal = make_proposal(group, troll, title="Proposition du troll")
    coming = make_event(section, organiser=troll, title="Réunion du troll", group_id=group.id)
    join(coming, reader)  # on the reader's home page and in their calendar feed
    feed = calendar.renew_feed(reader)
    held = make_event(section, organiser=troll, title="Ancienne réunion",
                      starts_in=-timedelta(days=3))
    party = make_event(section, organiser=secretary, title="Fête de section")
    join(party, troll)
    guest = rsvps.guest_request(party.id, "Invité du troll", "troll@exemple.fr")
    rsvps.guest_confirm(guest)
    consultation = make_consultation(phase="contributions")
    db.session.add(Option(consultation_id=consultation.id, title="Priorité du troll",
                          origin="member", member_id=troll.id, status="accepted"))
    db.session.commit()
    return {"section": section, "secretary": secretary, "troll": troll, "reader": reader,
            "group": group, "own": own, "thread": thread, "coming": coming, "held": held,
            "party": party, "consultation": consultation, "proposal": proposal,
            "feed": feed.token}


def _pages(s) -> dict[str, str]:
    """Every page that lists the troll's content, as the reader (or the organiser) sees it."""
    g, c = s["group"].slug, s["consultation"].id
    return {"group": f"/groups/{g}", "threads": f"/groups/{g}/threads",
            "thread": f"/groups/{g}/threads/{s['thread'].id}",
            "proposals": f"/groups/{g}/proposals", "members": f"/groups/{g}/members",
            "events": "/events/", "home": "/", "consultation": f"/consultations/{c}",
            "vote": f"/consultations/{c}/vote",
            "section_ics": f"/events/sections/{s['section'].id}/calendar.ics",
            "group_ics": f"/events/groups/{g}/calendar.ics",
            "feed": f"/events/calendar/{s['feed']}.ics"}


def _block(client, member, reason="Messages injurieux répétés"):
    return client.post(f"/profile/{member.id}/block", data={"reason": reason, "confirm": "y"})


def test_secretary_blocks_in_one_action_and_the_member_is_logged_out(app, scene):
    troll, secretary = scene["troll"], scene["secretary"]
    nonce = troll.session_nonce
    troll_client = app.test_client()
    login(troll_client, troll)
    assert troll_client.get("/profile/").status_code == 200
    moderator = app.test_client()
    login(moderator, secretary)
    page = moderator.get(f"/profile/{troll.id}").get_data(as_text=True)
    assert "Bloquer ce compte et masquer ses contenus" in page
    assert "masquer à tout le monde" in moderator.get(f"/profile/{troll.id}/block").get_data(
        as_text=True)
    response = _block(moderator, troll)
    assert response.status_code == 303
    blocked = reload(Member, troll.id)
    assert blocked.blocked_at is not None and blocked.blocked_reason.startswith("Messages")
    assert blocked.session_nonce != nonce
    assert troll_client.get("/profile/").status_code == 302  # every session is gone
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "member.block"))
    assert (entry.actor_id, entry.subject_id) == (secretary.id, troll.id)
    assert entry.details["reason"] == "Messages injurieux répétés"
    assert "Compte bloqué le" in moderator.get(f"/profile/{troll.id}").get_data(as_text=True)


@pytest.mark.parametrize(("data", "message"), [
    ({"reason": "", "confirm": "y"}, "Indique pourquoi tu bloques ce compte."),
    ({"reason": "   ", "confirm": "y"}, "Indique pourquoi tu bloques ce compte."),
    ({"reason": "Spam"}, "Coche la case pour confirmer le blocage."),
    ({"reason": "x" * 301, "confirm": "y"}, "300 caractères au plus."),
])
def test_block_needs_a_reason_and_a_confirmation(client, scene, data, message):
    login(client, scene["secretary"])
    response = client.post(f"/profile/{scene['troll'].id}/block", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert reload(Member, scene["troll"].id).blocked_at is None
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "member.block")) \
        is None


def test_who_may_block_whom(client, scene):
    other = make_section("Échirolles", "38", (ECHIROLLES,))
    outsider = make_member(commune=ECHIROLLES, roles=[("secretary", other)])
    admin = make_member(roles=[("admin", None)])
    troll, secretary = scene["troll"], scene["secretary"]
    for actor, target, allowed in ((outsider, troll, False), (troll, scene["reader"], False),
                                   (secretary, admin, False), (secretary, secretary, False),
                                   (admin, admin, False), (admin, secretary, True)):
        assert blocking.can_block(actor, target) is allowed, (actor.id, target.id)
    login(client, outsider)
    assert _block(client, troll).status_code == 403
    assert client.post(f"/profile/{troll.id}/unblock").status_code == 403
    assert reload(Member, troll.id).blocked_at is None


def test_blocked_member_cannot_log_in_and_is_told_only_with_the_right_password(client, scene):
    blocking.block(None, scene["troll"], "Spam")
    db.session.commit()
    data = {"email": "troll@exemple.fr", "password": PASSWORD}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 422
    assert "Ce compte est suspendu" in response.get_data(as_text=True)
    wrong = client.post("/auth/login", data={**data, "password": "pas-le-bon-mot"})
    assert "Ce compte est suspendu" not in wrong.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    forgot = client.post("/auth/forgot", data={"email": "troll@exemple.fr"})
    assert forgot.status_code == 303
    data = privacy.member_data(reload(Member, scene["troll"].id))["profil"]
    assert data["raison_du_blocage"] == "Spam" and data["bloque_le"]


def test_every_list_hides_the_blocked_members_content_and_unblock_brings_it_back(app, scene):
    reader = app.test_client()
    login(reader, scene["reader"])
    pages = _pages(scene)
    before = {name: reader.get(path).get_data(as_text=True) for name, path in pages.items()}
    assert all(any(t in html for html in before.values()) for t in TROLL)
    assert "Trollin" in before["members"]
    assert "Réunion du troll" in before["feed"] and "Réunion du troll" in before["home"]
    blocking.block(None, scene["troll"], "Spam")
    db.session.commit()
    during = {name: reader.get(path).get_data(as_text=True) for name, path in pages.items()}
    for name, html in during.items():
        assert not [t for t in TROLL if t in html], name
        assert "Trollin" not in html, name
    assert "Fil du lecteur" in during["threads"] and "Fête de section" in during["events"]
    blocking.unblock(None, reload(Member, scene["troll"].id))
    db.session.commit()
    after = {name: reader.get(path).get_data(as_text=True) for name, path in pages.items()}
    for name in pages:
        shown_before = [t for t in TROLL if t in before[name]]
        assert shown_before == [t for t in TROLL if t in after[name]], name


def test_pages_of_blocked_content_are_not_found(app, scene):
    reader = app.test_client()
    login(reader, scene["reader"])
    g = scene["group"].slug
    paths = [f"/groups/{g}/threads/{scene['own'].id}", f"/events/{scene['coming'].id}",
             f"/profile/{scene['troll'].id}", f"/groups/{g}/proposals/{scene['proposal'].id}",
             f"/events/{scene['coming'].id}/calendar.ics"]
    assert [reader.get(path).status_code for path in paths] == [200] * 5
    blocking.block(None, scene["troll"], "Spam")
    db.session.commit()
    assert [reader.get(path).status_code for path in paths] == [404] * 5
    assert reader.get(f"/events/{scene['held'].id}").status_code == 200  # history stays


def test_organiser_no_longer_sees_the_blocked_members_rsvps(app, scene):
    organiser = app.test_client()
    login(organiser, scene["secretary"])
    path = f"/events/{scene['party'].id}/participants"
    join(scene["party"], scene["reader"])
    names = ("Trollin", "Invité du troll")  # the member's RSVP, and theirs as a guest
    for page in (path, path + ".csv"):
        html = organiser.get(page).get_data(as_text=True)
        assert all(name in html for name in names), page
    blocking.block(None, scene["troll"], "Spam")
    db.session.commit()
    for page in (path, path + ".csv"):
        html = organiser.get(page).get_data(as_text=True)
        assert not any(name in html for name in names), page
        assert "Lecteur" in html, page  # the others stay


def test_blocked_threads_stay_out_of_the_digest(scene):
    blocking.block(None, scene["troll"], "Spam")
    db.session.commit()
    notifications.send_digests(now=utcnow() + timedelta(minutes=1))
    contexts = [row.context for row in db.session.scalars(select(OutboxMail))]
    assert contexts and all("Fil du troll" not in str(c) for c in contexts)
    assert any("Fil du lecteur" in str(c) for c in contexts)


def test_unblock_restores_only_what_the_block_hid(app, scene):
    group, troll = scene["group"], scene["troll"]
    hidden = make_thread(group, troll, title="Fil caché par l'animateur")
    hidden.hidden_at, hidden.hidden_reason = utcnow(), "Hors sujet"
    db.session.commit()
    blocking.block(None, troll, "Spam")
    db.session.commit()
    moderator = app.test_client()
    login(moderator, scene["secretary"])
    listed = moderator.get("/profile/blocked").get_data(as_text=True)
    assert "Trollin" in listed and "Spam" in listed
    response = moderator.post(f"/profile/{troll.id}/unblock", data={"from": "list"},
                              headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Aucun compte bloqué" in response.get_data(
        as_text=True)
    assert reload(Member, troll.id).blocked_at is None
    assert db.session.scalar(select(AuditLog.action).where(
        AuditLog.action == "member.unblock")) == "member.unblock"
    threads = moderator.get(f"/groups/{group.slug}/threads").get_data(as_text=True)
    assert "Fil du troll" in threads
    assert reload(type(hidden), hidden.id).hidden_at is not None  # still the animateur's call
    client = app.test_client()
    response = client.post("/auth/login", data={"email": "troll@exemple.fr",
                                                "password": PASSWORD})
    assert response.status_code == 303


def test_lists_cost_the_same_statements_with_blocked_authors(app, scene):
    reader = app.test_client()
    login(reader, scene["reader"])
    reader.get("/")
    paths = list(_pages(scene).values()) + [f"/events/{scene['party'].id}/participants"]
    login(reader, scene["secretary"])
    reader.get("/")
    counts = []
    for _ in range(2):
        with count_queries() as queries:
            for path in paths:
                reader.get(path)
        counts.append(queries.count)
        for n in range(5):
            blocked = make_member(name=f"Bloqué {n}")
            add_member(scene["group"], blocked)
            make_thread(scene["group"], blocked, title=f"Fil {n}")
            blocking.block(None, blocked, "Spam")
        db.session.commit()
    assert counts[0] == counts[1]


def test_moderation_and_participation_lists_hide_the_blocked_member(app, scene):
    consultation, troll = scene["consultation"], scene["troll"]
    db.session.add(Option(consultation_id=consultation.id, title="Idée du troll à trier",
                          origin="member", member_id=troll.id, status="proposed"))
    db.session.commit()
    voting = make_consultation(title="Au vote")
    vote(voting, troll, ["Logement"])
    vote(voting, scene["reader"], ["Santé"])
    admin = app.test_client()
    login(admin, make_member(roles=[("admin", None)]))
    pages = {f"/consultations/{consultation.id}/options": "Idée du troll à trier",
             f"/consultations/{voting.id}/participation": "Trollin"}
    for path, text in pages.items():
        assert text in admin.get(path).get_data(as_text=True), path
    blocking.block(None, troll, "Spam")
    db.session.commit()
    for path, text in pages.items():
        html = admin.get(path).get_data(as_text=True)
        assert text not in html, path
    assert "Lecteur" in admin.get(f"/consultations/{voting.id}/participation").get_data(
        as_text=True)
