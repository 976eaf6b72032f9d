"""Every main page of the site, with who looks at it: weighed, checked and photographed.

A new page is one entry: `Page(name, path, who)`, where `path` is a string or a function of
the live server (for addresses that hold an id), and `who` is None (logged out) or a role of
tests/e2e/conftest.py's ACCOUNTS, and `status` the HTTP status it answers with.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from coopol.auth.service import make_reset_token
from coopol.extensions import db
from coopol.profile.models import Member


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
]
