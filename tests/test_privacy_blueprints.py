"""GDPR across blueprints: groups, events and consultations export what they hold on a member,
take part in erasure (counters kept right) and forget old guests."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.consultations.models import Option, Participation
from coopol.database import utcnow
from coopol.events import calendar
from coopol.events.models import CalendarFeed, Event, Rsvp
from coopol.extensions import db
from coopol.groups.models import (
    Group,
    GroupMembership,
    Post,
    PostReport,
    Proposal,
    ProposalSupport,
)
from coopol.mail import OutboxMail
from coopol.profile import privacy
from tests.conftest import PASSWORD, login, make_member, reload
from tests.consultations_factories import make_consultation, vote
from tests.events_factories import join, make_event
from tests.groups_factories import add_member, make_group, make_proposal, make_thread, text


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def lea(section):
    """Léa: in two groups (the only animateur of one), with a post, a proposal, a support and
    a report; coming to two events and waiting for none; a contributor and a voter."""
    lea = make_member(email="lea@exemple.fr", name="Léa")
    other = make_member()
    secretary = make_member(roles=[("secretary", section)])
    shared = make_group("Quartier Berriat", creator=other, section=section)
    add_member(shared, lea)
    hers = make_group("Vélo Grenoble", creator=lea, section=section)
    thread = make_thread(shared, lea, title="Collage samedi", body="Qui vient coller ?")
    own = make_proposal(shared, lea, title="Des pistes cyclables")
    supported = make_proposal(shared, other, title="Des bancs publics")
    db.session.add(ProposalSupport(proposal_id=supported.id, member_id=lea.id))
    supported.support_count = 1
    reported = make_thread(shared, other, title="Message douteux")
    db.session.add(PostReport(post_id=reported.id, reporter_id=lea.id, reason="Hors sujet"))
    reported.report_count = 1
    db.session.commit()
    full = make_event(section, title="Porte-à-porte", capacity=1)
    join(full, lea)
    waiting = make_member()
    join(full, waiting)
    past = make_event(section, title="Réunion passée", starts_in=timedelta(days=-2))
    db.session.add(Rsvp(event_id=past.id, member_id=lea.id, status="going", code="PAST01",
                        checked_in_at=past.starts_at))
    past.going_count = 1
    calendar.renew_feed(lea)
    db.session.commit()
    consultation = make_consultation(phase="vote", title="Nos priorités")
    db.session.add(Option(consultation_id=consultation.id, title="Un tram pour Échirolles",
                          origin="member", member_id=lea.id, status="accepted"))
    db.session.commit()
    vote(consultation, lea, ["Transports"])
    return {"lea": lea, "other": other, "secretary": secretary, "shared": shared, "hers": hers,
            "thread": thread, "own": own, "supported": supported, "reported": reported,
            "full": full, "past": past, "waiting": waiting, "consultation": consultation}


def test_export_holds_what_groups_events_and_consultations_know_never_a_ballot(client, lea):
    login(client, lea["lea"])
    response = client.get("/profile/data.json")
    data = response.json
    assert {g["groupe"]: g["role"] for g in data["groupes"]} == {
        "Quartier Berriat": "member", "Vélo Grenoble": "animateur"}
    assert [p["titre"] for p in data["messages_de_groupes"]] == ["Collage samedi"]
    assert [p["titre"] for p in data["propositions_de_groupes"]] == ["Des pistes cyclables"]
    assert [s["proposition"] for s in data["soutiens"]] == ["Des bancs publics"]
    assert [r["raison"] for r in data["signalements"]] == ["Hors sujet"]
    rsvps = {r["evenement"]: r for r in data["inscriptions_evenements"]}
    assert rsvps["Porte-à-porte"]["statut"] == "going"
    assert rsvps["Réunion passée"]["present"] is not None
    assert data["agenda_prive"]["cree"] is not None
    assert [c["titre"] for c in data["contributions_aux_consultations"]] == [
        "Un tram pour Échirolles"]
    assert [p["consultation"] for p in data["participations_aux_consultations"]] == [
        "Nos priorités"]
    body = json.dumps(data, ensure_ascii=False)
    assert "Transports" not in body and "ballot" not in body.lower()
    html = text(client.get("/profile/data"))
    assert "Quartier Berriat" in html and "Un tram pour Échirolles" in html


def test_erasure_leaves_groups_and_events_with_counters_right(client, lea, sent_mail):
    login(client, lea["lea"])
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 303
    member_id = lea["lea"].id
    assert _count(GroupMembership, GroupMembership.member_id == member_id) == 0
    assert reload(Group, lea["shared"].id).member_count == 1 == _count(
        GroupMembership, GroupMembership.group_id == lea["shared"].id)
    assert reload(Group, lea["hers"].id).member_count == 0
    # Her group lost its last animateur: the section's secretary is told.
    assert db.session.scalar(select(OutboxMail.recipient).where(
        OutboxMail.template == "group_orphaned")) == lea["secretary"].email
    # Supports and reports are withdrawn with their counters.
    assert _count(ProposalSupport, ProposalSupport.member_id == member_id) == 0
    assert reload(Proposal, lea["supported"].id).support_count == 0
    assert _count(PostReport, PostReport.reporter_id == member_id) == 0
    assert reload(Post, lea["reported"].id).report_count == 0
    # Posts and proposals stay, signed "Ancien membre".
    assert reload(Post, lea["thread"].id).author_id is None
    assert reload(Proposal, lea["own"].id).author_id is None
    login(client, lea["other"])
    page = text(client.get(f"/groups/{lea['shared'].slug}/threads/{lea['thread'].id}"))
    assert "Qui vient coller ?" in page and privacy.ERASED_NAME in page and "Léa" not in page
    # Her RSVPs are gone; the freed place went to the first waiting; counts match.
    assert _count(Rsvp, Rsvp.member_id == member_id) == 0
    waiting = db.session.scalar(select(Rsvp).where(Rsvp.member_id == lea["waiting"].id))
    assert waiting.status == "going"
    for event_id in (lea["full"].id, lea["past"].id):
        assert reload(Event, event_id).going_count == _count(
            Rsvp, Rsvp.event_id == event_id, Rsvp.status == "going")
    assert _count(CalendarFeed, CalendarFeed.member_id == member_id) == 0
    # Her contribution stays, anonymous; her participation stays counted.
    option = db.session.scalar(select(Option).where(Option.title == "Un tram pour Échirolles"))
    assert option is not None and option.member_id is None
    assert _count(Participation, Participation.consultation_id == lea["consultation"].id) == 1
    mail.work_once()
    assert [m["To"] for m in sent_mail if "Porte-à-porte" in m["Subject"]] == [
        lea["waiting"].email]


def test_purging_an_unconfirmed_account_keeps_group_counters_right(section):
    ghost = make_member(confirmed=False)
    ghost.created_at = utcnow() - timedelta(days=40)
    group = make_group("Quartier Berriat", section=section)
    add_member(group, ghost)
    event = make_event(section)
    join(event, ghost)
    counts = privacy.purge()
    assert counts["comptes non confirmés"] == 1
    assert reload(Group, group.id).member_count == 1
    assert reload(Event, event.id).going_count == 0


def _guest(event, email, status):
    rsvp = Rsvp(event_id=event.id, guest_name="Invitée", guest_email=email, status=status,
                code=email[:6].upper())
    db.session.add(rsvp)
    if status == "going":
        event.going_count += 1
    db.session.commit()
    return rsvp.id


def test_purge_forgets_guests_of_events_ended_long_ago(app, section):
    old = make_event(section, title="Vieille réunion", starts_in=timedelta(days=-100))
    recent = make_event(section, title="Réunion récente", starts_in=timedelta(days=-10))
    came = _guest(old, "venue@exemple.fr", "going")
    cancelled = _guest(old, "annule@exemple.fr", "cancelled")
    member = make_member()
    db.session.add(Rsvp(event_id=old.id, member_id=member.id, status="going", code="MEMB01"))
    old.going_count += 1
    db.session.commit()
    fresh = _guest(recent, "recente@exemple.fr", "going")
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 invité·es d'anciens événements" in result.output
    kept = reload(Rsvp, came)
    assert (kept.guest_name, kept.guest_email, kept.status) == ("", None, "going")
    assert reload(Rsvp, cancelled) is None
    assert reload(Rsvp, fresh).guest_email == "recente@exemple.fr"
    assert _count(Rsvp, Rsvp.member_id == member.id) == 1
    assert reload(Event, old.id).going_count == 2 == _count(
        Rsvp, Rsvp.event_id == old.id, Rsvp.status == "going")
