"""Who may use which route: every URL rule of the app, for every role, GET and POST.

The table below must name every endpoint, so that a new route cannot go untested. The world's
objects (section, group, event, members) belong to one section; a secretary of another section
requests them with their real IDs, which is how crafted IDs of other sections' objects are tried.
"""

import pytest
from sqlalchemy import select

from coopol.consultations.models import Option
from coopol.database import utcnow
from coopol.extensions import db
from coopol.notify.models import Notification
from coopol.profile.models import Role
from tests.conftest import ECHIROLLES, login, make_member, make_section, make_theme
from tests.consultations_factories import close_now, make_consultation
from tests.events_factories import join, make_event, make_organiser
from tests.groups_factories import add_member, make_group, make_proposal, make_thread
from tests.organize_factories import make_mobilisation

# public: anyone; member: logged in (and not blocked); role: any role; secretary: secretary over
# the target member's section (or admin); any_secretary: a secretary of any section (their page
# lists only their scope); admin: national admin.
ACCESS = {
    "static": "public", "healthz": "public",
    "home.index": "public", "home.set_language": "public", "home.privacy": "public",
    "home.sections": "member", "home.section": "member", "home.tools": "role",
    "auth.register": "public", "auth.login": "public", "auth.logout": "public",
    "auth.confirm": "public", "auth.forgot_password": "public", "auth.reset_password": "public",
    "auth.resend_confirmation": "member", "auth.account": "member",
    "auth.change_email": "member", "auth.change_password": "member",
    "auth.login_code": "public", "auth.two_factor": "member", "auth.disable_two_factor": "member",
    "geo.communes": "public",
    "profile.me": "member", "profile.edit": "member", "profile.consent": "member",
    "profile.show": "member", "profile.pending": "any_secretary",
    "profile.confirm_adherent": "secretary", "profile.data": "member",
    "profile.data_json": "member", "profile.delete": "member",
    "admin.index": "admin", "admin.themes": "admin", "admin.delete_theme": "admin",
    "admin.sections": "admin", "admin.edit_section": "admin", "admin.roles": "admin",
    "admin.revoke_role": "admin",
    # events: organisers of the event's section (and admins) run it; members RSVP.
    "events.index": "public", "events.show": "public", "events.event_ics": "public",
    "events.section_ics": "public", "events.feed_ics": "public", "events.guest": "public",
    "events.guest_confirm": "public", "events.guest_cancel": "public",
    "events.rsvp": "member", "events.rsvp_cancel": "member", "events.my_calendar": "member",
    "events.renew_feed": "member", "events.revoke_feed": "member",
    "events.new": "host", "events.edit": "organiser", "events.cancel": "organiser",
    "events.participants": "organiser", "events.participants_csv": "organiser",
    "events.check_in": "organiser", "events.check_in_code": "organiser",
    "events.message": "organiser", "events.report": "organiser",
    # groups: the world's group is local to the section; "member" belongs to it and wrote
    # its thread and proposal; its animateurs, the section's secretaries and admins run it.
    "groups.directory": "member", "groups.mine": "member", "groups.create": "member",
    "groups.show": "member", "groups.members": "member", "groups.threads": "member",
    "groups.thread": "member", "groups.proposals": "member", "groups.proposal": "member",
    "groups.join": "member", "groups.leave": "member",
    "groups.notifications": "group_member", "groups.new_thread": "group_member",
    "groups.reply": "group_member",
    "groups.new_proposal": "group_member", "groups.support": "group_member",
    "groups.report_post": "group_member",
    "groups.edit_post": "author", "groups.delete_post": "author",
    "groups.edit_proposal": "author",
    "groups.edit": "animateur", "groups.archive": "animateur", "groups.manage": "animateur",
    "groups.requests": "animateur", "groups.hide_post": "animateur",
    # consultations: the world's consultation is national, in its vote phase; admins run it,
    # secretaries write their section's and fédération's syntheses.
    "consultations.index": "member", "consultations.show": "member",
    "consultations.propose": "member", "consultations.vote": "member",
    "consultations.cast": "member", "consultations.tap": "member",
    "consultations.participation": "member", "consultations.results": "member",
    "consultations.report": "member",
    "consultations.edit": "any_secretary", "/consultations/<int:consultation_id>/edit": "admin",
    "consultations.close": "admin", "consultations.moderate": "admin",
    "consultations.add_option": "admin", "consultations.sort_option": "admin",
    "consultations.report_csv": "admin", "consultations.report_file": "admin",
    "consultations.section": "secretary", "consultations.section_synthesis": "secretary",
    "consultations.debate": "secretary",
    "consultations.federation": "federation", "consultations.federation_synthesis": "federation",
    "consultations.remind": "federation",
    # integration: group proposals go to consultations (animateurs), group calendar feeds.
    "groups.submit_proposal": "animateur", "events.group_ics": "public",
    # notify: a member's own notifications (another's is a 404), the feed, the settings; the
    # mail-off link works logged out; the bell answers nothing to a session that ended.
    "notify.index": "member", "notify.read_all": "member", "notify.bell": "public",
    "notify.open_notification": "member", "notify.settings": "member", "notify.feed": "member",
    "notify.mail_off": "public",
    # dashboards: the world's section is in fédération 38 ("code").
    "dashboards.index": "any_secretary", "dashboards.section": "secretary",
    "dashboards.federation": "federation", "dashboards.national": "admin",
    # moderation: secretaries over the member's section block and unblock; each lists theirs.
    "profile.block": "secretary", "profile.unblock": "secretary",
    "profile.blocked": "any_secretary",
    # organize: organisers, secretaries and admins find and mobilise within their scope;
    # the world's mobilisation was sent by its organiser; secretaries export and import.
    "organize.find": "role", "organize.members": "role", "organize.members_csv": "any_secretary",
    "organize.compose": "role", "organize.mobilisations": "role",
    "organize.progress": "organiser", "organize.unsubscribe": "public",
    "organize.audit": "admin", "organize.import_adherents": "any_secretary",
    "organize.apply_import": "any_secretary", "organize.contacted_me": "member",
}
# Results and reports exist only once a consultation is closed: test them on a closed one.
AFTER_CLOSE = {"consultations.results", "consultations.report", "consultations.report_csv",
               "consultations.report_file"}
# From least to most entitled: requests of one rule run in this order on one world, so that
# what an entitled role's POST changes comes after the refusals have been checked.
ROLES = ("anonymous", "blocked", "unconfirmed", "adherent", "other_secretary", "member",
         "animateur", "organiser", "secretary", "federation_secretary", "admin")
# A blocked member's session is refused: they are treated as anonymous.
LOGGED_OUT = {"anonymous", "blocked"}
SECRETARIES = {"secretary", "federation_secretary", "admin"}
ALLOWED = {"public": set(ROLES), "member": set(ROLES) - LOGGED_OUT,
           "role": {"organiser", "other_secretary"} | SECRETARIES, "secretary": SECRETARIES,
           "any_secretary": {"other_secretary"} | SECRETARIES,
           "federation": {"federation_secretary", "admin"},
           "organiser": {"organiser", "admin"}, "admin": {"admin"},
           "group_member": {"member", "animateur"}, "author": {"member"},
           # integration: a group's animateurs create events for it, like organisers.
           "host": {"organiser", "animateur", "admin"},
           "animateur": {"animateur"} | SECRETARIES}


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


def test_every_endpoint_is_in_the_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == {key for key in ACCESS if not key.startswith("/")}


@pytest.fixture
def world():
    """A section with its secretary and organiser, a pending adhérent who RSVPed to an event,
    a theme and a role to act on; a member of each kind, and the secretary of another section
    of the same fédération."""
    section = make_section()
    secretary = make_member(roles=[("secretary", section)], visibility="members")
    target = make_member(status="adherent", adherent_confirmed=False, visibility="members")
    admin = make_member(roles=[("admin", None)])
    organiser = make_organiser(section)
    theme = make_theme()
    role = db.session.scalar(select(Role).where(Role.member_id == secretary.id))
    event = make_event(section, organiser=admin)
    rsvp = join(event, target)
    member, animateur = make_member(visibility="members"), make_member()
    group = make_group(creator=animateur, section=section)
    add_member(group, member)
    add_member(group, target)
    thread = make_thread(group, member)
    proposal = make_proposal(group, member)
    consultation = make_consultation()
    closed = make_consultation(title="Close")
    close_now(closed)
    option = db.session.scalar(select(Option).where(Option.consultation_id == consultation.id))
    notification = Notification(member_id=member.id, kind="group", verb="group_post",
                                title=thread.title, target_type="post", target_id=thread.id,
                                dedup_key=f"post:{thread.id}")
    db.session.add(notification)
    other = make_section("Échirolles", "38", (ECHIROLLES,))
    blocked = make_member()
    blocked.blocked_at = utcnow()
    mobilisation = make_mobilisation(organiser)
    db.session.commit()
    return {"section_id": section.id, "member_id": target.id, "theme_id": theme.id,
            "role_id": role.id, "token": "jeton", "filename": "css/coopol.css",
            "event_id": event.id, "rsvp_id": rsvp.id, "slug": group.slug,
            "post_id": thread.id, "proposal_id": proposal.id, "action": "remove",
            "consultation_id": consultation.id, "option_id": option.id, "code": "38",
            "closed_consultation_id": closed.id, "notification_id": notification.id,
            "mobilisation_id": mobilisation.id,
            "members": {"member": member, "animateur": animateur, "secretary": secretary,
                        "federation_secretary": make_member(roles=[("secretary", "38")]),
                        "organiser": organiser, "admin": admin, "blocked": blocked,
                        "unconfirmed": make_member(confirmed=False),
                        "adherent": make_member(status="adherent"),
                        "other_secretary": make_member(commune=ECHIROLLES,
                                                       roles=[("secretary", other)])}}


def _rule_methods():
    from coopol import create_app

    app = create_app({"TESTING": True, "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule, method in _rules(app):
        yield pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule}")


RULE_METHODS = list(_rule_methods())


def _url(world, rule: str, endpoint: str) -> str:
    url = rule
    if endpoint in AFTER_CLOSE:
        url = url.replace("<int:consultation_id>", str(world["closed_consultation_id"]))
    for name in ("section_id", "member_id", "theme_id", "role_id", "token", "filename",
                 "event_id", "rsvp_id", "slug", "post_id", "proposal_id", "action",
                 "consultation_id", "option_id", "code", "notification_id",
                 "mobilisation_id"):
        for pattern in (f"<int:{name}>", f"<{name}>", f"<path:{name}>"):
            url = url.replace(pattern, str(world[name]))
    return url.replace("<any(accept,reject,merge):action>", "reject")


def _refusal(role: str, expected: set, response) -> str | None:
    """Say what is wrong with the answer to this role, or None when it is right."""
    status = response.status_code
    went_to_login = status == 302 and "/auth/login" in response.location
    if role in expected:
        if status >= 500 or status == 403 or went_to_login:
            return f"{role}: {status} {response.location or ''}"
    elif role in LOGGED_OUT:
        if not went_to_login:
            return f"{role}: {status}, not sent to log in"
    elif status != 403:
        return f"{role}: {status}, not 403"
    return None


@pytest.mark.parametrize(("rule", "endpoint", "method"), RULE_METHODS)
def test_access(app, world, rule, endpoint, method):
    """Every role, in turn, on one world: each answer as the table says."""
    url = _url(world, rule, endpoint)
    expected = ALLOWED[ACCESS.get(rule) or ACCESS[endpoint]]
    wrong = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world["members"][role])
        response = client.open(url, method=method, data={})
        wrong.append(_refusal(role, expected, response))
    problems = [w for w in wrong if w]
    assert not problems, problems


def test_the_matrix_covers_every_role_the_issue_names():
    assert len(RULE_METHODS) * len(ROLES) >= 140 * 11
    assert {"unconfirmed", "adherent", "other_secretary", "blocked"} <= set(ROLES)
