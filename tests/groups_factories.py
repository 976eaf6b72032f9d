"""Factories for the groups tests: groups, memberships, posts and proposals, made directly."""

import html

from sqlalchemy import func, select

from coopol.database import fold, utcnow
from coopol.extensions import db
from coopol.groups import service
from coopol.groups.models import Group, GroupMembership, Post, Proposal
from tests.conftest import make_member

_counter = {"n": 0}


def new_member(**kwargs):
    """Make a member with an address of its own (conftest's counter is per module copy)."""
    _counter["n"] += 1
    kwargs.setdefault("email", f"groupes{_counter['n']}@exemple.fr")
    kwargs.setdefault("name", f"Militant·e {_counter['n']}")
    return make_member(**kwargs)


def make_group(name=None, creator=None, section=None, is_open=True, themes=(),
               description="Un groupe pour agir ensemble.") -> Group:
    """Create a group whose creator (made if not given) is its animateur."""
    _counter["n"] += 1
    name = name or f"Groupe {_counter['n']}"
    creator = creator or new_member()
    group = Group(name=name, search_name=fold(name), slug=service.slugify(name),
                  description=description, is_open=is_open, member_count=0,
                  section_id=section.id if section else None,
                  federation_code=section.federation_code if section else None,
                  themes=list(themes))
    db.session.add(group)
    db.session.commit()
    add_member(group, creator, role="animateur")
    return group


def add_member(group, member, role="member", status="active", notify="digest"):
    """Put a member in a group, keeping its member counter right."""
    db.session.add(GroupMembership(group_id=group.id, member_id=member.id, role=role,
                                   status=status, notify=notify,
                                   joined_at=utcnow() if status == "active" else None))
    if status == "active":
        group.member_count += 1
    db.session.commit()


def make_thread(group, author, title="Première réunion", body="On se retrouve jeudi ?"):
    post = Post(group_id=group.id, author_id=author.id, title=title, body=body)
    db.session.add(post)
    db.session.commit()
    return post


def make_reply(thread, author, body="D'accord !"):
    post = Post(group_id=thread.group_id, parent_id=thread.id, author_id=author.id, body=body)
    thread.reply_count += 1
    db.session.add(post)
    db.session.commit()
    return post


def make_proposal(group, author, title="Des cantines bio", body="Dans toutes les écoles."):
    proposal = Proposal(group_id=group.id, author_id=author.id, title=title, body=body)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def membership(group, member):
    db.session.expire_all()
    return db.session.scalar(select(GroupMembership).where(
        GroupMembership.group_id == group.id, GroupMembership.member_id == member.id))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


HX = {"HX-Request": "true"}


def text(response) -> str:
    """Return a response's HTML with entities decoded, to look for French messages in it."""
    return html.unescape(response.get_data(as_text=True))
