"""Finding members: who may search where (scope), the filter, and its count and names queries.

Only members who gave the mobilisation consent, confirmed their address and were not erased
are ever counted or named. Every query is bounded by the searcher's scope, whatever the
parameters say; a place parameter outside the scope is refused before any query runs.
"""

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import false, func, select
from sqlalchemy.orm import selectinload

from .. import errors
from ..database import like_prefix, utcnow
from ..events.models import Rsvp
from ..extensions import db
from ..geo import service as geo_service
from ..geo.models import Commune, Federation, Section
from ..groups.models import Group, GroupMembership
from ..profile.models import Member, member_interest

ORGANISING_ROLES = ("admin", "secretary", "organiser")
STATUSES = ("", "sympathisant", "adherent")
SEEN_DAYS = (0, 7, 30, 90, 365)
EXPORT_LIMIT = 10_000


class Refusal(errors.Refusal):
    """A refused search or mobilisation: outside the organiser's scope unless said otherwise."""

    def __init__(self, message, status: int = 403, field: str | None = None):
        super().__init__(message, status, field)


# --- scope ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where a member may look: everywhere, or in some sections and fédérations."""

    national: bool = False
    section_ids: frozenset = frozenset()
    federations: frozenset = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.national or self.section_ids or self.federations)

    def covers(self, section_id: int | None = None, federation_code: str | None = None) -> bool:
        """Tell whether a section (with its fédération) or a fédération lies in the scope."""
        if self.national:
            return True
        if section_id is not None and section_id in self.section_ids:
            return True
        return federation_code is not None and federation_code in self.federations

    def condition(self):
        """The SQL condition on Member for the members inside the scope."""
        if self.national:
            return Member.id.is_not(None)
        parts = []
        if self.section_ids:
            parts.append(Member.section_id.in_(sorted(self.section_ids)))
        if self.federations:
            # By commune, so a fédération also covers its members outside any section.
            parts.append(Member.commune_insee.in_(select(Commune.insee).where(
                Commune.federation_code.in_(sorted(self.federations)))))
        if not parts:
            return false()
        condition = parts[0]
        for part in parts[1:]:
            condition = condition | part
        return condition


def scope_of(member, roles=ORGANISING_ROLES) -> Scope:
    """Return the scope where the member holds one of these roles."""
    if member is None or not getattr(member, "is_authenticated", False):
        return Scope()
    national, sections, federations = False, set(), set()
    for role in member.roles:
        is_national = role.section_id is None and role.federation_code is None
        if role.role == "admin" and is_national:
            national = True
        elif role.role in roles:
            if is_national:
                national = True
            elif role.section_id is not None:
                sections.add(role.section_id)
            else:
                federations.add(role.federation_code)
    if national:
        return Scope(national=True)
    return Scope(section_ids=frozenset(sections), federations=frozenset(federations))


def export_scope(member) -> Scope:
    """Secretaries (and national admins) may export names; organisers may not."""
    return scope_of(member, roles=("admin", "secretary"))


# --- the filter ----------------------------------------------------------------------------


@dataclass
class MemberFilter:
    """What an organiser looks for; every field optional."""

    themes: list[int] = field(default_factory=list)
    skills: str = ""
    commune: str = ""
    section: int | None = None
    federation: str = ""
    status: str = ""
    seen: int = 0
    attended: bool = False
    group: int | None = None
    # The communes that `commune` (a postal or INSEE code) names, once check_place ran.
    insees: list[str] = field(default_factory=list, repr=False)

    def args(self) -> dict:
        """The filter as query-string arguments, empty ones left out."""
        data = asdict(self)
        del data["insees"]
        data["attended"] = "1" if self.attended else ""
        return {key: value for key, value in data.items() if value not in ("", None, 0, [])}


def check_place(scope: Scope, flt: MemberFilter) -> None:
    """Refuse a place outside the scope (or unknown), before anything is counted."""
    if scope.empty:
        raise Refusal(_msg("no_scope"))
    if flt.section is not None:
        section = db.session.get(Section, flt.section)
        if section is None or not scope.covers(section.id, section.federation_code):
            raise Refusal(_msg("section"))
    if flt.federation:
        federation = db.session.get(Federation, flt.federation)
        if federation is None or not (scope.national or flt.federation in scope.federations):
            raise Refusal(_msg("federation"))
    if flt.commune:
        communes = _communes_for(flt.commune)
        if not communes:
            raise Refusal(_msg("unknown_commune"), 422)
        if not all(scope.covers(c.section_id, c.federation_code) for c in communes):
            raise Refusal(_msg("commune"))
        flt.insees = [c.insee for c in communes]


def _communes_for(text: str) -> list[Commune]:
    """A commune by INSEE code, else every commune a postal code serves."""
    commune = geo_service.get_commune(text)
    return [commune] if commune is not None else geo_service.communes_for_postal_code(text)


def _msg(key: str) -> str:
    return {
        "no_scope": _("Tu n'as aucun rôle d'organisation : tu ne peux chercher personne."),
        "section": _("Cette section est hors de ton périmètre : tu ne peux pas y chercher."),
        "federation": _("Cette fédération est hors de ton périmètre : tu ne peux pas y chercher."),
        "unknown_commune": _("Aucune commune n'a ce code postal ou ce code INSEE."),
        "commune": _("Cette commune est hors de ton périmètre : tu ne peux pas y chercher."),
    }[key]


def conditions(scope: Scope, flt: MemberFilter) -> list:
    """The WHERE conditions of a filter inside a scope; consent is always required.

    Blocked accounts are left out: a suspended member is not mobilised.
    """
    where = [Member.mobilisation_consent_at.is_not(None), Member.erased_at.is_(None),
             Member.email_confirmed_at.is_not(None), Member.blocked_at.is_(None),
             scope.condition()]
    if flt.themes:
        # IN (…) rather than EXISTS: the theme's index drives, instead of a scan of members.
        where.append(Member.id.in_(select(member_interest.c.member_id).where(
            member_interest.c.theme_id.in_(flt.themes))))
    if flt.skills:
        pattern = "%" + like_prefix(flt.skills.lower())
        where.append(func.lower(Member.skills).like(pattern, escape="\\"))
    if flt.commune:
        # Resolved (and checked against the scope) by check_place.
        where.append(Member.commune_insee.in_(flt.insees or [flt.commune]))
    if flt.section is not None:
        where.append(Member.section_id == flt.section)
    if flt.federation:
        where.append(Member.commune_insee.in_(
            select(Commune.insee).where(Commune.federation_code == flt.federation)))
    if flt.status == "adherent":
        where += [Member.status == "adherent", Member.adherent_confirmed_at.is_not(None)]
    elif flt.status == "sympathisant":
        where.append((Member.status == "sympathisant") | Member.adherent_confirmed_at.is_(None))
    if flt.seen:
        where.append(Member.last_seen_at >= utcnow() - timedelta(days=flt.seen))
    if flt.attended:
        where.append(Member.id.in_(select(Rsvp.member_id).where(
            Rsvp.checked_in_at.is_not(None), Rsvp.member_id.is_not(None))))
    if flt.group is not None:
        where.append(Member.id.in_(select(GroupMembership.member_id).where(
            GroupMembership.group_id == flt.group, GroupMembership.status == "active")))
    return where


def count(scope: Scope, flt: MemberFilter) -> int:
    """Count the consenting members the filter finds: one COUNT query."""
    return db.session.scalar(select(func.count(Member.id)).where(*conditions(scope, flt)))


def names_query(scope: Scope, flt: MemberFilter):
    """The members the filter finds, by name, with what their rows show loaded up front."""
    return (select(Member).where(*conditions(scope, flt))
            .options(selectinload(Member.commune), selectinload(Member.section),
                     selectinload(Member.interests))
            .order_by(Member.display_name, Member.id))


def export_rows(scope: Scope, flt: MemberFilter) -> list[Member]:
    """The members of an export, at most EXPORT_LIMIT."""
    return list(db.session.scalars(names_query(scope, flt).limit(EXPORT_LIMIT)))


# --- choices for the filter form ------------------------------------------------------------


SECTION_CHOICES = 60  # more sections than this in a scope: filter by fédération or commune


def sections_in(scope: Scope, limit: int = 500) -> list[Section]:
    query = select(Section).order_by(Section.name)
    if not scope.national:
        query = query.where(Section.id.in_(sorted(scope.section_ids))
                            | Section.federation_code.in_(sorted(scope.federations)))
    return list(db.session.scalars(query.limit(limit)))


def federations_in(scope: Scope) -> list[Federation]:
    if scope.national:
        query = select(Federation).where(Federation.code.in_(
            select(Section.federation_code).distinct()))
    else:
        query = select(Federation).where(Federation.code.in_(sorted(scope.federations)))
    return list(db.session.scalars(query.order_by(Federation.code)))


def groups_in(scope: Scope, limit: int = 100) -> list[Group]:
    """The largest groups an organiser may filter by: those of the scope and national ones."""
    query = select(Group).where(Group.archived_at.is_(None))
    if not scope.national:
        query = query.where(
            Group.section_id.in_(sorted(scope.section_ids))
            | Group.federation_code.in_(sorted(scope.federations))
            | (Group.section_id.is_(None) & Group.federation_code.is_(None)))
    return list(db.session.scalars(query.order_by(Group.member_count.desc(), Group.name)
                                   .limit(limit)))
