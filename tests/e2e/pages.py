"""Every main page of the site, with who looks at it: weighed, checked and photographed.

A new page is one entry: `Page(name, path, who)`, where `path` is a string or a function of
the live server (for addresses that hold an id), and `who` is None (logged out) or a role of
tests/e2e/conftest.py's ACCOUNTS, and `status` the HTTP status it answers with.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from coopol.auth.service import make_reset_token
from coopol.consultations.models import Consultation
from coopol.events.models import Event
from coopol.extensions import db
from coopol.groups.models import Post, Proposal
from coopol.profile.models import Member
from tests.e2e.seed import FULL_EVENT, LEAFLETING, PROPOSAL, THREAD, VOTE, closed_title


@dataclass(frozen=True)
class Page:
    name: str
    path: str | Callable
    who: str | None = None
    status: int = 200

    def url(self, server) -> str:
        return server.url + (self.path(server) if callable(self.path) else self.path)


def _reset_path(server) -> str:
    with server.app.app_context():
        member = db.session.scalar(select(Member).where(Member.email == "karim@demo.coopol.fr"))
        return f"/auth/reset/{make_reset_token(member)}"


def _member_id(email: str) -> Callable:
    return lambda server: f"/profile/{server.query(select(Member.id).where(Member.email == email))}"


GROUP_PATH = "/groups/logement-a-grenoble"


def _path(template: str, statement) -> Callable:
    """An address holding the id that `statement` selects on the server's database."""
    return lambda server: template.format(server.query(statement))


def _event(title: str, suffix: str = "") -> Callable:
    return _path("/events/{}" + suffix, select(Event.id).where(Event.title == title))


def _consultation(title: str, suffix: str = "") -> Callable:
    return _path("/consultations/{}" + suffix,
                 select(Consultation.id).where(Consultation.title == title))


def _section_synthesis(server) -> str:
    consultation = _consultation(closed_title("js"))(server)
    return f"{consultation}/sections/{server.section_id('Grenoble')}"


PAGES = [
    Page("welcome", "/"),
    Page("register", "/auth/register"),
    Page("register-95000", "/geo/communes?place=95000"),
    Page("login", "/auth/login"),
    Page("forgot-password", "/auth/forgot"),
    Page("reset-password", _reset_path),
    Page("not-found", "/nulle-part", status=404),
    Page("home", "/", "member"),
    Page("account", "/auth/account", "member"),
    Page("profile", "/profile/", "member"),
    Page("profile-edit", "/profile/edit", "member"),
    Page("profile-other", _member_id("secretaire.grenoble@demo.coopol.fr"), "member"),
    Page("sections", "/sections", "member"),
    Page("section", lambda server: f"/sections/{server.section_id('Grenoble')}", "member"),
    Page("forbidden", "/admin/", "member", status=403),
    Page("tools", "/tools", "secretary"),
    Page("pending-adherents", "/profile/pending", "secretary"),
    Page("admin", "/admin/", "admin"),
    Page("admin-sections", "/admin/sections", "admin"),
    Page("admin-section", lambda server: f"/admin/sections/{server.section_id('Grenoble')}",
         "admin"),
    Page("admin-new-section", "/admin/sections/new", "admin"),
    Page("admin-themes", "/admin/themes", "admin"),
    Page("admin-roles", "/admin/roles", "admin"),
    Page("dashboards", "/dashboards/", "secretary"),
    Page("dashboard-section",
         lambda server: f"/dashboards/sections/{server.section_id('Grenoble')}", "secretary"),
    Page("dashboard-federation", "/dashboards/federations/38", "admin"),
    Page("dashboard-national", "/dashboards/national", "admin"),
    # notifications and organisers' tools (issue 7), moderation (issue 9)
    Page("notifications", "/notify/", "member"),
    Page("notification-settings", "/notify/settings", "member"),
    Page("contacted-me", "/organize/contacts", "member"),
    Page("find-members", "/organize/?themes=1", "secretary"),
    Page("member-names", "/organize/members", "secretary"),
    Page("mobilise", "/organize/mobilise", "secretary"),
    Page("mobilisations", "/organize/mobilisations", "secretary"),
    Page("import-adherents", "/organize/adherents/import", "secretary"),
    Page("audit-log", "/organize/audit", "admin"),
    Page("blocked-accounts", "/profile/blocked", "secretary"),
    # groups (issue 4)
    Page("groups", "/groups/", "member"),
    Page("groups-search", "/groups/?q=logem", "member"),
    Page("groups-mine", "/groups/mine", "member"),
    Page("group-new", "/groups/new", "member"),
    Page("group", GROUP_PATH, "member"),
    Page("group-threads", GROUP_PATH + "/threads", "member"),
    Page("group-thread", _path(GROUP_PATH + "/threads/{}",
                               select(Post.id).where(Post.title == THREAD)), "member"),
    Page("group-proposals", GROUP_PATH + "/proposals", "member"),
    Page("group-proposal", _path(GROUP_PATH + "/proposals/{}",
                                 select(Proposal.id).where(Proposal.title == PROPOSAL)),
         "member"),
    Page("group-members", GROUP_PATH + "/members", "member"),
    Page("group-requests", GROUP_PATH + "/requests", "secretary"),
    # events (issue 5)
    Page("events-visitor", "/events/?place=38000"),
    Page("event-visitor", _event(LEAFLETING)),
    Page("events", "/events/", "member"),
    Page("event", _event(LEAFLETING), "member"),
    Page("event-full", _event(FULL_EVENT), "member"),
    Page("events-calendar", "/events/calendar", "member"),
    Page("event-new", "/events/new", "admin"),
    Page("event-participants", _event(LEAFLETING, "/participants"), "admin"),
    # consultations (issue 6)
    Page("consultations", "/consultations/", "member"),
    Page("consultation-vote-phase", _consultation(VOTE), "member"),
    Page("ballot", _consultation(VOTE, "/vote"), "member"),
    Page("participation", _consultation(VOTE, "/participation"), "member"),
    Page("results", _consultation(closed_title("js"), "/results"), "member"),
    Page("section-synthesis", _section_synthesis, "secretary"),
    Page("national-report", _consultation(closed_title("js"), "/report"), "admin"),
]
