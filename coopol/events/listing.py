"""Events near me: the nearest rings first, read as plain rows and shown as cached cards.

The list is the page members open most, many times a second on election nights. It reads
the columns its cards show in one query (no ORM objects), and each card's HTML is kept in
memory under the very values it shows (`fragments.FragmentCache`): a changed title, time
or head count is a new key, so a card is never stale and nothing needs to be invalidated.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask_login import current_user
from sqlalchemy import case, func, literal, select

from ..database import utcnow
from ..fragments import FragmentCache, form_key
from ..geo.models import Commune, Section
from ..groups.models import Group
from ..pagination import RowPage, paginate_rows
from ..profile.models import Member
from .models import Event
from .service import upcoming_shown, when_bound

# Rings of the near-me list, nearest first; the last one is "everywhere else".
RINGS = ("commune", "section", "epci", "departement", "ailleurs")


@dataclass
class Origin:
    """Where the list starts from: a commune and what surrounds it."""

    commune: Commune | None = None
    section_id: int | None = None

    @property
    def epci_code(self):
        return self.commune.epci_code if self.commune else None

    @property
    def federation_code(self):
        return self.commune.federation_code if self.commune else None


def origin_of(member=None, commune: Commune | None = None) -> Origin:
    """Start from a typed commune, else from the member's commune and section."""
    if commune is not None:
        return Origin(commune, commune.section_id)
    if member is not None and getattr(member, "is_authenticated", False):
        return Origin(member.commune, member.section_id)
    return Origin()


class Card(NamedTuple):
    """What an event's card shows, and what places it in a ring."""

    id: int
    kind: str
    title: str
    starts_at: datetime
    place_name: str
    status: str
    capacity: int | None
    going_count: int
    commune_insee: str
    commune_name: str
    epci_code: str | None
    federation_code: str | None
    section_id: int
    section_name: str
    group_name: str | None
    organiser_name: str | None

    @property
    def is_cancelled(self) -> bool:
        return self.status == "cancelled"


CARD_COLUMNS = (Event.id, Event.kind, Event.title, Event.starts_at, Event.place_name,
                Event.status, Event.capacity, Event.going_count, Event.commune_insee,
                Commune.name, Commune.epci_code, Commune.federation_code, Event.section_id,
                Section.name, Group.name, Member.display_name)


def ring_order(origin: Origin):
    """Return the SQL ring number of an event; it matches `ring_of` below."""
    whens = []
    if origin.commune is not None:
        whens.append((Event.commune_insee == origin.commune.insee, 0))
    if origin.section_id is not None:
        whens.append((Event.section_id == origin.section_id, 1))
    if origin.epci_code:
        whens.append((Commune.epci_code == origin.epci_code, 2))
    if origin.federation_code:
        whens.append((Commune.federation_code == origin.federation_code, 3))
    return case(*whens, else_=4) if whens else None


def ring_of(card: Card, origin: Origin) -> str:
    """Name the ring an event falls in, as the list's ordering put it there."""
    if origin.commune is not None and card.commune_insee == origin.commune.insee:
        return RINGS[0]
    if origin.section_id is not None and card.section_id == origin.section_id:
        return RINGS[1]
    if origin.epci_code and card.epci_code == origin.epci_code:
        return RINGS[2]
    if origin.federation_code and card.federation_code == origin.federation_code:
        return RINGS[3]
    return RINGS[4]


def upcoming_conditions(members_too: bool, kind: str | None = None, when: str | None = None,
                        theme_id: int | None = None, group_id: int | None = None) -> list:
    """Return the conditions of the events still to come that the list may show."""
    now = utcnow()
    conditions = [Event.status == "scheduled", upcoming_shown(now)]
    if not members_too:
        conditions.append(Event.visibility == "public")
    if kind:
        conditions.append(Event.kind == kind)
    if theme_id:
        conditions.append(Event.theme_id == theme_id)
    if group_id:
        conditions.append(Event.group_id == group_id)
    bound = when_bound(when, now)
    if bound is not None:
        conditions.append(Event.starts_at < bound)
    return conditions


def upcoming_page(origin: Origin, members_too: bool, **filters) -> RowPage:
    """Return the requested page of events to come: nearest ring first, soonest first in each."""
    conditions = upcoming_conditions(members_too, **filters)
    ring = ring_order(origin)
    count = select(func.count()).select_from(Event).where(*conditions)
    # The page's events are chosen from the events and their communes (the rings) alone;
    # only those get their section, group and organiser joined.
    order = [(ring if ring is not None else literal(0)).label("ring"),
             Event.starts_at.label("starts_at"), Event.id.label("id")]
    chosen = (select(*order).join(Commune, Event.commune_insee == Commune.insee)
              .where(*conditions).order_by(*order))
    return paginate_rows(chosen, count, shown=lambda page: (
        select(*CARD_COLUMNS).select_from(page)
        .join(Event, Event.id == page.c.id)
        .join(Commune, Event.commune_insee == Commune.insee)
        .join(Section, Event.section_id == Section.id)
        .outerjoin(Group, Event.group_id == Group.id)
        .outerjoin(Member, Event.organiser_id == Member.id)
        .add_columns(page.c.total)
        .order_by(page.c.ring, page.c.starts_at, page.c.id)), row=Card)


cards = FragmentCache("events/_card.html", maxsize=4096)


def card_html(card: Card):
    """Return the card's HTML (`cards_html` has taken the organiser's name off for visitors)."""
    return cards.render(card, event=card)


pages = FragmentCache("events/_cards.html", maxsize=256)


def cards_html(items, show_rings, pagination, filters):
    """Return a page of the list (ring headings, cards, pager), rendered once per set of
    cards, rings and page; members sharing a commune and filters share it. The organiser's
    name shows to members only."""
    if not current_user.is_authenticated:
        items = [(card._replace(organiser_name=None), ring) for card, ring in items]
    key = (tuple(items), bool(show_rings), pagination.page, pagination.pages,
           tuple(sorted(filters.items())))
    return pages.render(key, items=items, show_rings=bool(show_rings), pagination=pagination,
                        filters=filters, card_html=card_html)


filters = FragmentCache("events/_filters.html", maxsize=1024)
SHARED_FILTERS = ("place", "commune", "kind", "when", "theme")


def filters_html(form):
    """Return the filter form's fields, rendered once per set of values and choices.

    The fields everyone has are kept apart from the member's own groups, so that members
    with the same filters share them.
    """
    shared = filters.render(form_key(form, SHARED_FILTERS), form=form, part="shared")
    if not form.group.choices:
        return shared
    return shared + filters.render(form_key(form, ("group",)), form=form, part="group")
