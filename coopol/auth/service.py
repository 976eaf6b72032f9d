"""Accounts: passwords, registration, signed links for confirmation and password reset."""

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .. import mail
from ..database import utcnow
from ..extensions import db
from ..profile import service as profile_service
from ..profile.models import Member

# A hash to compare against when the email is unknown, so both paths take the same time.
_DUMMY_HASH = generate_password_hash("coopol-dummy-password", method="scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method="scrypt")


def authenticate(email: str, password: str) -> Member | None:
    """Return the member with this email and password, or None (in the same time either way)."""
    member = profile_service.get_member_by_email(email)
    if member is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    return member if profile_service.check_password(member, password) else None


def register(email: str, password: str, display_name: str, commune, locale: str) -> Member:
    """Create a member placed in their commune and section, and queue the confirmation mail."""
    member = Member(
        email=profile_service.normalise_email(email),
        password_hash=hash_password(password),
        display_name=display_name.strip(),
    )
    profile_service.place_member(member, commune)
    db.session.add(member)
    db.session.flush()
    queue_confirmation(member, member.email, locale)
    return member


def register_or_warn(email: str, password: str, display_name: str, commune,
                     locale: str) -> Member | None:
    """Create the account, or, when the address already has one, mail its owner instead.

    Both paths hash the password and queue one mail, so that neither the answer nor its
    time tells a visitor whether the address is a member's. Return the new member, if any.
    """
    existing = profile_service.get_member_by_email(email)
    if existing is None:
        return register(email, password, display_name, commune, locale)
    hash_password(password)  # the work a new account costs
    mail.queue(existing.email, "account_exists", locale=locale, name=existing.display_name)
    return None


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _fingerprint(member: Member) -> str:
    """A short digest of the password hash: a reset link dies once the password changes."""
    return hashlib.sha256(member.password_hash.encode()).hexdigest()[:16]


def make_confirm_token(member: Member, email: str) -> str:
    return _serializer("confirm-email").dumps({"id": member.id, "email": email})


def make_reset_token(member: Member) -> str:
    return _serializer("reset-password").dumps({"id": member.id, "fp": _fingerprint(member)})


def _load(salt: str, token: str, max_age: int) -> dict | None:
    try:
        data = _serializer(salt).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return data if isinstance(data, dict) else None


def confirm_email(token: str) -> tuple[Member | None, bool]:
    """Confirm the address a link was sent to.

    Return the member (None if the link is bad) and whether this click activated a new
    account (its address was not confirmed before): only that first click may log in.
    """
    data = _load("confirm-email", token, current_app.config["CONFIRM_LINK_MAX_AGE"])
    member = db.session.get(Member, data.get("id")) if data else None
    if member is None:
        return None, False
    email = data.get("email")
    activated = member.email_confirmed_at is None
    if email != member.email:
        if profile_service.get_member_by_email(email) is not None:
            return None, False  # taken meanwhile by another account
        member.email = email
        member.email_confirmed_at = utcnow()
    elif member.email_confirmed_at is None:
        member.email_confirmed_at = utcnow()
    return member, activated


def member_for_reset(token: str) -> Member | None:
    """Return the member a reset link is for, if it is still valid and unused."""
    data = _load("reset-password", token, current_app.config["RESET_LINK_MAX_AGE"])
    member = db.session.get(Member, data.get("id")) if data else None
    if member is None or member.is_blocked or data.get("fp") != _fingerprint(member):
        return None
    return member


def set_password(member: Member, password: str) -> None:
    """Change the password and log out every other session."""
    member.password_hash = hash_password(password)
    member.rotate_sessions()


def queue_confirmation(member: Member, email: str, locale: str) -> None:
    mail.queue(email, "confirm_email", locale=locale, name=member.display_name,
               token=make_confirm_token(member, email))


def queue_reset(member: Member, locale: str) -> None:
    mail.queue(member.email, "reset_password", locale=locale, name=member.display_name,
               token=make_reset_token(member))
