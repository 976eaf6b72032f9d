"""The weekly digest of new discussions: one mail per member, never twice in a week."""

from datetime import timedelta

from coopol import mail
from coopol.database import utcnow
from coopol.extensions import db
from coopol.groups import notifications
from tests.groups_factories import add_member, make_group, make_thread, membership, new_member


def test_digest_lists_the_weeks_threads_once_per_member(app, sent_mail):
    reader, quiet, follower = (new_member(email="lit@exemple.fr"), new_member(),
                               new_member())
    velo, jardins, calme = (make_group(name, creator=reader)
                            for name in ("Vélo", "Jardins", "Calme"))
    add_member(velo, quiet, notify="none")
    add_member(velo, follower, notify="threads")
    author = new_member()
    make_thread(velo, author, title="Balade dimanche")
    make_thread(jardins, author, title="Semis de printemps")
    old = make_thread(calme, author, title="Vieux sujet")
    old.created_at = utcnow() - timedelta(days=8)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["groups", "digest"])
    assert "1 résumé(s)" in result.output
    assert mail.work_once() == 1
    body = sent_mail[0].get_content()
    assert sent_mail[0]["To"] == "lit@exemple.fr"
    assert "Balade dimanche" in body and "Semis de printemps" in body
    assert "Vieux sujet" not in body and "/groups/velo/threads" in body
    assert membership(velo, reader).digest_sent_at is not None
    # Run again the same week: nothing goes twice.
    assert notifications.send_digests() == 0
    # A week later, with a new thread, it goes again.
    make_thread(velo, author, title="Nouvelle balade")
    assert notifications.send_digests(utcnow() + timedelta(days=6, hours=12)) == 1


def test_digest_with_nothing_new_sends_nothing(app):
    group = make_group("Vélo")
    add_member(group, new_member(), notify="digest")
    assert notifications.send_digests() == 0
