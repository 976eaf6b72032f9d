"""Outgoing mail: queued in the outbox table inside the request's transaction, sent by a worker.

A request never talks to a mail server. `queue()` adds a row; `flask outbox work` claims rows one
at a time (an UPDATE that only one worker can win), renders and sends them, and records the result.
A row claimed by a worker that died is not sent again automatically: it stays `sending`, and
`flask outbox work --requeue-stale` puts it back once the mail log is checked: nothing goes twice.
"""

import smtplib
import ssl
import sys
import time
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import click
from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import JSON, Index, String, Text, insert, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .database import utcnow
from .extensions import db


class OutboxMail(db.Model):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    template: Mapped[str] = mapped_column(String(80))
    context: Mapped[dict] = mapped_column(JSON, default=dict)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    # The mobilisation this mail belongs to (organize): its sender follows the progress.
    mobilisation_id: Mapped[int | None]

    __table_args__ = (Index("ix_outbox_mobilisation_status", "mobilisation_id", "status"),)


# Templates whose context is built when the mail is sent (e.g. a per-recipient link), so that
# queuing thousands of them is one INSERT … SELECT: template name -> fn(mail) -> (context, headers).
# A builder may also give `inline_images` ({content id: PNG bytes}), shown by the HTML part.
_builders: dict = {}


class Cancelled(Exception):
    """Raised by a builder when a mail must no longer leave (e.g. its consent was withdrawn)."""


def register_builder(template: str):
    """Register the function that gives a template its context and extra headers at send time."""
    def decorator(function):
        _builders[template] = function
        return function
    return decorator


def queue(recipient: str, template: str, locale: str = "fr", **context) -> OutboxMail:
    """Queue a mail in the current transaction; it leaves only if the transaction commits."""
    mail = OutboxMail(recipient=recipient, template=template, context=context, locale=locale)
    db.session.add(mail)
    return mail


def queue_many(template: str, mails: list[tuple[str, dict]], locale: str = "fr") -> int:
    """Queue (recipient, context) mails of one template with one INSERT; count them.

    Like `queue`, they leave only if the transaction commits. The ORM would insert rows added
    one by one with one statement each (it needs each new id back): a digest for every member
    goes in together instead.
    """
    if mails:
        db.session.execute(insert(OutboxMail), [
            {"recipient": recipient, "template": template, "context": context, "locale": locale}
            for recipient, context in mails])
    return len(mails)


def render(mail: OutboxMail) -> EmailMessage:
    """Build the message from templates/mail/<template>.txt (first line: the subject)."""
    base_url = current_app.config["BASE_URL"]
    html = None
    with current_app.test_request_context(base_url=base_url), force_locale(mail.locale):
        context, headers = dict(mail.context), {}
        builder = _builders.get(mail.template)
        if builder is not None:
            extra, headers = builder(mail)
            context.update(extra)
        text = render_template(f"mail/{mail.template}.txt", **context)
        if "html_body" in context or context.get("inline_images"):
            html = render_template(f"mail/{mail.template}.html", **context)
    subject, _, body = text.lstrip().partition("\n")
    message = EmailMessage()
    message["Subject"] = subject.strip()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.recipient
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    for name, value in headers.items():
        message[name] = value
    message.set_content(body.strip() + "\n")
    if html is not None:
        message.add_alternative(html, subtype="html")
        for cid, png in (context.get("inline_images") or {}).items():
            message.get_body(("html",)).add_related(png, "image", "png", cid=f"<{cid}>")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand one message to the configured backend."""
    config = current_app.config
    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        current_app.extensions.setdefault("coopol_sent_mail", []).append(message)
    elif backend == "console":
        click.echo(message.as_string())
    elif backend == "file":
        folder = Path(current_app.instance_path) / "mail"
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        (folder / f"{stamp}.eml").write_text(message.as_string())
        click.echo(f"mail → {message['To']}: {message['Subject']} ({folder}/{stamp}.eml)")
    elif backend == "smtp":
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    else:
        raise RuntimeError(f"Unknown MAIL_BACKEND {backend!r}")


def _claim_next() -> OutboxMail | None:
    """Claim the oldest due mail for this worker; None when there is nothing to send."""
    while True:
        candidate = db.session.scalar(
            select(OutboxMail.id)
            .where(OutboxMail.status == "pending", OutboxMail.next_try_at <= utcnow())
            .order_by(OutboxMail.next_try_at, OutboxMail.id)
            .limit(1)
        )
        if candidate is None:
            return None
        won = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id == candidate, OutboxMail.status == "pending")
            .values(status="sending", attempts=OutboxMail.attempts + 1, next_try_at=utcnow())
        ).rowcount
        db.session.commit()
        if won:
            return db.session.get(OutboxMail, candidate)


def _pacer(sleep, clock):
    """Return a function that waits before each send to keep to MAIL_RATE_PER_MINUTE."""
    rate = current_app.config.get("MAIL_RATE_PER_MINUTE") or 0
    gap = 60.0 / rate if rate > 0 else 0.0
    state = {"next": clock()}

    def wait() -> None:
        if not gap:
            return
        delay = state["next"] - clock()
        if delay > 0:
            sleep(delay)
        state["next"] = max(state["next"], clock()) + gap
    return wait


def work_once(limit: int | None = None, sleep=time.sleep, clock=time.monotonic) -> int:
    """Send every due mail (at most `limit`), at the configured rate; return how many were sent.

    A claimed mail waits for its turn as `sending`: a worker killed meanwhile leaves it for
    `--requeue-stale`, never for a second send.
    """
    sent = 0
    wait = _pacer(sleep, clock)
    while limit is None or sent < limit:
        mail = _claim_next()
        if mail is None:
            break
        wait()
        try:
            deliver(render(mail))
        except Cancelled as reason:
            mail.status = "cancelled"
            mail.last_error = str(reason)[:2000]
        except Exception as error:  # noqa: BLE001 - any failure is retried later
            max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
            mail.status = "failed" if mail.attempts >= max_attempts else "pending"
            mail.next_try_at = utcnow() + timedelta(minutes=2 ** mail.attempts)
            mail.last_error = f"{type(error).__name__}: {error}"[:2000]
            current_app.logger.warning("outbox %s: %s", mail.id, mail.last_error)
        else:
            mail.status = "sent"
            mail.sent_at = utcnow()
            sent += 1
        db.session.commit()
    return sent


outbox_cli = click.Group("outbox", help="Send queued mail.")


@outbox_cli.command("work")
@click.option("--loop", is_flag=True, help="Keep running, polling every few seconds.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@click.option("--requeue-stale", is_flag=True,
              help="Put back mails claimed more than an hour ago by a worker that died.")
def work_command(loop: bool, interval: float, requeue_stale: bool):
    """Send the mails waiting in the outbox."""
    if requeue_stale:
        count = db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.status == "sending",
                   OutboxMail.next_try_at < utcnow() - timedelta(hours=1))
            .values(status="pending")
        ).rowcount
        db.session.commit()
        click.echo(f"{count} mail(s) remis en file.")
    while True:
        sent = work_once()
        if sent:
            click.echo(f"{sent} mail(s) envoyé(s).")
        if not loop:
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            sys.exit(0)
