"""The group directory, my groups, creating a group, its page, its settings and archiving."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice as Choice

from ..extensions import db
from ..htmx import render
from ..pagination import paginate
from ..profile import panels
from ..profile import service as profile_service
from . import bp, service
from . import service_posts as posts
from .forms import GroupForm, NewGroupForm, NotifyForm
from .service import Refusal


def get_group_or_404(slug: str):
    return service.get_group(slug) or abort(404)


def load_group(slug: str, animate: bool = False, read: bool = False):
    """Return the group and the current member's membership; with `animate`, 403 unless they
    may run the group; with `read`, refuse a closed group's content to outsiders."""
    group = get_group_or_404(slug)
    membership = service.membership_of(current_user, group)
    if animate and not service.can_animate(current_user, group, membership):
        abort(403)
    if read:
        service.ensure_readable(current_user, group, membership)
    return group, membership


def _theme_choices(form) -> None:
    form.themes.choices = [Choice(t.id, t.name) for t in profile_service.themes()]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.route("/")
@login_required
def directory():
    """Find groups by name, theme and place; suggest some from my interests and section."""
    args = request.args
    q, theme_id = args.get("q", "").strip()[:80], _int_arg("theme")
    scope = args.get("scope") if args.get("scope") in service.SCOPES else ""
    sort = args.get("sort") if args.get("sort") in service.SORTS else "members"
    pagination = paginate(service.directory_query(q, theme_id, scope, sort, current_user))
    searching = bool(q or theme_id or scope) or pagination.page > 1
    return render("groups/directory.html", "results", pagination=pagination,
                  q=q, theme_id=theme_id, scope=scope, sort=sort,
                  themes=profile_service.themes(),
                  statuses=service.statuses_for(current_user, pagination.items),
                  suggested=[] if searching else service.suggested_groups(current_user))


@bp.route("/mine")
@login_required
def mine():
    """List the groups I belong to or asked to join."""
    pagination = paginate(service.my_groups_query(current_user))
    return render("groups/mine.html", pagination=pagination)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    """Create a group; its creator becomes its first animateur."""
    form = NewGroupForm()
    _theme_choices(form)
    if form.validate_on_submit():
        try:
            group = service.create_group(
                current_user, form.name.data, form.description.data, form.themes.data,
                local=form.scope.data == "section", is_open=form.is_open.data == "open")
        except Refusal as refusal:
            if refusal.status != 422:
                raise
            form.name.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(_("Le groupe « %(name)s » est créé. Tu en es l'animateur·rice.",
                    name=group.name), "success")
            return redirect(url_for("groups.show", slug=group.slug), 303)
    status = 422 if form.errors else 200
    return render("groups/form.html", form=form, group=None, status=status)


@bp.route("/<slug>")
@login_required
def show(slug):
    """Show a group: who it is for, how to join, its latest discussions and proposals."""
    group, membership = load_group(slug)
    animates = service.can_animate(current_user, group, membership)
    readable = service.can_read(current_user, group, membership)
    threads, more = posts.threads(group, limit=5, authors=False) if readable else ([], False)
    proposals = list(db.session.scalars(posts.proposals_query(group, authors=False).limit(3))) \
        if readable else []
    posts.load_authors(threads + proposals)
    pending = service.pending_count(group) if animates else 0
    return render("groups/show.html", group=group, membership=membership, animates=animates,
                  readable=readable, threads=threads, more_threads=more, proposals=proposals,
                  pending=pending,
                  boxes=panels.gather(service.showing_group, group,
                                      viewer=current_user._get_current_object(),
                                      membership=membership),
                  notify_form=NotifyForm(obj=membership) if membership else None)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug):
    """Change a group's name, presentation, themes, and whether it is open."""
    group, _membership = load_group(slug, animate=True)
    service.ensure_writable(group)
    form = GroupForm(obj=group, is_open="open" if group.is_open else "closed")
    _theme_choices(form)
    if request.method == "GET":
        form.themes.data = [t.id for t in group.themes]
    if form.validate_on_submit():
        try:
            service.update_group(group, form.name.data, form.description.data, form.themes.data,
                                 is_open=form.is_open.data == "open")
        except Refusal as refusal:
            if refusal.status != 422:
                raise
            db.session.rollback()
            form.name.errors.append(refusal.message)
        else:
            db.session.commit()
            flash(_("Le groupe est enregistré."), "success")
            return redirect(url_for("groups.show", slug=slug), 303)
    status = 422 if form.errors else 200
    return render("groups/form.html", form=form, group=group, status=status)


@bp.route("/<slug>/archive", methods=["POST"])
@login_required
def archive(slug):
    """Archive a group: it stays readable, nothing in it changes any more."""
    group, _membership = load_group(slug, animate=True)
    service.archive_group(current_user, group)
    db.session.commit()
    flash(_("Le groupe est archivé."), "success")
    return redirect(url_for("groups.show", slug=slug), 303)
