"""Commune search: the place picker's active search."""

from flask import request

from ..htmx import render
from . import bp
from .forms import PlaceForm


@bp.route("/communes")
def communes():
    """Offer the communes matching a postal code or name: a fragment for htmx, else a page."""
    form = PlaceForm(request.args, meta={"csrf": False})
    found = form.fill_commune_choices()
    if len(found) == 1:
        form.commune.data = found[0].insee
    return render("geo/communes.html", "commune_field", form=form, found=found,
                  searched=bool(form.place.data))
