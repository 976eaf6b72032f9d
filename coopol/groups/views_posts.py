"""Discussion: threads and replies, editing and deleting one's posts, hiding and reporting."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from ..htmx import is_partial, render
from . import bp, service
from . import service_posts as posts
from .forms import EditPostForm, HideForm, ReplyForm, ReportForm, ThreadForm
from .views import load_group


def get_post_or_404(group, post_id: int):
    return posts.get_post(group, post_id) or abort(404)


def _thread_url(group, post) -> str:
    thread_id = post.parent_id or post.id
    return url_for("groups.thread", slug=group.slug, post_id=thread_id) + f"#post-{post.id}"


@bp.route("/<slug>/threads")
@login_required
def threads(slug):
    """List a group's discussions, most recently active first, page by page."""
    group, membership = load_group(slug, read=True)
    rows, next_cursor = posts.threads(group, before=request.args.get("before"))
    return render("groups/threads.html", "thread_page", group=group, membership=membership,
                  threads=rows, next_cursor=next_cursor)


@bp.route("/<slug>/threads/new", methods=["GET", "POST"])
@login_required
def new_thread(slug):
    """Start a discussion; members who follow every new one get a mail."""
    group, membership = load_group(slug)
    service.ensure_writable(group)
    service.ensure_active_member(current_user, membership)
    form = ThreadForm()
    if form.validate_on_submit():
        post = posts.start_thread(current_user, group, membership, form.title.data,
                                  form.body.data)
        db.session.commit()
        flash(_("Discussion ouverte."), "success")
        return redirect(url_for("groups.thread", slug=slug, post_id=post.id), 303)
    return render("groups/post_form.html", form=form, group=group, post=None,
                  status=422 if form.errors else 200)


def _render_thread(group, membership, thread, after: int | None, form=None, status=200):
    rows, more = posts.replies(thread, after=after)
    return render("groups/thread.html", "tail", status=status, group=group,
                  membership=membership, thread=thread, replies=rows, more=more,
                  after=after, form=form or ReplyForm(formdata=None), oob=is_partial(),
                  animates=service.can_animate(current_user, group, membership))


@bp.route("/<slug>/threads/<int:post_id>")
@login_required
def thread(slug, post_id):
    """Show a discussion and its replies; ?after= brings the replies after one."""
    group, membership = load_group(slug, read=True)
    post = get_post_or_404(group, post_id)
    if not post.is_thread:
        return redirect(_thread_url(group, post), 303)
    after = request.args.get("after", "")
    return _render_thread(group, membership, post, int(after) if after.isdigit() else None)


@bp.route("/<slug>/threads/<int:post_id>/reply", methods=["POST"])
@login_required
def reply(slug, post_id):
    """Reply in a discussion; htmx gets every reply since the last one the page shows."""
    group, membership = load_group(slug)
    thread = get_post_or_404(group, post_id)
    service.ensure_active_member(current_user, membership)  # authorize before reading input
    form = ReplyForm()
    after = form.after.data if (form.after.data or "").isdigit() else None
    if not form.validate_on_submit():
        return _render_thread(group, membership, thread, int(after) if after else None,
                              form=form, status=422)
    post = posts.reply(current_user, group, membership, thread, form.body.data)
    db.session.commit()
    if is_partial():
        return _render_thread(group, membership, thread, int(after) if after else None)
    flash(_("Réponse publiée."), "success")
    return redirect(_thread_url(group, post), 303)


@bp.route("/<slug>/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(slug, post_id):
    """Correct one of my own posts."""
    group, _membership = load_group(slug)
    post = get_post_or_404(group, post_id)
    posts.ensure_own(current_user, group, post)
    form = EditPostForm(obj=post)
    if form.validate_on_submit():
        if post.is_thread and not form.title.data:
            form.title.errors.append(_("Donne un titre."))
        else:
            posts.edit_post(current_user, group, post, form.title.data, form.body.data)
            db.session.commit()
            flash(_("Message modifié."), "success")
            return redirect(_thread_url(group, post), 303)
    return render("groups/post_form.html", form=form, group=group, post=post,
                  status=422 if form.errors else 200)


@bp.route("/<slug>/posts/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(slug, post_id):
    """Delete one of my own posts; its place says it was deleted."""
    group, _membership = load_group(slug)
    post = get_post_or_404(group, post_id)
    posts.delete_post(current_user, group, post)
    db.session.commit()
    flash(_("Message supprimé."), "success")
    return redirect(_thread_url(group, post), 303)


@bp.route("/<slug>/posts/<int:post_id>/hide", methods=["GET", "POST"])
@login_required
def hide_post(slug, post_id):
    """Hide a post as animateur, with a reason shown in its place."""
    group, _membership = load_group(slug, animate=True)
    post = get_post_or_404(group, post_id)
    service.ensure_writable(group)
    form = HideForm()
    if form.validate_on_submit():
        posts.hide_post(current_user, group, post, form.reason.data)
        db.session.commit()
        flash(_("Message masqué."), "success")
        return redirect(_thread_url(group, post), 303)
    return render("groups/moderate.html", form=form, group=group, post=post, action="hide",
                  status=422 if form.errors else 200)


@bp.route("/<slug>/posts/<int:post_id>/report", methods=["GET", "POST"])
@login_required
def report_post(slug, post_id):
    """Report a post to the group's animateurs."""
    group, membership = load_group(slug)
    post = get_post_or_404(group, post_id)
    service.ensure_writable(group)
    service.ensure_active_member(current_user, membership)
    form = ReportForm()
    if form.validate_on_submit():
        posts.report_post(current_user, group, membership, post, form.reason.data)
        db.session.commit()
        flash(_("Merci : l'animation du groupe est prévenue."), "success")
        return redirect(_thread_url(group, post), 303)
    return render("groups/moderate.html", form=form, group=group, post=post, action="report",
                  status=422 if form.errors else 200)
