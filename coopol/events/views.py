"""Events near me, an event's page, and creating, editing, cancelling and duplicating one."""

import segno
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice as Choice

from ..extensions import db, login_manager
from ..geo.models import Commune
from ..groups import service as groups_service
from ..htmx import render
from ..profile import service as profile_service
from . import bp, listing, rsvps, service
from .forms import KIND_LABELS, EventForm, FilterForm, GuestForm
from .models import KINDS, Event


def get_event_or_404(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None or service.is_hidden(event):
        abort(404)
    return event


def get_managed_event_or_404(event_id: int) -> Event:
    """Load an event that the current member runs; anyone else gets 403."""
    event = get_event_or_404(event_id)
    if not service.can_manage(current_user, event):
        abort(403)
    return event


@bp.app_template_filter("event_kind")
def event_kind(kind: str) -> str:
    """Name an event's kind in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))


bp.add_app_template_global(listing.cards_html)
bp.add_app_template_global(listing.filters_html)


def theme_choices(blank: str):
    return [Choice("", blank)] + [Choice(str(t.id), t.name) for t in profile_service.themes()]


MY_GROUPS_OFFERED = 30


def my_groups():
    """Return my groups' slug, name and whether I animate it (at most MY_GROUPS_OFFERED)."""
    if not current_user.is_authenticated:
        return []
    return groups_service.my_group_names(current_user, limit=MY_GROUPS_OFFERED)


def animates(mine) -> bool | None:
    """Tell from my groups whether I animate one; None when the list was cut short."""
    if any(animated for _slug, _name, animated in mine):
        return True
    return None if len(mine) == MY_GROUPS_OFFERED else False


def group_choices(mine, current):
    """Offer my groups, and the group the list is filtered on, by slug."""
    groups = [(slug, name) for slug, name, _animates in mine]
    if current is not None and current.slug not in {slug for slug, _name in groups}:
        groups.append((current.slug, current.name))
    return [Choice("", _("Tous"))] + [Choice(*g) for g in groups] if groups else []


@bp.route("/")
def index():
    """Show the events to come, nearest ring first, soonest first within each ring."""
    form = FilterForm(request.args, meta={"csrf": False})
    form.theme.choices = theme_choices(_("Tous"))
    commune, status = None, 200
    if form.place.data:
        if form.validate():
            commune = form.chosen_commune
        else:
            status = 422
    elif form.commune.data:
        commune = db.session.get(Commune, form.commune.data)
    origin = listing.origin_of(current_user, commune)
    theme = form.theme.data
    group = groups_service.get_group(form.group.data[:140]) or abort(404) \
        if form.group.data else None
    mine = my_groups()
    form.group.choices = group_choices(mine, group)
    pagination = listing.upcoming_page(
        origin, members_too=current_user.is_authenticated,
        kind=form.kind.data if form.kind.data in KINDS else None, when=form.when.data,
        theme_id=int(theme) if theme and theme.isdigit() else None,
        group_id=group.id if group else None)
    items = [(card, listing.ring_of(card, origin)) for card in pagination.items]
    filters = {k: v for k, v in request.args.items() if k != "page" and v}
    return render("events/index.html", "results", status=status, form=form, origin=origin,
                  pagination=pagination, items=items, filters=filters,
                  can_create=service.may_host_events(current_user, animated=animates(mine)))


def qr_code(event: Event, code: str) -> str:
    """Return an SVG QR code (a data URI) that opens the check-in with this code filled in."""
    return segno.make(rsvps.check_in_url(event.id, code), error="m").svg_data_uri(
        scale=3, border=2)


def page_context(event: Event, guest_form=None) -> dict:
    """Gather what the event page and its RSVP block show."""
    mine = rsvps.member_rsvp(event.id, current_user) if current_user.is_authenticated else None
    qr = qr_code(event, mine.code) if mine is not None and mine.is_active else None
    return {"event": event, "rsvp": mine, "can_manage": service.can_manage(current_user, event),
            "guest_form": guest_form or GuestForm(formdata=None), "qr": qr}


@bp.route("/<int:event_id>")
def show(event_id):
    """Show an event; a members-only one asks visitors to log in."""
    event = get_event_or_404(event_id)
    if not service.can_see(current_user, event):
        return login_manager.unauthorized()
    return render("events/show.html", **page_context(event))


def _prepare(form: EventForm, event: Event | None) -> None:
    sections = service.host_sections(current_user)
    if event is not None and event.section not in sections:
        sections.append(event.section)  # the event's creator keeps its host
    form.section_id.choices = [Choice(s.id, s.name) for s in sections]
    groups = service.host_groups(current_user)
    if event is not None and event.group is not None and event.group not in groups:
        groups.append(event.group)
    form.host_groups = {g.id: g for g in groups}
    # Without a section to host for, the member organises for one of their groups only.
    none = [Choice(0, _("Aucun : la section organise"))] if sections else []
    form.group_id.choices = none + [Choice(g.id, g.name) for g in groups] if groups else []
    form.theme_id.choices = [Choice(0, _("Aucun"))] + [
        Choice(t.id, t.name) for t in profile_service.themes()]
    if event is not None:
        form.going_count = event.going_count
        form.saved_start = event.starts_at


def _fill_place(form: EventForm, commune: Commune | None) -> None:
    if commune is not None and not form.place.data:
        form.place.data = commune.label
        form.commune.choices = [Choice(commune.insee, commune.label)]
        form.commune.data = commune.insee


def _values(form: EventForm) -> dict:
    return {
        "kind": form.kind.data, "title": form.title.data.strip(),
        "description": (form.description.data or "").strip(),
        "place_name": (form.place_name.data or "").strip(),
        "address": (form.address.data or "").strip(), "capacity": form.capacity.data,
        "visibility": form.visibility.data, "online_url": (form.online_url.data or "").strip(),
        "theme_id": form.theme_id.data or None, "group_id": form.group_id.data or None,
        "section_id": service.group_event_section(form.group, form.chosen_commune)
        if form.group is not None else form.section_id.data,
        "commune_insee": form.chosen_commune.insee,
        "starts_at": service.to_utc(form.starts_at.data),
        "ends_at": service.to_utc(form.ends_at.data),
    }


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Create an event for a section I organise; ?from=<id> starts from a copy."""
    source = None
    if request.args.get("from", "").isdigit():
        source = get_managed_event_or_404(int(request.args["from"]))
    data = service.copy_values(source) if source and request.method == "GET" else {}
    if request.method == "GET" and request.args.get("group", "").isdigit():
        data.setdefault("group_id", int(request.args["group"]))
    form = EventForm(data=data)
    _prepare(form, None)
    if not form.section_id.choices and not form.host_groups:
        abort(403)
    if request.method == "GET":
        section = current_user.section
        form.section_id.data = data.get("section_id") or (section.id if section else None)
        _fill_place(form, source.commune if source else current_user.commune)
    if form.validate_on_submit():
        event = service.save_event(Event(), current_user, **_values(form))
        db.session.commit()
        flash(_("L'événement est publié."), "success")
        return redirect(url_for("events.show", event_id=event.id), 303)
    return render("events/form.html", status=422 if form.errors else 200, form=form,
                  event=None, source=source)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit(event_id):
    """Edit an event; more places let the first waiting people in."""
    event = get_managed_event_or_404(event_id)
    if event.is_cancelled:
        abort(409)
    if request.method == "POST":
        event = rsvps.lock_event(event.id)  # attendance cannot move while we check capacity
    form = EventForm(obj=event)
    _prepare(form, event)
    if request.method == "GET":
        form.starts_at.data = service.to_paris(event.starts_at)
        form.ends_at.data = service.to_paris(event.ends_at)
        form.theme_id.data = event.theme_id or 0
        _fill_place(form, event.commune)
    if form.validate_on_submit():
        service.save_event(event, current_user, **_values(form))
        promoted = rsvps.promote_waiting(event)
        db.session.commit()
        flash(_("L'événement est mis à jour.") + (" " + _(
            "%(n)s personne(s) de la liste d'attente ont une place.", n=promoted)
            if promoted else ""), "success")
        return redirect(url_for("events.show", event_id=event.id), 303)
    db.session.rollback()
    return render("events/form.html", status=422 if form.errors else 200, form=form,
                  event=event, source=None)


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@login_required
def cancel(event_id):
    """Cancel an event; everyone going or waiting is told by mail."""
    event = get_managed_event_or_404(event_id)
    if event.is_cancelled or event.is_past:
        flash(_("Cet événement est déjà annulé ou passé."), "error")
        return render("events/show.html", status=409, **page_context(event))
    told = service.cancel_event(event)
    db.session.commit()
    flash(_("L'événement est annulé. %(n)s participant·e(s) prévenu·e(s) par mail.", n=told),
          "success")
    return redirect(url_for("events.show", event_id=event.id), 303)
