"""Member rules: roles and scopes, profile visibility, interests, consent, adhérent confirmation."""

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash

from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Section
from .models import AuditLog, ConsentEvent, Member, Role, Theme


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password(member: Member, password: str) -> bool:
    """Tell whether the password is the member's."""
    return check_password_hash(member.password_hash, password or "")


def get_member_by_email(email: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.email == normalise_email(email)))


# --- roles and scopes -----------------------------------------------------------------------


def _covers(role: Role, section: Section | None, federation_code: str | None) -> bool:
    """Tell whether a role's scope contains the given section or fédération."""
    if role.section_id is None and role.federation_code is None:
        return True  # national
    if section is not None:
        if role.section_id is not None:
            return role.section_id == section.id
        return role.federation_code == section.federation_code
    if federation_code is not None:
        return role.section_id is None and role.federation_code == federation_code
    return False


def has_role(member, names, section: Section | None = None,
             federation_code: str | None = None) -> bool:
    """Tell whether the member holds one of these roles over the section or fédération.

    A national admin holds every role everywhere. With neither section nor fédération,
    only a national role counts.
    """
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    names = {names} if isinstance(names, str) else set(names)
    for role in member.roles:
        if role.role == "admin" and role.section_id is None and role.federation_code is None:
            return True
        if role.role in names and _covers(role, section, federation_code):
            return True
    return False


def is_admin(member) -> bool:
    return has_role(member, "admin")


def holds_any_role(member) -> bool:
    return bool(getattr(member, "is_authenticated", False) and member.roles)


def secretary_scope(member):
    """Return a condition on Member.section_id for the members whose adhésion this member
    may confirm, or None when they may confirm nobody's."""
    if is_admin(member):
        return Member.section_id.is_not(None)
    roles = [r for r in member.roles if r.role == "secretary"]
    section_ids = [r.section_id for r in roles if r.section_id]
    federations = [r.federation_code for r in roles if r.federation_code and not r.section_id]
    if any(r.section_id is None and r.federation_code is None for r in roles):
        return Member.section_id.is_not(None)
    if not section_ids and not federations:
        return None
    in_federations = select(Section.id).where(Section.federation_code.in_(federations))
    return Member.section_id.in_(section_ids) | Member.section_id.in_(in_federations)


def section_secretaries(section: Section | None) -> list[Member]:
    """Return the secretaries of a section (not those of its fédération)."""
    if section is None:
        return []
    query = (
        select(Member).join(Role, Role.member_id == Member.id)
        .where(Role.role == "secretary", Role.section_id == section.id)
        .order_by(Member.display_name)
    )
    return list(db.session.scalars(query))


def grant_role(actor, member: Member, role: str, federation_code=None, section_id=None) -> bool:
    """Give a scoped role; return False when the member already had it."""
    exists = db.session.scalar(
        select(Role.id).where(
            Role.member_id == member.id, Role.role == role,
            Role.federation_code.is_(None) if federation_code is None
            else Role.federation_code == federation_code,
            Role.section_id.is_(None) if section_id is None else Role.section_id == section_id,
        )
    )
    if exists:
        return False
    db.session.add(Role(member_id=member.id, role=role, federation_code=federation_code,
                        section_id=section_id))
    audit(actor, "role.grant", member,
          role=role, federation=federation_code, section=section_id)
    return True


def revoke_role(actor, role: Role) -> None:
    audit(actor, "role.revoke", role.member, role=role.role,
          federation=role.federation_code, section=role.section_id)
    db.session.delete(role)


def audit(actor, action: str, subject: Member | None = None, **details) -> None:
    """Write an audit entry in the current transaction."""
    db.session.add(AuditLog(
        actor_id=getattr(actor, "id", None), action=action,
        subject_id=subject.id if subject is not None else None, details=details,
    ))


# --- visibility --------------------------------------------------------------------------------


def can_see_profile(viewer, member: Member) -> bool:
    """Apply the member's chosen visibility to a viewer."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if viewer.id == member.id:
        return True
    if has_role(viewer, ("secretary", "organiser"), section=member.section,
                federation_code=member.commune.federation_code if member.commune else None):
        return True
    if member.visibility == "members":
        return True
    if member.visibility == "section":
        return member.section_id is not None and viewer.section_id == member.section_id
    return False


# --- profile -------------------------------------------------------------------------------


def place_member(member: Member, commune: Commune) -> None:
    """Put the member in a commune, and in that commune's section."""
    member.commune_insee = commune.insee
    member.section_id = commune.section_id


def place_unplaced_members(section: Section) -> int:
    """Give a new or enlarged section the members of its communes who had no section."""
    communes = select(Commune.insee).where(Commune.section_id == section.id)
    return db.session.execute(
        update(Member)
        .where(Member.section_id.is_(None), Member.commune_insee.in_(communes))
        .values(section_id=section.id)
    ).rowcount


def themes() -> list[Theme]:
    return list(db.session.scalars(select(Theme).order_by(Theme.name)))


def set_interests(member: Member, theme_ids: list[int]) -> None:
    chosen = db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids or [0]))).all()
    member.interests = list(chosen)


def set_mobilisation_consent(member: Member, given: bool) -> bool:
    """Record giving or withdrawing the consent; return False when nothing changed."""
    if given == (member.mobilisation_consent_at is not None):
        return False
    member.mobilisation_consent_at = utcnow() if given else None
    db.session.add(ConsentEvent(member_id=member.id, kind="mobilisation", given=given))
    return True


def consent_history(member: Member) -> list[ConsentEvent]:
    query = (select(ConsentEvent).where(ConsentEvent.member_id == member.id)
             .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc()).limit(50))
    return list(db.session.scalars(query))


def set_status(member: Member, status: str) -> None:
    """Change the member's status; a new adhérent waits for a secretary's confirmation."""
    if status != member.status:
        member.status = status
        member.adherent_confirmed_at = None


def completeness(member: Member) -> tuple[int, list[str]]:
    """Return the share of the profile filled in, and the keys of what is missing."""
    checks = {
        "email": member.email_confirmed_at is not None,
        "commune": member.commune_insee is not None,
        "interests": bool(member.interests),
        "skills": bool(member.skills.strip()),
        "bio": bool(member.bio.strip()),
    }
    missing = [key for key, done in checks.items() if not done]
    return round(100 * (len(checks) - len(missing)) / len(checks)), missing


def pending_adherents(scope):
    """Return the query of members awaiting confirmation within a secretary's scope."""
    return (
        select(Member)
        .where(Member.status == "adherent", Member.adherent_confirmed_at.is_(None), scope)
        .options(selectinload(Member.commune))
        .order_by(Member.created_at, Member.id)
    )


def confirm_adherent(actor, member: Member) -> None:
    member.adherent_confirmed_at = utcnow()
    audit(actor, "adherent.confirm", member)
