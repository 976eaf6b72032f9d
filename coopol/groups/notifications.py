"""Group mail: each new thread as it opens, or one weekly digest (`flask groups digest`).

Both only queue mail in the outbox; the outbox worker sends it.
"""

from collections import defaultdict
from datetime import timedelta

import click
from sqlalchemy import or_, select, update

from .. import mail
from ..database import utcnow
from ..extensions import db
from ..profile.blocking import not_blocked
from ..profile.models import Member
from . import bp
from .models import Group, GroupMembership, Post

DIGEST_TITLES = 10  # per group: a digest stays short; the link leads to the rest


def notify_new_thread(group: Group, post: Post) -> int:
    """Queue a mail for each member who asked to hear of every new thread; return how many."""
    query = (select(Member.email, Member.display_name).join(
        GroupMembership, GroupMembership.member_id == Member.id)
        .where(GroupMembership.group_id == group.id, GroupMembership.status == "active",
               GroupMembership.notify == "threads", Member.id != post.author_id,
               Member.email_confirmed_at.is_not(None), Member.blocked_at.is_(None)))
    count = 0
    for email, name in db.session.execute(query):
        mail.queue(email, "group_new_thread", name=name, group=group.name, title=post.title,
                   slug=group.slug, post_id=post.id)
        count += 1
    return count


def send_digests(now=None) -> int:
    """Queue one mail per member listing the week's new threads of their "digest" groups.

    A membership that got a digest less than six days ago is skipped, so running the command
    twice in a week sends nothing twice. Return how many mails were queued.
    """
    now = now or utcnow()
    since = now - timedelta(days=7)
    rows = db.session.execute(
        select(Post.group_id, Post.id, Post.title)
        .join(Group, Group.id == Post.group_id)
        .where(Post.parent_id.is_(None), Post.created_at >= since, Post.deleted_at.is_(None),
               Post.hidden_at.is_(None), Group.archived_at.is_(None),
               not_blocked(Post.author_id))
        .order_by(Post.group_id, Post.id.desc()))
    threads = defaultdict(list)
    for group_id, post_id, title in rows:
        threads[group_id].append((post_id, title))
    if not threads:
        return 0
    groups = {g.id: g for g in db.session.scalars(select(Group).where(Group.id.in_(threads)))}
    due = db.session.execute(
        select(GroupMembership.id, GroupMembership.group_id, Member.email, Member.display_name,
               Member.id)
        .join(Member, Member.id == GroupMembership.member_id)
        .where(GroupMembership.group_id.in_(threads), GroupMembership.status == "active",
               GroupMembership.notify == "digest", Member.email_confirmed_at.is_not(None),
               Member.blocked_at.is_(None),
               or_(GroupMembership.digest_sent_at.is_(None),
                   GroupMembership.digest_sent_at < now - timedelta(days=6)))
        .order_by(Member.id, GroupMembership.group_id))
    per_member, membership_ids = defaultdict(list), []
    for membership_id, group_id, email, name, member_id in due:
        per_member[(member_id, email, name)].append(group_id)
        membership_ids.append(membership_id)
    for (_member_id, email, name), group_ids in per_member.items():
        sections = [{
            "name": groups[gid].name,
            "slug": groups[gid].slug,
            "titles": [title for _id, title in threads[gid][:DIGEST_TITLES]],
            "more": max(0, len(threads[gid]) - DIGEST_TITLES),
        } for gid in group_ids]
        mail.queue(email, "group_digest", name=name, groups=sections)
    for start in range(0, len(membership_ids), 500):
        db.session.execute(update(GroupMembership)
                           .where(GroupMembership.id.in_(membership_ids[start:start + 500]))
                           .values(digest_sent_at=now))
    return len(per_member)


@bp.cli.command("digest")
def digest_command():
    """Queue this week's digest of new discussions (run it once a week, e.g. from cron)."""
    count = send_digests()
    db.session.commit()
    click.echo(f"{count} résumé(s) mis en file d'attente.")
