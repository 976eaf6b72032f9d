"""Notifications: who hears of what (interests and place together), once; settings; the bell;
the list; the mail-off link."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from coopol import mail
from coopol.consultations import service as consultations_service
from coopol.database import utcnow
from coopol.events import rsvps
from coopol.extensions import db
from coopol.groups import service_posts
from coopol.mail import OutboxMail
from coopol.notify import service
from coopol.notify.models import Notification, NotificationSetting
from coopol.profile import privacy
from tests.conftest import ECHIROLLES, login, make_member, make_theme
from tests.consultations_factories import make_consultation, vote
from tests.events_factories import event_form, join, make_event, make_organiser
from tests.groups_factories import add_member, make_group, membership
from tests.querycount import count_queries

HX = {"HX-Request": "true"}
VIENNE = "38544"  # Isère, outside Grenoble's section and its EPCI


def notes(member) -> list[tuple[str, str]]:
    db.session.expire_all()
    return list(db.session.execute(
        select(Notification.verb, Notification.title)
        .where(Notification.member_id == member.id).order_by(Notification.id)).all())


def outbox_to(email) -> list[OutboxMail]:
    return list(db.session.scalars(select(OutboxMail).where(OutboxMail.recipient == email)))


def publish(client, section, organiser, **overrides):
    login(client, organiser)
    response = client.post("/events/new", data=event_form(section, **overrides))
    assert response.status_code == 303, response.text
    return int(response.location.rsplit("/", 1)[1])


# --- matching ------------------------------------------------------------------------------


def test_new_event_reaches_members_on_its_theme_in_its_section_or_epci_only(client, section):
    housing, health = make_theme("Logement"), make_theme("Santé")
    in_section = make_member(interests=[housing])
    in_epci = make_member(commune=ECHIROLLES, interests=[housing])
    far_away = make_member(commune=VIENNE, interests=[housing])
    other_theme = make_member(interests=[health])
    organiser = make_organiser(section, interests=[housing])
    publish(client, section, organiser, theme_id=str(housing.id), title="Porte-à-porte logement")
    assert notes(in_section) == [("event_published", "Porte-à-porte logement")]
    assert notes(in_epci) == [("event_published", "Porte-à-porte logement")]
    assert notes(far_away) == notes(other_theme) == notes(organiser) == []


def test_event_of_my_group_near_me_on_my_theme_notifies_me_once(client, section):
    theme = make_theme()
    both = make_member(interests=[theme])
    animateur = make_member()
    group = make_group(creator=animateur, section=section)
    add_member(group, both)
    silent = make_member()
    add_member(group, silent, notify="none")
    publish(client, section, animateur, theme_id=str(theme.id), group_id=str(group.id))
    assert [verb for verb, _title in notes(both)] == ["event_published"]
    assert notes(silent) == []
    assert notes(animateur) == []  # the organiser does not hear of their own event


def test_group_thread_and_proposal_reach_members_but_not_the_author_nor_silenced(section):
    author, reader, silent = make_member(), make_member(), make_member()
    group = make_group(section=section)
    for person in (author, reader):
        add_member(group, person)
    add_member(group, silent, notify="none")
    service_posts.start_thread(author, group, membership(group, author), "Réunion", "Jeudi ?")
    service_posts.draft_proposal(author, group, membership(group, author), "Cantines", "Bio", None)
    db.session.commit()
    assert notes(reader) == [("group_post", "Réunion"), ("group_proposal", "Cantines")]
    assert notes(author) == notes(silent) == []


def test_consultation_opened_reaches_my_theme_in_my_scope_and_closing_skips_voters(section):
    theme = make_theme()
    fan, voter = make_member(interests=[theme]), make_member(interests=[theme])
    elsewhere = make_member(commune=VIENNE, interests=[theme])
    indifferent = make_member()
    consultation = make_consultation(phase="vote", section=section, theme=theme)
    assert consultations_service.announce_due() == (0, 1)  # opened two days ago: only closing
    db.session.commit()
    assert notes(fan) == notes(voter) == [("consultation_closing", "Nos priorités")]
    assert notes(elsewhere) == notes(indifferent) == []
    fresh = make_consultation(phase="contributions", section=section, theme=theme, title="Neuve")
    vote(consultation, voter, ["Logement"])
    db.session.execute(Notification.__table__.delete())
    assert consultations_service.announce_due() == (1, 1)
    db.session.commit()
    assert notes(fan) == [("consultation_opened", fresh.title),
                          ("consultation_closing", "Nos priorités")]
    assert notes(voter) == [("consultation_opened", fresh.title)]


def test_announcing_again_notifies_nobody_twice(section):
    theme = make_theme()
    fan = make_member(interests=[theme])
    service.save_settings(fan.id, consultation="mail")
    make_consultation(phase="contributions", section=section, theme=theme)
    for _ in range(2):
        consultations_service.announce_due()
        db.session.commit()
    assert len(notes(fan)) == 1
    assert len(outbox_to(fan.email)) == 1


def test_rsvp_promotion_and_cancellation_reach_the_member(client, section):
    event = make_event(section, make_organiser(section), capacity=1)
    first, second = make_member(), make_member()
    join(event, first)
    join(event, second)
    rsvps.leave(event.id, first)
    db.session.commit()
    assert notes(second) == [("rsvp_promoted", event.title)]
    admin = make_member(roles=[("admin", None)])
    login(client, admin)
    assert client.post(f"/events/{event.id}/cancel").status_code == 303
    assert notes(second)[-1] == ("event_cancelled", event.title)
    assert notes(first) == []  # no longer coming: not told


def test_a_failed_action_notifies_nobody(client, section):
    theme = make_theme()
    fan = make_member(interests=[theme])
    login(client, make_organiser(section))
    response = client.post("/events/new", data=event_form(section, theme_id=str(theme.id),
                                                          title=""))
    assert response.status_code == 422
    assert notes(fan) == []


# --- channels ------------------------------------------------------------------------------


def test_mail_now_queues_one_mail_with_a_working_off_link(client, section, sent_mail):
    theme = make_theme()
    fan = make_member(interests=[theme])
    service.save_settings(fan.id, event="mail")
    db.session.commit()
    event_id = publish(client, section, make_organiser(section), theme_id=str(theme.id))
    mail.work_once()
    assert [m["To"] for m in sent_mail] == [fan.email]
    body = sent_mail[0].get_content()
    assert "Nouvel événement près de chez toi" in sent_mail[0]["Subject"]
    open_link = re.search(r"http://coopol\.test(/notify/\d+)", body).group(1)
    off_link = re.search(r"http://coopol\.test(/notify/off/\S+)", body).group(1)
    client.post("/auth/logout")
    page = client.get(off_link)  # logged out
    assert page.status_code == 200 and "Ne plus recevoir ces mails" in page.text
    assert client.post(off_link).status_code == 303
    assert service.settings_of(fan)["event"] == "app"
    assert "Tu ne reçois plus de mail" in client.get(off_link).text
    login(client, fan)
    response = client.get(open_link)
    assert response.status_code == 303 and response.location.endswith(f"/events/{event_id}")
    assert db.session.scalar(select(Notification.read_at)) is not None


def test_forged_off_link_is_refused_without_change(client, section):
    fan = make_member()
    service.save_settings(fan.id, event="mail")
    db.session.commit()
    token = service.off_token(fan.id, "event")
    assert client.get(f"/notify/off/{token[:-2]}xx").status_code == 404
    assert client.post(f"/notify/off/{token[:-2]}xx").status_code == 404
    assert service.settings_of(fan)["event"] == "mail"


def test_kind_turned_off_makes_no_notification_and_unconfirmed_address_gets_no_mail(client,
                                                                                   section):
    theme = make_theme()
    off, unconfirmed = make_member(interests=[theme]), make_member(interests=[theme],
                                                                   confirmed=False)
    service.save_settings(off.id, event="off")
    service.save_settings(unconfirmed.id, event="mail")
    db.session.commit()
    publish(client, section, make_organiser(section), theme_id=str(theme.id))
    assert notes(off) == []
    assert len(notes(unconfirmed)) == 1 and outbox_to(unconfirmed.email) == []


# --- pages ---------------------------------------------------------------------------------


def make_notes(member, n):
    db.session.add_all(Notification(member_id=member.id, kind="group", verb="group_post",
                                    title=f"Sujet {k}", target_type="post", target_id=k,
                                    dedup_key=f"post:{k}") for k in range(n))
    db.session.commit()


def test_bell_counts_unread_and_mark_all_read_works_with_and_without_htmx(client, member):
    make_notes(member, 3)
    login(client, member)
    home = client.get("/")
    assert 'hx-get="/notify/bell"' in home.text and 'hx-trigger="load, every 60s"' in home.text
    bell = client.get("/notify/bell", headers=HX)
    assert ">3<" in bell.text and 'hx-trigger="every 60s"' in bell.text
    assert client.post("/notify/read", headers=HX).status_code == 200
    assert "badge" not in client.get("/notify/bell", headers=HX).text
    db.session.add(Notification(member_id=member.id, kind="rsvp", verb="rsvp_promoted",
                                title="Place", target_type="event", target_id=1, dedup_key="x"))
    db.session.commit()
    response = client.post("/notify/read")
    assert response.status_code == 303 and response.location.endswith("/notify/")
    assert service.unread_count(member) == 0


def test_notifications_page_is_paginated_newest_first_and_mine_only(client, member):
    make_notes(member, 25)
    other = make_member()
    login(client, member)
    page = client.get("/notify/")
    assert page.status_code == 200
    assert page.text.index("Sujet 24") < page.text.index("Sujet 23")
    assert "Sujet 0<" not in page.text and "Sujet 0<" in client.get("/notify/?page=2").text
    theirs = db.session.scalar(select(Notification.id).limit(1))
    login(client, other)
    assert client.get(f"/notify/{theirs}").status_code == 404
    assert client.get("/notify/").text.count("Sujet") == 0


def test_a_notification_title_is_shown_escaped(client, member):
    db.session.add(Notification(member_id=member.id, kind="group", verb="group_post",
                                title="<script>alert(1)</script>", target_type="post",
                                target_id=1, dedup_key="post:1"))
    db.session.commit()
    login(client, member)
    html = client.get("/notify/").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html


def test_notification_of_something_gone_says_so(client, member):
    db.session.add(Notification(member_id=member.id, kind="group", verb="group_post",
                                title="Disparu", target_type="post", target_id=999999,
                                dedup_key="post:999999"))
    db.session.commit()
    login(client, member)
    note_id = db.session.scalar(select(Notification.id))
    response = client.get(f"/notify/{note_id}", follow_redirects=True)
    assert "Ce contenu n&#39;existe plus" in response.text


def test_settings_saved_with_and_without_htmx_and_invalid_choice_refused(client, member):
    login(client, member)
    page = client.get("/notify/settings")
    assert page.status_code == 200
    assert re.search(r'<input checked id="event-\d" name="event"[^>]* value="digest"', page.text)
    data = {"event": "mail", "consultation": "off", "group": "app", "rsvp": "off",
            "digest_period": "daily"}
    response = client.post("/notify/settings", data=data)
    assert response.status_code == 303
    assert service.settings_of(member) == {**data}
    fragment = client.post("/notify/settings", data={**data, "event": "digest"}, headers=HX)
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith("<form")
    assert service.settings_of(member)["event"] == "digest"
    refused = client.post("/notify/settings", data={**data, "group": "mail"})
    assert refused.status_code == 422 and 'class="error"' in refused.text
    assert service.settings_of(member)["group"] == "app"


def test_turning_digest_off_keeps_pending_items_in_the_app_only(member):
    db.session.add(Notification(member_id=member.id, kind="event", verb="event_published",
                                title="Marché", target_type="event", target_id=1,
                                dedup_key="event:1", channel="digest"))
    db.session.commit()
    service.save_settings(member.id, event="app")
    db.session.commit()
    assert db.session.scalar(select(Notification.channel)) == "app"
    assert db.session.scalar(select(func.count(NotificationSetting.member_id))) == 1


def test_pages_need_login_and_the_bell_of_an_ended_session_goes_quietly(client):
    for path in ("/notify/", "/notify/settings", "/notify/feed"):
        assert "/auth/login" in client.get(path).location
    bell = client.get("/notify/bell", headers=HX)
    assert bell.status_code == 200 and bell.text == ""


def test_notification_pages_statements_do_not_grow(client, member):
    login(client, member)
    client.get("/")
    make_notes(member, 1)
    counts = []
    for more in (60, 0):
        with count_queries() as queries:
            for path in ("/notify/", "/notify/bell", "/notify/settings"):
                assert client.get(path).status_code == 200
        counts.append(queries.count)
        db.session.add_all(Notification(member_id=member.id, kind="rsvp", verb="rsvp_promoted",
                                        title=f"Place {k}", target_type="event", target_id=k,
                                        dedup_key=f"rsvp:{k}") for k in range(more))
        db.session.commit()
    assert counts[0] == counts[1] <= 9, counts  # the three pages together


def test_export_erasure_and_retention_cover_notifications(client, member):
    make_notes(member, 2)
    service.save_settings(member.id, event="mail")
    db.session.commit()
    data = privacy.member_data(member)
    assert data["reglages_notifications"]["event"] == "mail"
    assert [n["titre"] for n in data["notifications"]] == ["Sujet 1", "Sujet 0"]
    old = db.session.scalar(select(Notification).where(Notification.title == "Sujet 0"))
    old.created_at = utcnow() - timedelta(days=400)
    db.session.commit()
    assert privacy.purging.send(utcnow())  # receivers answered
    db.session.commit()
    assert [t for _v, t in notes(member)] == ["Sujet 1"]
    privacy.erase(member)
    db.session.commit()
    assert notes(member) == []
    assert db.session.scalar(select(func.count(NotificationSetting.member_id))) == 0
