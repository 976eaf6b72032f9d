"""Group rules: directory, creation and settings, membership, animateurs, notifications.

Every function writes in the caller's transaction and never commits; a rule that is broken
raises `Refusal` before anything is written, so the view rolls back and shows its message.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from .. import mail
from ..database import fold, like_prefix, utcnow
from ..errors import Refusal
from ..extensions import db
from ..geo.models import Section
from ..profile import panels
from ..profile import service as profile_service
from ..profile.blocking import not_blocked
from ..profile.models import Member, Role, Theme
from .models import Group, GroupMembership, group_theme

SORTS = ("members", "activity", "name")
# Other blueprints add boxes to a group's page: sent with the group, the viewer and the
# viewer's membership (None when they have none).
showing_group = panels.signals.signal("showing-group")
SCOPES = ("national", "section", "federation")




# --- reading -------------------------------------------------------------------------------


def get_group(slug: str) -> Group | None:
    query = select(Group).where(Group.slug == slug).options(
        selectinload(Group.themes), joinedload(Group.section).joinedload(Section.federation))
    return db.session.scalar(query)


def membership_of(member, group: Group) -> GroupMembership | None:
    """Return the member's membership row in the group (any status), or None."""
    if member is None or not getattr(member, "is_authenticated", False):
        return None
    return db.session.scalar(select(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.member_id == member.id))


def can_animate(member, group: Group, membership: GroupMembership | None) -> bool:
    """Animateurs run their group; the section's secretaries (or national admins) may step in."""
    if membership is not None and membership.is_animateur:
        return True
    if group.section is not None:
        return profile_service.has_role(member, "secretary", section=group.section)
    return profile_service.is_admin(member)


def can_read(member, group: Group, membership: GroupMembership | None) -> bool:
    """A closed group's discussions and proposals are for its members (and those who run it)."""
    return (group.is_open or (membership is not None and membership.is_active)
            or can_animate(member, group, membership))


def ensure_readable(member, group: Group, membership: GroupMembership | None) -> None:
    if not can_read(member, group, membership):
        raise Refusal(_l("Ce groupe est fermé : rejoins-le pour lire ses discussions."), 403)


def ensure_writable(group: Group) -> None:
    """Refuse every change to an archived group."""
    if group.is_archived:
        raise Refusal(_l("Ce groupe est archivé : on peut le lire, plus rien n'y change."))


def ensure_active_member(member, membership: GroupMembership | None) -> None:
    """Refuse unless the member is an active member with a confirmed e-mail address."""
    if membership is None or not membership.is_active:
        raise Refusal(_l("Rejoins le groupe pour participer."), 403)
    if member.email_confirmed_at is None:
        raise Refusal(_l("Confirme d'abord ton adresse e-mail pour participer."), 403)


def directory_query(q: str = "", theme_id: int | None = None, scope: str = "",
                    sort: str = "members", viewer=None):
    """Return the select() of the open directory: not archived, filtered and sorted."""
    query = select(Group).where(Group.archived_at.is_(None)).options(
        selectinload(Group.themes), selectinload(Group.section))
    words = fold(q or "")[:80]
    if words:
        query = query.where(Group.search_name.like("%" + like_prefix(words), escape="\\"))
    if theme_id:
        query = query.where(Group.id.in_(
            select(group_theme.c.group_id).where(group_theme.c.theme_id == theme_id)))
    section = getattr(viewer, "section", None)
    if scope == "national":
        query = query.where(Group.section_id.is_(None))
    elif scope == "section":
        query = query.where(Group.section_id == (section.id if section else -1))
    elif scope == "federation":
        query = query.where(Group.federation_code == (section.federation_code if section
                                                      else ""))
    order = {
        "activity": (Group.last_activity_at.desc(), Group.id.desc()),
        "name": (Group.search_name,),
    }.get(sort, (Group.member_count.desc(), Group.id))
    return query.order_by(*order)


def suggested_groups(member, limit: int = 5) -> list[Group]:
    """Suggest open groups on the member's themes or in their section that they are not in."""
    theme_ids = [t.id for t in member.interests]
    matches = [Group.id.in_(select(group_theme.c.group_id)
                            .where(group_theme.c.theme_id.in_(theme_ids)))] if theme_ids else []
    if member.section_id:
        matches.append(Group.section_id == member.section_id)
    if not matches:
        return []
    mine = select(GroupMembership.group_id).where(GroupMembership.member_id == member.id)
    query = (select(Group).where(Group.archived_at.is_(None), or_(*matches), Group.id.not_in(mine))
             .options(selectinload(Group.themes), selectinload(Group.section))
             .order_by(Group.member_count.desc(), Group.id).limit(limit))
    return list(db.session.scalars(query))


def statuses_for(member, groups) -> dict[int, GroupMembership]:
    """Return the member's memberships among these groups, by group id, in one query."""
    ids = [g.id for g in groups]
    if not ids or not getattr(member, "is_authenticated", False):
        return {}
    rows = db.session.scalars(select(GroupMembership).where(
        GroupMembership.member_id == member.id, GroupMembership.group_id.in_(ids)))
    return {row.group_id: row for row in rows}


# A membership through which its member animates a group that is not archived (SQL; the
# query joins Group). `GroupMembership.is_animateur` says the first half for a loaded row.
ANIMATES_ACTIVE_GROUP = and_(GroupMembership.role == "animateur",
                             GroupMembership.status == "active", Group.archived_at.is_(None))


def _mine(query, member):
    """Narrow a select() joined to the member's memberships to their groups (active or
    requested), most active first."""
    return (query.where(GroupMembership.member_id == member.id,
                        GroupMembership.status.in_(("active", "pending")))
            .order_by(Group.archived_at.is_not(None), Group.last_activity_at.desc(), Group.id))


def my_groups_query(member):
    """Return the select() of the member's groups (active or requested), most active first."""
    return _mine(select(GroupMembership).join(Group), member).options(
        selectinload(GroupMembership.group).selectinload(Group.themes))


def my_groups(member, limit: int = 6) -> list[GroupMembership]:
    return list(db.session.scalars(my_groups_query(member).limit(limit)))


def my_group_names(member, limit: int = 30) -> list[tuple[str, str, bool]]:
    """Return the slug and name of the member's groups, in `my_groups` order (for filters),
    and whether the member animates it (an active animateur of a group not archived)."""
    query = _mine(select(Group.slug, Group.name, ANIMATES_ACTIVE_GROUP).join(
        GroupMembership, GroupMembership.group_id == Group.id), member)
    return [(slug, name, bool(hosts)) for slug, name, hosts
            in db.session.execute(query.limit(limit))]


def members_query(group: Group, viewer, q: str = "", sees_all: bool = False):
    """Return the select() of a group's active members, animateurs first, then by arrival.

    That order is the membership index's (ix_group_membership_order): a page of the
    2,315-member group is read from it without sorting the group. A name search only looks
    among members whose profile the viewer may see, so that it cannot reveal who belongs to
    a group; animateurs see every member of their group.
    """
    query = (select(GroupMembership)
             .where(GroupMembership.group_id == group.id, GroupMembership.status == "active",
                    not_blocked(GroupMembership.member_id))
             .options(selectinload(GroupMembership.member).selectinload(Member.section),
                      selectinload(GroupMembership.member).selectinload(Member.commune))
             .order_by(GroupMembership.role, GroupMembership.joined_at, GroupMembership.id))
    text = (q or "").strip()[:80]
    if text:
        query = query.join(Member, Member.id == GroupMembership.member_id).where(
            Member.display_name.ilike("%" + like_prefix(text), escape="\\"))
        if not sees_all:
            query = query.where(or_(
                Member.id == viewer.id, Member.visibility == "members",
                and_(Member.visibility == "section", Member.section_id.is_not(None),
                     Member.section_id == viewer.section_id)))
    return query


def requests_query(group: Group, status: str = "pending"):
    """Return the select() of pending join requests (or of banned members), oldest first."""
    return (select(GroupMembership)
            .where(GroupMembership.group_id == group.id, GroupMembership.status == status)
            .options(selectinload(GroupMembership.member))
            .order_by(GroupMembership.requested_at, GroupMembership.id))


def pending_count(group: Group) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.status == "pending")) or 0


# --- creating and editing ------------------------------------------------------------------


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:100] or "groupe"


def name_taken(name: str, except_id: int | None = None) -> bool:
    query = select(Group.id).where(Group.search_name == fold(name))
    if except_id:
        query = query.where(Group.id != except_id)
    return db.session.scalar(query) is not None


def _free_slug(name: str) -> str:
    """Return a slug not used yet; a renamed group keeps its old one, so add a number."""
    base, n = slugify(name), 1
    slug = base
    while db.session.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _themes(theme_ids) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.id.in_(theme_ids or [0]))))


def create_group(creator: Member, name: str, description: str, theme_ids, local: bool,
                 is_open: bool) -> Group:
    """Create a group with its creator as first animateur."""
    if creator.email_confirmed_at is None:
        raise Refusal(_l("Confirme d'abord ton adresse e-mail pour créer un groupe."), 403)
    if name_taken(name):
        raise Refusal(_l("Un groupe porte déjà ce nom."), 422)
    if local and creator.section is None:
        raise Refusal(_l("Tu n'as pas de section : crée plutôt un groupe national."), 422)
    section = creator.section if local else None
    group = Group(name=name, search_name=fold(name), slug=_free_slug(name),
                  description=description, is_open=is_open, member_count=1,
                  section_id=section.id if section else None,
                  federation_code=section.federation_code if section else None,
                  created_by_id=creator.id, themes=_themes(theme_ids))
    db.session.add(group)
    db.session.flush()
    db.session.add(GroupMembership(group_id=group.id, member_id=creator.id, role="animateur",
                                   status="active", joined_at=utcnow()))
    return group


def update_group(group: Group, name: str, description: str, theme_ids, is_open: bool) -> None:
    """Change a group's settings; its slug stays the same."""
    ensure_writable(group)
    if name_taken(name, except_id=group.id):
        raise Refusal(_l("Un groupe porte déjà ce nom."), 422)
    group.name, group.search_name = name, fold(name)
    group.description, group.is_open = description, is_open
    group.themes = _themes(theme_ids)


def archive_group(actor, group: Group) -> None:
    ensure_writable(group)
    group.archived_at = utcnow()
    profile_service.audit(actor, "group.archive", None, group=group.id)


def touch(group_id: int) -> None:
    """Record activity in a group, for the directory's "recent activity" sort."""
    db.session.execute(update(Group).where(Group.id == group_id)
                       .values(last_activity_at=utcnow()))


# --- membership ------------------------------------------------------------------------------


def _count(group: Group, delta: int) -> None:
    """Move the member counter in the same transaction, in SQL so concurrent joins add up."""
    db.session.execute(update(Group).where(Group.id == group.id)
                       .values(member_count=Group.member_count + delta))


def join(member: Member, group: Group) -> GroupMembership:
    """Join an open group at once, or ask to join a closed one."""
    ensure_writable(group)
    membership = membership_of(member, group)
    if membership is not None:
        messages = {
            "active": _l("Tu fais déjà partie de ce groupe."),
            "pending": _l("Ta demande attend déjà la réponse de l'animation."),
            "banned": _l("L'animation de ce groupe t'en a exclu·e."),
        }
        raise Refusal(messages[membership.status], 403 if membership.status == "banned" else 409)
    active = group.is_open
    membership = GroupMembership(group_id=group.id, member_id=member.id,
                                 status="active" if active else "pending",
                                 joined_at=utcnow() if active else None)
    db.session.add(membership)
    try:
        db.session.flush()
    except IntegrityError:
        # The same member's other request (a double tap) got in first: the unique
        # constraint kept one membership; this one is told, not shown an error page.
        db.session.rollback()
        raise Refusal(_l("Tu fais déjà partie de ce groupe, ou ta demande est déjà envoyée."),
                      409) from None
    if active:
        _count(group, 1)
    return membership


def leave(member: Member, group: Group) -> None:
    """Leave a group, or cancel one's pending request."""
    ensure_writable(group)
    membership = membership_of(member, group)
    if membership is None or membership.status == "banned":
        raise Refusal(_l("Tu ne fais pas partie de ce groupe."))
    drop(membership, group)


def drop(membership: GroupMembership, group: Group) -> None:
    """Delete a membership, keeping the member counter and the animateurs' watch right."""
    was_active, was_animateur = membership.is_active, membership.is_animateur
    db.session.delete(membership)
    if was_active:
        _count(group, -1)
    if was_animateur:
        db.session.flush()
        _check_animateurs(group)


def animateur_count(group: Group) -> int:
    return db.session.scalar(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.role == "animateur",
        GroupMembership.status == "active")) or 0


def _check_animateurs(group: Group) -> None:
    """When a group loses its last animateur, tell its section's secretaries or the admins."""
    if animateur_count(group):
        return
    recipients = profile_service.section_secretaries(group.section)
    if not recipients:
        recipients = list(db.session.scalars(
            select(Member).join(Role, Role.member_id == Member.id)
            .where(Role.role == "admin", Role.section_id.is_(None),
                   Role.federation_code.is_(None)).order_by(Member.id)))
    for recipient in recipients:
        mail.queue(recipient.email, "group_orphaned", name=recipient.display_name,
                   group=group.name, slug=group.slug)


def manage(actor, group: Group, target: GroupMembership, action: str) -> None:
    """Apply an animateur's decision about one member: approve, refuse, promote, demote,
    remove (which also lifts a ban) or ban."""
    ensure_writable(group)
    allowed = {
        "approve": ("pending",), "refuse": ("pending",), "promote": ("active",),
        "demote": ("active",), "remove": ("active", "banned"), "ban": ("active", "pending"),
    }[action]
    if target.status not in allowed:
        raise Refusal(_l("Ce changement ne s'applique pas à ce membre."))
    if action == "promote" and target.role == "animateur":
        raise Refusal(_l("Ce membre anime déjà le groupe."))
    if action == "demote" and target.role != "animateur":
        raise Refusal(_l("Ce membre n'anime pas le groupe."))
    if action == "approve":
        target.status, target.joined_at = "active", utcnow()
        _count(group, 1)
    elif action == "promote":
        target.role = "animateur"
    elif action == "demote":
        target.role = "member"
        db.session.flush()
        _check_animateurs(group)
    elif action in ("refuse", "remove"):
        drop(target, group)
    else:  # ban: keep the row so the member cannot ask again
        was_active, was_animateur = target.is_active, target.is_animateur
        target.status, target.role = "banned", "member"
        if was_active:
            _count(group, -1)
        if was_animateur:
            db.session.flush()
            _check_animateurs(group)
    profile_service.audit(actor, f"group.{action}", target.member, group=group.id)


def set_notify(membership: GroupMembership, choice: str) -> None:
    membership.notify = choice
