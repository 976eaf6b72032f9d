"""The digest: one mail per member with pending items, never an item twice, in a bounded number
of statements whatever the number of members."""

import re

from sqlalchemy import func, select

from coopol import mail
from coopol.extensions import db
from coopol.mail import OutboxMail
from coopol.notify import service
from coopol.notify.digest import send_digests
from coopol.notify.models import Notification
from tests.conftest import login, make_member, make_theme
from tests.events_factories import event_form, make_organiser
from tests.querycount import count_queries


def pending(member, n, channel="digest", kind="event"):
    db.session.add_all(Notification(
        member_id=member.id, kind=kind, verb="event_published", title=f"Action {k}",
        target_type="event", target_id=k, dedup_key=f"event:{k}", channel=channel)
        for k in range(n))
    db.session.commit()


def outbox() -> list[OutboxMail]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def test_published_event_lands_in_the_weekly_digest_once(app, client, section, sent_mail):
    theme = make_theme()
    fan = make_member(interests=[theme])
    login(client, make_organiser(section))
    client.post("/events/new", data=event_form(section, theme_id=str(theme.id),
                                               title="Tractage au marché"))
    assert outbox() == []  # the digest is the default: no mail at once
    command = ["notify", "digest", "--period", "weekly"]
    result = app.test_cli_runner().invoke(args=command)
    assert "1 résumé(s)" in result.output, result.output
    assert "0 résumé(s)" in app.test_cli_runner().invoke(args=command).output
    mail.work_once()
    assert [m["To"] for m in sent_mail] == [fan.email]
    body = sent_mail[0].get_content()
    assert sent_mail[0]["Subject"] == "Ton résumé de la semaine"
    assert "Tractage au marché" in body
    off = re.search(r"http://coopol\.test(/notify/off/\S+)", body).group(1)
    assert client.post(off).status_code == 303
    assert service.settings_of(fan)["event"] == "app"


def test_unknown_period_is_refused(app):
    result = app.test_cli_runner().invoke(args=["notify", "digest", "--period", "monthly"])
    assert result.exit_code != 0 and "monthly" in result.output


def test_period_chooses_whose_digest_goes(section):
    weekly, daily = make_member(), make_member()
    service.save_settings(daily.id, digest_period="daily")
    db.session.commit()
    pending(weekly, 2)
    pending(daily, 1)
    assert send_digests("daily") == 1
    db.session.commit()
    assert [m.recipient for m in outbox()] == [daily.email]
    assert send_digests("weekly") == 1
    db.session.commit()
    assert [m.recipient for m in outbox()] == [daily.email, weekly.email]
    assert send_digests("daily") == send_digests("weekly") == 0


def test_items_already_mailed_or_in_app_only_are_not_in_the_digest(section):
    member = make_member()
    pending(member, 1, channel="mail")
    assert send_digests("weekly") == 0
    db.session.execute(Notification.__table__.delete())
    pending(member, 1, channel="app")
    assert send_digests("weekly") == 0


def test_a_long_digest_lists_thirty_and_counts_the_rest(section, sent_mail):
    member = make_member()
    pending(member, 35)
    send_digests("weekly")
    db.session.commit()
    mail.work_once()
    body = sent_mail[0].get_content()
    assert body.count("Action ") == 30 and "Et 5 autre(s)" in body
    assert db.session.scalar(select(func.count()).where(
        Notification.digested_at.is_(None))) == 0


LOG = []


def measure(members: int, per_member: int = 3) -> int:
    for _ in range(members):
        pending(make_member(), per_member)
    with count_queries() as queries:
        sent = send_digests("weekly")
        db.session.flush()
    assert sent == members
    db.session.commit()
    LOG.append(str(queries))
    return queries.count


def test_digest_statements_do_not_grow_with_the_number_of_members(section):
    few = measure(5)
    db.session.execute(Notification.__table__.delete())
    db.session.execute(OutboxMail.__table__.delete())
    db.session.commit()
    many = measure(60)
    assert few == many <= 4, (few, many, LOG)
