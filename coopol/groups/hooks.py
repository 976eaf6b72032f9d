"""What groups add to other blueprints' pages, and their part in members' data rights (GDPR)."""

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..profile import panels, privacy
from . import service
from .models import Group, GroupMembership, Post, PostReport, Proposal, ProposalSupport


def _when(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


@panels.showing_profile.connect
def my_groups_box(member):
    """Put "Mes groupes" on the member's own profile."""
    return "groups/_my_groups.html", {"my_groups": service.my_groups(member)}


@privacy.collect_member_data.connect
def member_data(member):
    """Return the member's memberships, posts, proposals, supports and reports."""
    memberships = db.session.scalars(select(GroupMembership).where(
        GroupMembership.member_id == member.id).options(selectinload(GroupMembership.group))
        .order_by(GroupMembership.id))
    posts = db.session.execute(
        select(Post, Group.name).join(Group, Group.id == Post.group_id)
        .where(Post.author_id == member.id).order_by(Post.id))
    proposals = db.session.execute(
        select(Proposal, Group.name).join(Group, Group.id == Proposal.group_id)
        .where(Proposal.author_id == member.id).order_by(Proposal.id))
    supports = db.session.execute(
        select(Proposal.title, ProposalSupport.created_at)
        .join(ProposalSupport, ProposalSupport.proposal_id == Proposal.id)
        .where(ProposalSupport.member_id == member.id).order_by(ProposalSupport.created_at))
    reports = db.session.execute(
        select(PostReport.reason, PostReport.created_at, PostReport.post_id)
        .where(PostReport.reporter_id == member.id).order_by(PostReport.id))
    return {
        "groupes": [{"groupe": m.group.name, "role": m.role, "statut": m.status,
                     "notifications": m.notify, "demande": _when(m.requested_at),
                     "entree": _when(m.joined_at)} for m in memberships],
        "messages_de_groupes": [{"groupe": name, "titre": p.title, "texte": p.body,
                                 "date": _when(p.created_at), "supprime": bool(p.deleted_at)}
                                for p, name in posts],
        "propositions_de_groupes": [{"groupe": name, "titre": p.title, "texte": p.body,
                                     "statut": p.status, "date": _when(p.created_at)}
                                    for p, name in proposals],
        "soutiens": [{"proposition": title, "date": _when(at)} for title, at in supports],
        "signalements": [{"message": post_id, "raison": reason, "date": _when(at)}
                         for reason, at, post_id in reports],
    }


@privacy.erasing_member.connect
def erase_member(member):
    """Leave every group (counters kept right), withdraw supports and reports; posts and
    proposals stay, signed "Ancien membre"."""
    memberships = list(db.session.scalars(select(GroupMembership).where(
        GroupMembership.member_id == member.id).options(selectinload(GroupMembership.group))))
    for membership in memberships:
        service.drop(membership, membership.group)
    for support in list(db.session.scalars(select(ProposalSupport).where(
            ProposalSupport.member_id == member.id))):
        db.session.execute(update(Proposal).where(Proposal.id == support.proposal_id)
                           .values(support_count=Proposal.support_count - 1))
        db.session.delete(support)
    for report in list(db.session.scalars(select(PostReport).where(
            PostReport.reporter_id == member.id))):
        db.session.execute(update(Post).where(Post.id == report.post_id)
                           .values(report_count=Post.report_count - 1))
        db.session.delete(report)
    for model, column in ((Post, Post.author_id), (Post, Post.hidden_by_id),
                          (Proposal, Proposal.author_id), (Group, Group.created_by_id)):
        db.session.execute(update(model).where(column == member.id).values({column: None})
                           .execution_options(synchronize_session=False))
    db.session.flush()
