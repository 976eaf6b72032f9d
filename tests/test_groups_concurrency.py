"""No duplicate membership and a right member count under simultaneous joins: real parallel
requests to a live server. Runs on SQLite and, with COOPOL_TEST_DATABASE_URL, on PostgreSQL."""


from sqlalchemy import func, select

from coopol.extensions import db
from coopol.groups.models import Group, GroupMembership
from tests.conftest import make_member, reload
from tests.groups_factories import make_group
from tests.test_events_concurrency import post_all_at_once

PEOPLE = 40


def memberships(group_id) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(GroupMembership).where(
        GroupMembership.group_id == group_id, GroupMembership.status == "active"))


def test_the_same_member_joining_many_times_at_once_joins_once(app, live_server, section):
    group = make_group(section=section)
    member = make_member()
    statuses = post_all_at_once(live_server, app, [member] * 20, f"/groups/{group.slug}/join")
    assert sorted(statuses) == [303] + [409] * 19
    assert memberships(group.id) == 2  # the animateur and the member, once
    assert reload(Group, group.id).member_count == 2


def test_many_members_joining_at_once_are_all_counted(app, live_server, section):
    group = make_group(section=section)
    members = [make_member() for _ in range(PEOPLE)]
    statuses = post_all_at_once(live_server, app, members, f"/groups/{group.slug}/join")
    assert statuses == [303] * PEOPLE
    assert memberships(group.id) == PEOPLE + 1
    assert reload(Group, group.id).member_count == PEOPLE + 1
