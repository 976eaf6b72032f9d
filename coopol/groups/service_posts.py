"""Discussion and proposal rules: threads, replies, moderation, reports, supports.

Lists that grow without bound page by cursor (a position in the order, not an offset), so the
10,000th post costs what the first one does. Nothing here commits.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from .. import mail, signals
from ..consultations import service as consultations_service
from ..consultations.models import Consultation
from ..database import utcnow
from ..extensions import db
from ..profile import service as profile_service
from ..profile.blocking import not_blocked
from ..profile.models import Member
from . import notifications, service
from .models import Group, GroupMembership, Post, PostReport, Proposal, ProposalSupport
from .service import Refusal

THREADS_PAGE = 20
REPLIES_PAGE = 30


# --- cursors -------------------------------------------------------------------------------


def thread_cursor(post: Post) -> str:
    """Encode a thread's place in the "most recently active first" order."""
    return f"{post.last_activity_at:%Y%m%d%H%M%S%f}-{post.id}"


def parse_thread_cursor(text: str | None) -> tuple[datetime, int] | None:
    """Read a cursor leniently: anything odd means "from the start"."""
    stamp, _, post_id = (text or "").partition("-")
    try:
        return datetime.strptime(stamp, "%Y%m%d%H%M%S%f"), int(post_id)
    except ValueError:
        return None


def threads(group: Group, before: str | None = None, limit: int | None = None,
            authors: bool = True):
    """Return one page of a group's threads and the cursor of the next page (or None).

    With `authors=False` the caller loads them (`load_authors`, with other rows' authors).
    """
    limit = limit or THREADS_PAGE
    # Authors in a second query (selectin): joined before the LIMIT, PostgreSQL would join
    # the group's thousand threads to every member first.
    query = (select(Post).where(Post.group_id == group.id, Post.parent_id.is_(None),
                                not_blocked(Post.author_id))
             .order_by(Post.last_activity_at.desc(), Post.id.desc()).limit(limit + 1))
    if authors:
        query = query.options(selectinload(Post.author))
    cursor = parse_thread_cursor(before)
    if cursor:
        query = query.where(tuple_(Post.last_activity_at, Post.id) < tuple_(*cursor))
    rows = list(db.session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (thread_cursor(rows[-1]) if more else None)


def replies(thread: Post, after: int | None = None, limit: int | None = None):
    """Return the replies after the given id, in order, and whether more follow."""
    limit = limit or REPLIES_PAGE
    query = (select(Post).where(Post.parent_id == thread.id, not_blocked(Post.author_id))
             .options(selectinload(Post.author)).order_by(Post.id).limit(limit + 1))
    if after:
        query = query.where(Post.id > after)
    rows = list(db.session.scalars(query))
    return rows[:limit], len(rows) > limit


def get_post(group: Group, post_id: int) -> Post | None:
    return db.session.scalar(select(Post).where(Post.id == post_id, Post.group_id == group.id,
                                                not_blocked(Post.author_id))
                             .options(selectinload(Post.author)))


# --- writing -------------------------------------------------------------------------------


def start_thread(author: Member, group: Group, membership, title: str, body: str) -> Post:
    """Open a thread, and queue the mails of members who follow every new thread."""
    service.ensure_writable(group)
    service.ensure_active_member(author, membership)
    post = Post(group_id=group.id, author_id=author.id, title=title, body=body)
    db.session.add(post)
    db.session.flush()
    service.touch(group.id)
    notifications.notify_new_thread(group, post)
    signals.group_post_created.send(group, post=post)
    return post


def reply(author: Member, group: Group, membership, thread: Post, body: str) -> Post:
    service.ensure_writable(group)
    service.ensure_active_member(author, membership)
    if not thread.is_thread:
        raise Refusal(_l("On répond à une discussion, pas à une réponse."), 400)
    now = utcnow()
    post = Post(group_id=group.id, parent_id=thread.id, author_id=author.id, body=body,
                created_at=now, last_activity_at=now)
    db.session.add(post)
    db.session.execute(update(Post).where(Post.id == thread.id).values(
        reply_count=Post.reply_count + 1, last_activity_at=now))
    service.touch(group.id)
    db.session.flush()
    return post


def ensure_own(member: Member, group: Group, post: Post) -> None:
    """Refuse unless the member wrote this post, it still shows, and the group is open."""
    service.ensure_writable(group)
    if post.author_id != member.id:
        raise Refusal(_l("Tu ne peux changer que tes propres messages."), 403)
    if not post.is_visible:
        raise Refusal(_l("Ce message a été supprimé ou masqué : il ne peut plus changer."))


def edit_post(member: Member, group: Group, post: Post, title: str, body: str) -> None:
    ensure_own(member, group, post)
    if post.is_thread:
        post.title = title
    post.body, post.edited_at = body, utcnow()


def delete_post(member: Member, group: Group, post: Post) -> None:
    """Delete one's own post: its text goes, its place stays so the replies keep their sense."""
    ensure_own(member, group, post)
    post.deleted_at, post.body = utcnow(), ""


def hide_post(actor: Member, group: Group, post: Post, reason: str) -> None:
    """Hide a post as animateur; the reason is shown in its place."""
    service.ensure_writable(group)
    if post.hidden_at is not None:
        raise Refusal(_l("Ce message est déjà masqué."))
    post.hidden_at, post.hidden_reason, post.hidden_by_id = utcnow(), reason, actor.id


def report_post(member: Member, group: Group, membership, post: Post, reason: str) -> None:
    """Report a post to the animateurs, once per member; they get a mail."""
    service.ensure_writable(group)
    service.ensure_active_member(member, membership)
    exists = db.session.scalar(select(PostReport.id).where(
        PostReport.post_id == post.id, PostReport.reporter_id == member.id))
    if exists:
        raise Refusal(_l("Tu as déjà signalé ce message."))
    db.session.add(PostReport(post_id=post.id, reporter_id=member.id, reason=reason))
    db.session.execute(update(Post).where(Post.id == post.id)
                       .values(report_count=Post.report_count + 1))
    animateurs = db.session.scalars(
        select(Member).join(GroupMembership, GroupMembership.member_id == Member.id)
        .where(GroupMembership.group_id == group.id, GroupMembership.role == "animateur",
               GroupMembership.status == "active"))
    for animateur in animateurs:
        mail.queue(animateur.email, "group_post_reported", name=animateur.display_name,
                   group=group.name, reason=reason, slug=group.slug,
                   post_id=post.parent_id or post.id)


# --- proposals -----------------------------------------------------------------------------


def proposals_query(group: Group, authors: bool = True):
    query = (select(Proposal).where(Proposal.group_id == group.id,
                                    not_blocked(Proposal.author_id))
             .options(joinedload(Proposal.theme))
             .order_by(Proposal.support_count.desc(), Proposal.id.desc()))
    return query.options(selectinload(Proposal.author)) if authors else query


def load_authors(rows) -> None:
    """Give these posts and proposals their authors, read in one query for all of them."""
    ids = {row.author_id for row in rows if row.author_id is not None}
    found = {member.id: member for member in db.session.scalars(
        select(Member).where(Member.id.in_(ids)))} if ids else {}
    for row in rows:
        set_committed_value(row, "author", found.get(row.author_id))


def get_proposal(group: Group, proposal_id: int) -> Proposal | None:
    return db.session.scalar(select(Proposal).where(
        Proposal.id == proposal_id, Proposal.group_id == group.id,
        not_blocked(Proposal.author_id)))


def draft_proposal(author: Member, group: Group, membership, title: str, body: str,
                   theme_id: int | None) -> Proposal:
    service.ensure_writable(group)
    service.ensure_active_member(author, membership)
    if theme_id and theme_id not in {t.id for t in group.themes}:
        raise Refusal(_l("Choisis un des thèmes du groupe."), 422)
    proposal = Proposal(group_id=group.id, author_id=author.id, title=title, body=body,
                        theme_id=theme_id or None)
    db.session.add(proposal)
    service.touch(group.id)
    db.session.flush()
    signals.group_proposal_created.send(group, proposal=proposal)
    return proposal


def ensure_own_draft(author: Member, group: Group, proposal: Proposal) -> None:
    """Refuse unless the member wrote this proposal and it is still a draft."""
    service.ensure_writable(group)
    if proposal.author_id != author.id:
        raise Refusal(_l("Seule la personne qui l'a écrite peut modifier cette proposition."), 403)
    if proposal.status != "draft":
        raise Refusal(_l("Cette proposition est soumise : elle ne change plus."))


def edit_proposal(author: Member, group: Group, proposal: Proposal, title: str, body: str,
                  theme_id: int | None) -> None:
    """Let the author rework a draft; once submitted it no longer changes."""
    ensure_own_draft(author, group, proposal)
    if theme_id and theme_id not in {t.id for t in group.themes}:
        raise Refusal(_l("Choisis un des thèmes du groupe."), 422)
    proposal.title, proposal.body, proposal.theme_id = title, body, theme_id or None


def supported_ids(member, proposals) -> set[int]:
    """Return which of these proposals the member supports, in one query."""
    ids = [p.id for p in proposals]
    if not ids or not getattr(member, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(ProposalSupport.proposal_id).where(
        ProposalSupport.member_id == member.id, ProposalSupport.proposal_id.in_(ids))))


def toggle_support(member: Member, group: Group, membership, proposal: Proposal) -> bool:
    """Support the proposal, or withdraw one's support; return whether it is now supported."""
    service.ensure_writable(group)
    service.ensure_active_member(member, membership)
    removed = db.session.execute(delete(ProposalSupport).where(
        ProposalSupport.proposal_id == proposal.id,
        ProposalSupport.member_id == member.id)).rowcount
    if not removed:
        # The primary key keeps it to one support each, even for two racing taps.
        db.session.add(ProposalSupport(proposal_id=proposal.id, member_id=member.id))
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id).values(
        support_count=Proposal.support_count + (-1 if removed else 1)))
    return not removed


# --- proposals handed to consultations ------------------------------------------------------


def consultations_for(group: Group, proposal: Proposal) -> list:
    """Return the consultations a draft proposal could go to: taking contributions, same theme."""
    if proposal.status != "draft" or group.is_archived:
        return []
    return consultations_service.open_to_group(proposal.theme_id, group.federation_code,
                                               group.section_id)


def submit_proposal(actor, group: Group, membership, proposal: Proposal, consultation_id: int):
    """Hand a group's proposal to a consultation, where it becomes an option from the group."""
    if not service.can_animate(actor, group, membership):
        raise Refusal(_l("Seule l'animation du groupe peut soumettre ses propositions."), 403)
    service.ensure_writable(group)
    if proposal.status != "draft":
        raise Refusal(_l("Cette proposition est déjà soumise à une consultation."))
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        raise Refusal(_l("Cette consultation n'existe pas."), 404)
    if consultation.phase() != "contributions":
        raise Refusal(_l("Cette consultation ne reçoit pas de propositions en ce moment."))
    if proposal.theme_id is None or proposal.theme_id != consultation.theme_id:
        raise Refusal(_l("Cette consultation porte sur un autre thème que la proposition."), 422)
    if not consultations_service.takes_group(consultation, group.federation_code,
                                             group.section_id):
        raise Refusal(_l("Cette consultation ne concerne pas ce groupe."), 403)
    # Claimed with a conditional UPDATE: two taps at once still submit it once.
    claimed = db.session.execute(
        update(Proposal).where(Proposal.id == proposal.id, Proposal.status == "draft")
        .values(status="submitted", submitted_at=utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Refusal(_l("Cette proposition est déjà soumise à une consultation."))
    try:
        option = consultations_service.add_option(
            consultation, proposal.title, proposal.body, "group", group_id=group.id,
            group_name=group.name)
    except consultations_service.ConsultationError as error:
        raise Refusal(error.message, error.status) from error
    db.session.flush()
    db.session.execute(update(Proposal).where(Proposal.id == proposal.id)
                       .values(option_id=option.id).execution_options(synchronize_session=False))
    profile_service.audit(actor, "group.proposal_submit", None, group=group.id,
                          proposal=proposal.id, consultation=consultation.id)
    return option
