"""The outbox: mail queued with the transaction, sent once by the worker, retried on failure."""

import socket
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from coopol import mail
from coopol.extensions import db
from coopol.mail import OutboxMail
from tests.conftest import make_member, reload


def queue_one(**context):
    mail.queue("lea@exemple.fr", "confirm_email", name="Léa", token="abc", **context)
    db.session.commit()
    return db.session.scalar(select(OutboxMail))


def test_queued_mail_leaves_only_with_its_transaction(sent_mail):
    mail.queue("lea@exemple.fr", "confirm_email", name="Léa", token="abc")
    db.session.rollback()
    assert mail.work_once() == 0
    queue_one()
    assert mail.work_once() == 1
    assert sent_mail[0]["Subject"] == "Confirme ton adresse e-mail pour Coopol"
    assert "http://coopol.test/auth/confirm/abc" in sent_mail[0].get_content()


def test_worker_never_sends_twice(sent_mail):
    queue_one()
    assert mail.work_once() == 1
    assert mail.work_once() == 0
    assert len(sent_mail) == 1


def test_failed_mail_is_retried_with_backoff_then_given_up(app, monkeypatch):
    outbox = queue_one()

    def refuse(message):
        raise ConnectionRefusedError("serveur absent")

    monkeypatch.setattr(mail, "deliver", refuse)
    assert mail.work_once() == 0
    row = reload(OutboxMail, outbox.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "serveur absent" in row.last_error
    assert mail.work_once() == 0  # not due yet
    for _ in range(app.config["MAIL_MAX_ATTEMPTS"]):
        row.next_try_at = row.created_at
        db.session.commit()
        mail.work_once()
        row = reload(OutboxMail, outbox.id)
    assert row.status == "failed"


def test_mail_in_english_for_an_english_member(sent_mail):
    mail.queue("lea@exemple.fr", "reset_password", locale="en", name="Lea", token="t")
    db.session.commit()
    mail.work_once()
    assert sent_mail[0]["Subject"] == "Your new Coopol password"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collect:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, handler
    controller.stop()


def test_real_smtp_delivery_of_a_registration_mail(app, client, smtp_server):
    controller, handler = smtp_server
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        client.post("/auth/register", data={
            "email": "karim@exemple.fr", "password": "un-bon-mot-de-passe",
            "display_name": "Karim", "place": "95000", "commune": "95127"})
        assert mail.work_once() == 1
    finally:
        app.config.update(MAIL_BACKEND="memory", MAIL_SERVER="localhost", MAIL_PORT=25)
    for _ in range(50):
        if handler.messages:
            break
        time.sleep(0.05)
    envelope = handler.messages[0]
    assert envelope.rcpt_tos == ["karim@exemple.fr"]
    assert b"/auth/confirm/" in envelope.content


def test_outbox_cli_sends_and_requeues(app, sent_mail):
    make_member()
    queue_one()
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--requeue-stale"])
    assert result.exit_code == 0, result.output
    assert "1 mail(s) envoyé(s)." in result.output
    assert len(sent_mail) == 1
