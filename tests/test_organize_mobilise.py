"""Mobilise: compose, preview the count, queue in bulk, the worker's pace and its safety,
the progress view, the unsubscribe link (page and RFC 8058 one-click POST)."""

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coopol import mail
from coopol.database import utcnow
from coopol.extensions import db
from coopol.mail import OutboxMail
from coopol.organize import mobilise
from coopol.organize.models import Mobilisation, MobilisationRecipient
from coopol.profile.models import AuditLog, ConsentEvent, Member
from tests.conftest import CERGY, login, make_member, make_section, make_theme, reload
from tests.events_factories import make_event, make_organiser
from tests.organize_factories import make_consenting, make_mobilisation

HTMX = {"HX-Request": "true"}
ROOT = Path(__file__).resolve().parent.parent


def _unsubscribe_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"http://coopol\.test(/organize/unsubscribe/\S+)", text).group(1)


def test_done_when_a_secretary_invites_a_consenting_member_to_an_event(app, client, section,
                                                                        sent_mail):
    theme, other_theme = make_theme("Logement"), make_theme("Santé")
    lea = make_member(email="lea@exemple.fr", name="Léa")
    make_consenting(interests=[other_theme])  # consents, but not on this theme
    make_member(interests=[theme])  # on the theme, but never consented
    secretary = make_member(roles=[("secretary", section)])
    event = make_event(section, organiser=secretary, title="Réunion logement")

    # The member gives consent and sets interests through her profile.
    login(client, lea)
    assert client.post("/profile/consent", data={"decision": "give"}).status_code == 303
    lea = reload(Member, lea.id)
    lea.interests = [theme]
    db.session.commit()

    # The secretary finds her by interest, then writes to her about the event.
    login(client, secretary)
    found = client.get(f"/organize/?themes={theme.id}")
    assert found.status_code == 200
    assert "1 membre correspond" in found.text
    names = client.get(f"/organize/members?themes={theme.id}")
    assert "Léa" in names.text
    message = {"subject": "Réunion logement jeudi", "body": "Viens **nombreuse** !",
               "target_kind": "event", "target_id": str(event.id), "step": "preview"}
    preview = client.post(f"/organize/mobilise?themes={theme.id}", data=message)
    assert preview.status_code == 200
    assert "Envoyer à 1 personne" in preview.text
    assert "<strong>nombreuse</strong>" in preview.text
    sent = client.post(f"/organize/mobilise?themes={theme.id}", data={**message, "step": "send"})
    assert sent.status_code == 303
    mobilisation = db.session.scalar(select(Mobilisation))
    assert sent.location.endswith(f"/organize/mobilisations/{mobilisation.id}")
    assert mobilisation.recipient_count == 1

    # The worker sends exactly one mail, to her, with a working unsubscribe link.
    assert mail.work_once() == 1
    assert mail.work_once() == 0
    assert [m["To"] for m in sent_mail] == ["lea@exemple.fr"]
    assert sent_mail[0]["Subject"] == "Réunion logement jeudi"
    assert f"/events/{event.id}" in sent_mail[0].get_body(("plain",)).get_content()
    link = _unsubscribe_link(sent_mail[0])
    assert sent_mail[0]["List-Unsubscribe"] == f"<http://coopol.test{link}>"
    assert sent_mail[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # The audit log shows the reveal and the mobilisation; the sender sees it sent.
    actions = set(db.session.scalars(select(AuditLog.action).where(
        AuditLog.actor_id == secretary.id)))
    assert {"organize.reveal", "organize.mobilise"} <= actions
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "organize.mobilise"))
    assert entry.details["count"] == 1 and entry.details["filter"] == {"themes": [theme.id]}
    progress = client.get(f"/organize/mobilisations/{mobilisation.id}")
    assert "Envoyés : 1" in progress.text and "Envoi terminé" in progress.text
    login(client, make_member(roles=[("admin", None)]))
    log = client.get("/organize/audit?action=organize.mobilise")
    assert "Mobilisation envoyée" in log.text and "Réunion logement jeudi" in log.text

    # She sees who contacted her, then leaves in one click.
    login(client, lea)
    assert "Réunion logement jeudi" in client.get("/organize/contacts").text
    assert "Réunion logement jeudi" in client.get("/profile/").text
    from_mail = app.test_client()  # no session: the token alone authenticates
    page = from_mail.get(link)
    assert page.status_code == 200 and "Ne plus être sollicité" in page.text
    assert from_mail.post(link).status_code == 200
    assert reload(Member, lea.id).mobilisation_consent_at is None
    withdrawn = db.session.scalar(select(ConsentEvent).where(
        ConsentEvent.member_id == lea.id, ConsentEvent.given.is_(False)))
    assert withdrawn is not None


def test_one_click_unsubscribe_needs_no_csrf_cookie(app, client, section, monkeypatch):
    member = make_consenting()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = mobilise.unsubscribe_token(member.id)
    response = client.post(f"/organize/unsubscribe/{token}",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert reload(Member, member.id).mobilisation_consent_at is None
    # Elsewhere CSRF still applies.
    assert client.post("/organize/mobilise").status_code in (400, 302)


@pytest.mark.parametrize("token", ["jeton", "MQ.abc", None])
def test_tampered_unsubscribe_token_changes_nothing(client, section, token):
    member = make_consenting()
    if token is None:  # a valid token for this member, its signature's first character changed
        payload, signature = mobilise.unsubscribe_token(member.id).split(".")
        token = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    response = client.post(f"/organize/unsubscribe/{token}")
    assert response.status_code == 400
    assert "pas valide" in response.text
    assert reload(Member, member.id).mobilisation_consent_at is not None
    assert client.get(f"/organize/unsubscribe/{token}").status_code == 400


def test_script_in_the_message_is_never_rendered(client, section, sent_mail):
    make_consenting(email="lea@exemple.fr")
    organiser = make_organiser(section)
    login(client, organiser)
    body = "Bonjour <script>alert(1)</script> [clic](javascript:alert(2))"
    preview = client.post("/organize/mobilise", data={
        "subject": "Rendez-vous", "body": body, "target_kind": "", "step": "preview"})
    assert preview.status_code == 200
    assert "<script>alert" not in preview.text and 'href="javascript' not in preview.text
    client.post("/organize/mobilise", data={"subject": "Rendez-vous", "body": body,
                                            "target_kind": "", "step": "send"})
    mail.work_once()
    html = sent_mail[0].get_body(("html",)).get_content()
    assert "<script>" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    page = client.get(f"/organize/mobilisations/{db.session.scalar(select(Mobilisation.id))}")
    assert "<script>alert" not in page.text


def test_header_injection_in_the_subject_is_flattened(client, section, sent_mail):
    make_consenting()
    login(client, make_organiser(section))
    client.post("/organize/mobilise", data={"subject": "Salut\r\nBcc: x@exemple.fr",
                                            "body": "Texte", "step": "send"})
    mail.work_once()
    assert sent_mail[0]["Bcc"] is None
    assert sent_mail[0]["Subject"] == "Salut Bcc: x@exemple.fr"


def test_invalid_message_is_refused_with_messages(client, section):
    make_consenting()
    login(client, make_organiser(section))
    response = client.post("/organize/mobilise", data={"subject": "", "body": "",
                                                       "step": "send"})
    assert response.status_code == 422
    assert "Donne un objet" in response.text and "Écris ton message" in response.text
    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0


def test_target_must_exist_and_lie_in_scope(client, section):
    make_consenting()
    organiser = make_organiser(section)
    elsewhere = make_section("Cergy", "95", [CERGY])
    far_event = make_event(elsewhere, commune=CERGY)
    login(client, organiser)
    for target_id, message in (("999999", "n&#39;existe pas"),
                               (str(far_event.id), "hors de ton périmètre")):
        response = client.post("/organize/mobilise", data={
            "subject": "Venez", "body": "Texte", "target_kind": "event",
            "target_id": target_id, "step": "send"})
        assert response.status_code == 422
        assert message in response.text
    assert db.session.scalar(select(func.count(Mobilisation.id))) == 0


def test_send_with_nobody_to_reach_is_refused(client, section):
    login(client, make_organiser(section))
    response = client.post("/organize/mobilise", data={"subject": "Venez", "body": "Texte",
                                                       "step": "send"})
    assert response.status_code == 422
    assert "Personne ne correspond" in response.text


def test_daily_limit_per_organiser(app, client, section, monkeypatch):
    monkeypatch.setitem(app.config, "ORGANIZE_MOBILISATIONS_PER_DAY", 2)
    make_consenting()
    organiser = make_organiser(section)
    login(client, organiser)
    data = {"subject": "Venez", "body": "Texte", "step": "send"}
    assert client.post("/organize/mobilise", data=data).status_code == 303
    assert client.post("/organize/mobilise", data=data).status_code == 303
    refused = client.post("/organize/mobilise", data=data)
    assert refused.status_code == 429
    assert "2 mobilisations ces dernières 24 heures" in refused.text
    assert db.session.scalar(select(func.count(Mobilisation.id))) == 2
    # Another organiser keeps their own allowance.
    login(client, make_organiser(section))
    assert client.post("/organize/mobilise", data=data).status_code == 303


def test_htmx_preview_and_send(client, section):
    make_consenting()
    login(client, make_organiser(section))
    data = {"subject": "Venez", "body": "Texte", "step": "preview"}
    preview = client.post("/organize/mobilise", data=data, headers=HTMX)
    assert preview.status_code == 200
    assert preview.text.lstrip().startswith('<div id="compose">')
    sent = client.post("/organize/mobilise", data={**data, "step": "send"}, headers=HTMX)
    assert sent.status_code == 204
    assert sent.headers["HX-Redirect"].startswith("/organize/mobilisations/")


def test_progress_counts_and_polls_until_done(client, section):
    for _ in range(3):
        make_consenting()
    organiser = make_organiser(section)
    mobilisation = make_mobilisation(organiser)
    assert mobilisation.recipient_count == 3
    login(client, organiser)
    url = f"/organize/mobilisations/{mobilisation.id}"
    page = client.get(url)
    assert "En attente : 3" in page.text and 'hx-trigger="every 5s"' in page.text
    mail.work_once(limit=2)
    fragment = client.get(url, headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="progress"')
    assert "Envoyés : 2" in fragment.text and "En attente : 1" in fragment.text
    mail.work_once()
    done = client.get(url, headers=HTMX)
    assert "Envoi terminé" in done.text and "every 5s" not in done.text
    # Only the sender (and national admins) follow a mobilisation.
    login(client, make_organiser(section))
    assert client.get(url).status_code == 403
    assert client.get("/organize/mobilisations/999999").status_code == 404


def test_worker_sends_at_the_configured_rate(app, section, monkeypatch, sent_mail):
    for _ in range(3):
        make_consenting()
    make_mobilisation(make_organiser(section))
    monkeypatch.setitem(app.config, "MAIL_RATE_PER_MINUTE", 30)  # one every 2 seconds
    clock = {"now": 100.0}
    waits = []

    def sleep(seconds):
        waits.append(round(seconds, 3))
        clock["now"] += seconds

    assert mail.work_once(sleep=sleep, clock=lambda: clock["now"]) == 3
    assert waits == [2.0, 2.0]
    assert len(sent_mail) == 3


def test_unlimited_rate_never_waits(section, sent_mail):
    make_consenting()
    make_mobilisation(make_organiser(section))
    waits = []
    assert mail.work_once(sleep=waits.append) == 1
    assert waits == []


def test_worker_killed_between_claim_and_send_never_sends_twice(section, monkeypatch,
                                                                sent_mail):
    for _ in range(3):
        make_consenting()
    mobilisation = make_mobilisation(make_organiser(section))
    real_deliver = mail.deliver
    calls = {"n": 0}

    def killed_on_second(message):
        calls["n"] += 1
        if calls["n"] == 2:
            raise SystemExit("SIGKILL")  # not an Exception: nothing records a failure
        real_deliver(message)

    monkeypatch.setattr(mail, "deliver", killed_on_second)
    with pytest.raises(SystemExit):
        mail.work_once()
    db.session.rollback()
    monkeypatch.setattr(mail, "deliver", real_deliver)
    # A new worker sends what was never claimed, and leaves the claimed row alone.
    assert mail.work_once() == 1
    statuses = sorted(db.session.scalars(select(OutboxMail.status).where(
        OutboxMail.mobilisation_id == mobilisation.id)))
    assert statuses == ["sending", "sent", "sent"]
    assert len(sent_mail) == 2
    assert len({m["To"] for m in sent_mail}) == 2
    assert mobilise.progress(mobilisation) == {"pending": 1, "sent": 2, "failed": 0}


def test_queue_holds_one_mail_per_recipient_and_remembers_who(section):
    members = [make_consenting() for _ in range(4)]
    make_member()  # no consent
    gone = make_consenting()
    gone.erased_at = utcnow()
    db.session.commit()
    mobilisation = make_mobilisation(make_organiser(section))
    recipients = set(db.session.scalars(select(OutboxMail.recipient).where(
        OutboxMail.mobilisation_id == mobilisation.id)))
    assert recipients == {m.email for m in members}
    reached = set(db.session.scalars(select(MobilisationRecipient.member_id)))
    assert reached == {m.id for m in members}


def test_my_mobilisations_list(client, section):
    make_consenting()
    organiser = make_organiser(section)
    make_mobilisation(organiser, subject="Porte-à-porte")
    login(client, organiser)
    assert "Porte-à-porte" in client.get("/organize/mobilisations").text


def test_back_from_the_preview_keeps_the_message_and_sends_nothing(client, section):
    make_consenting()
    login(client, make_organiser(section))
    data = {"subject": "Venez samedi", "body": "Ligne 1\nLigne 2", "step": "preview"}
    preview = client.post("/organize/mobilise", data=data)
    assert 'name="step" value="send"' in preview.text
    assert "<textarea name=\"body\" hidden>Ligne 1\nLigne 2</textarea>" in preview.text
    back = client.post("/organize/mobilise", data={**data, "step": "edit"})
    assert back.status_code == 200
    assert 'value="Venez samedi"' in back.text and 'name="step" value="preview"' in back.text
    assert db.session.scalar(select(func.count(Mobilisation.id))) == 0


def test_worker_process_sigkilled_while_pacing_never_sends_twice(app, section, tmp_path):
    """A real worker process, killed by SIGKILL after claiming a mail and while waiting for its
    turn: a new worker sends the rest, the claimed mail stays put, nobody gets two."""
    members = [make_consenting() for _ in range(4)]
    mobilisation = make_mobilisation(make_organiser(section))
    log = tmp_path / "sent.log"
    worker = subprocess.Popen(  # noqa: S603 - our own worker script
        [sys.executable, str(ROOT / "tests" / "outbox_worker.py"),
         app.config["SQLALCHEMY_DATABASE_URI"], str(log), "6"],  # one mail every 10 s
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert worker.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 30
        while not (log.exists() and log.read_text().count("\n") == 1):
            assert time.monotonic() < deadline, "the worker sent nothing"
            time.sleep(0.05)
        # The first mail is sent and recorded; the worker claims the next one and waits 10 s.
        states = select(OutboxMail.status, func.count(OutboxMail.id)).group_by(OutboxMail.status)
        while dict(db.session.execute(states).all()) != {"sent": 1, "sending": 1, "pending": 2}:
            assert time.monotonic() < deadline, "the worker claimed nothing"
            time.sleep(0.05)
            db.session.rollback()
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    db.session.expire_all()
    assert mail.work_once() == 2  # a new worker: the two never claimed
    sent = log.read_text().split() + [m["To"] for m in app.extensions["coopol_sent_mail"]]
    assert len(sent) == len(set(sent)) == 3
    assert set(sent) < {m.email for m in members}
    # The killed worker's mail still shows as waiting: `--requeue-stale` is a human decision.
    assert mobilise.progress(mobilisation) == {"pending": 1, "sent": 3, "failed": 0}
    assert db.session.scalar(select(func.count(OutboxMail.id)).where(
        OutboxMail.status == "sending")) == 1


def test_consent_withdrawn_after_queuing_cancels_the_mail(client, section, sent_mail):
    stays, leaves = make_consenting(), make_consenting()
    organiser = make_organiser(section)
    mobilisation = make_mobilisation(organiser)
    login(client, leaves)
    client.post("/profile/consent", data={"decision": "withdraw"})
    assert mail.work_once() == 1
    assert [m["To"] for m in sent_mail] == [stays.email]
    assert mobilise.progress(mobilisation) == {"pending": 0, "sent": 1, "failed": 0,
                                               "cancelled": 1}
    login(client, organiser)
    page = client.get(f"/organize/mobilisations/{mobilisation.id}")
    assert "Annulés (accord retiré entre-temps) : 1" in page.text
    assert "Envoi terminé" in page.text
