"""Consultation rules: who may set up, moderate and take part; phases; options and their origins."""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import signals
from ..database import utcnow
from ..extensions import db
from ..geo.models import Commune, Section
from ..profile import service as profile_service
from ..profile.blocking import not_blocked
from ..profile.models import Member
from .models import Consultation, Option

MIN_CELL = 5  # fewer ballots than this in an area and its figures are not shown


class ConsultationError(Exception):
    """A refused action, with the French message to show and the HTTP status to answer."""

    def __init__(self, message, status: int = 422):
        super().__init__(message)
        self._message = message  # lazy: translated when shown, so the CLI and tests work too
        self.status = status

    @property
    def message(self) -> str:
        return str(self._message)


# --- who may do what ----------------------------------------------------------------------


def _scope_args(consultation: Consultation) -> dict:
    if consultation.section_id is not None:
        return {"section": consultation.section}
    if consultation.federation_code:
        return {"federation_code": consultation.federation_code}
    return {}


def can_create(member) -> bool:
    """Let national admins and secretaries (for their scope) set up consultations."""
    return profile_service.is_admin(member) or any(r.role == "secretary" for r in member.roles)


def can_manage(member, consultation: Consultation) -> bool:
    """Tell whether the member runs this consultation: admin nationally, else its secretaries."""
    if consultation.scope_level == "national":
        return profile_service.is_admin(member)
    return profile_service.has_role(member, "secretary", **_scope_args(consultation))


def can_moderate(member, consultation: Consultation) -> bool:
    """Let those who run the consultation, and organisers of its scope, sort the options."""
    return can_manage(member, consultation) or profile_service.has_role(
        member, "organiser", **_scope_args(consultation))


def scope_choices(member) -> list[tuple[str, str]]:
    """List the scopes the member may set a consultation up for: (value, label)."""
    choices = []
    if profile_service.is_admin(member):
        choices.append(("national", _("National")))
        from ..geo import service as geo_service
        choices += [(f"f:{f.code}", _("Fédération %(label)s", label=f.label))
                    for f in geo_service.federations()]
        return choices
    for role in member.roles:
        if role.role != "secretary":
            continue
        if role.section_id is not None:
            choices.append((f"s:{role.section_id}", role.section.name))
        elif role.federation_code:
            choices.append((f"f:{role.federation_code}",
                            _("Fédération %(label)s", label=role.federation.label)))
            sections = db.session.scalars(select(Section).where(
                Section.federation_code == role.federation_code).order_by(Section.name))
            choices += [(f"s:{s.id}", s.name) for s in sections]
    return choices


def parse_scope(member, value: str) -> tuple[str | None, int | None]:
    """Turn a posted scope into (fédération code, section id), refusing one not offered."""
    if value not in {v for v, _label in scope_choices(member)}:
        raise ConsultationError(_("Tu ne peux pas lancer de consultation sur ce périmètre."), 403)
    kind, _sep, key = value.partition(":")
    if kind == "s":
        return None, int(key)
    return (key or None), None


def eligible_conditions(consultation: Consultation) -> list:
    """Return the conditions on Member (joined to Commune) that make a member eligible."""
    conditions = []
    if consultation.section_id is not None:
        conditions.append(Member.section_id == consultation.section_id)
    elif consultation.federation_code:
        conditions.append(Commune.federation_code == consultation.federation_code)
    if consultation.eligibility == "adherents":
        conditions += [Member.status == "adherent", Member.adherent_confirmed_at.is_not(None)]
    return conditions


def sections_covered(consultation: Consultation) -> list:
    """Return the conditions on Section of the sections a consultation covers."""
    if consultation.section_id is not None:
        return [Section.id == consultation.section_id]
    if consultation.federation_code:
        return [Section.federation_code == consultation.federation_code]
    return []


def is_eligible(member, consultation: Consultation) -> bool:
    """Tell whether the member may take part (contribute, vote, see the participation)."""
    if member is None or not getattr(member, "is_authenticated", False):
        return False
    if consultation.section_id is not None and member.section_id != consultation.section_id:
        return False
    code = consultation.federation_code
    if code and (member.commune is None or member.commune.federation_code != code):
        return False
    return consultation.eligibility == "members" or member.is_confirmed_adherent


def can_view(member, consultation: Consultation) -> bool:
    return is_eligible(member, consultation) or can_moderate(member, consultation)


# --- setting up ------------------------------------------------------------------------------


def check_dates(contributions: datetime, vote_opens: datetime, vote_closes: datetime,
                syntheses_due: datetime) -> None:
    """Refuse phase dates that are not in order."""
    if not contributions < vote_opens < vote_closes < syntheses_due:
        raise ConsultationError(_(
            "Les dates doivent se suivre : contributions, puis vote, puis clôture, "
            "puis synthèses."))


def save_setup(consultation: Consultation, actor, **fields) -> Consultation:
    """Create or change a consultation's setup; the method is frozen once the vote opens."""
    if consultation.id and consultation.phase() not in ("upcoming", "contributions"):
        raise ConsultationError(_("Le vote a commencé : la consultation ne peut plus changer."))
    check_dates(fields["contributions_open_at"], fields["vote_opens_at"],
                fields["vote_closes_at"], fields["syntheses_due_at"])
    for key, value in fields.items():
        setattr(consultation, key, value)
    if consultation.id is None:
        consultation.created_by_id = actor.id
        db.session.add(consultation)
    return consultation


def visible_query(member, open_only: bool):
    """Return the consultations of the member's scopes (nation, fédération, section)."""
    federation = member.commune.federation_code if member.commune else None
    scopes = [Consultation.federation_code.is_(None) & Consultation.section_id.is_(None)]
    if federation:
        scopes.append(Consultation.section_id.is_(None)
                      & (Consultation.federation_code == federation))
    if member.section_id is not None:
        scopes.append(Consultation.section_id == member.section_id)
    scope = or_(*scopes)
    query = select(Consultation).where(scope).options(selectinload(Consultation.theme))
    if open_only:
        return query.where(Consultation.closed_at.is_(None),
                           Consultation.vote_closes_at > utcnow(),
                           Consultation.contributions_open_at <= utcnow()
                           ).order_by(Consultation.vote_closes_at, Consultation.id)
    return query.order_by(Consultation.vote_closes_at.desc(), Consultation.id.desc())


def managed_query(member):
    """Return the consultations the member can run or moderate, newest first."""
    query = select(Consultation).order_by(Consultation.vote_closes_at.desc(), Consultation.id)
    if profile_service.is_admin(member):
        return query
    sections = [r.section_id for r in member.roles if r.section_id]
    federations = [r.federation_code for r in member.roles
                   if r.federation_code and not r.section_id]
    in_federations = select(Section.id).where(Section.federation_code.in_(federations))
    return query.where(or_(Consultation.section_id.in_(sections),
                           Consultation.section_id.in_(in_federations),
                           Consultation.federation_code.in_(federations)))


# --- options ---------------------------------------------------------------------------------


def _require_sorting_open(consultation: Consultation) -> None:
    if consultation.phase() not in ("upcoming", "contributions"):
        raise ConsultationError(_("Le vote a commencé : les options ne changent plus."))


def add_option(consultation: Consultation, title: str, text: str, origin: str, *,
               member=None, group_id: int | None = None, group_name: str | None = None,
               actor=None) -> Option:
    """Add a priority from a member, a group or the organisers (theirs is accepted at once).

    Members and groups propose during the contribution phase only; the groups blueprint calls
    this with origin="group", group_id and group_name to submit a group's proposal.
    """
    title, text = (title or "").strip(), (text or "").strip()
    if origin not in ("member", "group", "organiser"):
        raise ConsultationError(_("Origine inconnue."), 400)
    if not title or len(title) > 160:
        raise ConsultationError(_("Donne un titre de 160 caractères au plus."))
    if len(text) > 2000:
        raise ConsultationError(_("Le texte fait 2000 caractères au plus."))
    if origin == "organiser":
        _require_sorting_open(consultation)
    elif consultation.phase() != "contributions":
        raise ConsultationError(_("Les propositions ne sont pas ouvertes en ce moment."))
    if origin == "group" and (group_id is None or not group_name):
        raise ConsultationError(_("Indique le groupe qui propose."), 400)
    option = Option(
        consultation_id=consultation.id, title=title, text=text, origin=origin,
        member_id=member.id if member is not None else None,
        group_id=group_id if origin == "group" else None,
        group_name=(group_name or "")[:120] if origin == "group" else "",
        status="accepted" if origin == "organiser" else "proposed",
    )
    db.session.add(option)
    if actor is not None and origin == "organiser":
        profile_service.audit(actor, "consultation.option_add", None,
                              consultation=consultation.id, title=title)
    return option


def propose(consultation: Consultation, member, title: str, text: str) -> Option:
    """Let an eligible member propose a priority."""
    if not is_eligible(member, consultation):
        raise ConsultationError(_("Cette consultation n'est pas ouverte à ton compte."), 403)
    return add_option(consultation, title, text, "member", member=member)


def accept(option: Option, consultation: Consultation) -> None:
    _require_sorting_open(consultation)
    option.status, option.merged_into_id, option.reject_reason = "accepted", None, ""


def reject(option: Option, consultation: Consultation, reason: str) -> None:
    """Reject a proposal; the member is told why."""
    _require_sorting_open(consultation)
    reason = (reason or "").strip()
    if not reason:
        raise ConsultationError(_("Dis pourquoi la proposition n'est pas retenue."))
    option.status, option.merged_into_id, option.reject_reason = "rejected", None, reason[:500]


def merge(option: Option, into: Option, consultation: Consultation) -> None:
    """Merge a duplicate into another option; both origins stay attached to the survivor."""
    _require_sorting_open(consultation)
    if into.consultation_id != option.consultation_id or into.id == option.id:
        raise ConsultationError(_("Choisis une autre option de cette consultation."))
    if into.status in ("merged", "rejected"):
        raise ConsultationError(_("On ne fusionne pas dans une option écartée ou fusionnée."))
    into.status = "accepted"
    option.status, option.merged_into_id, option.reject_reason = "merged", into.id, ""
    # What had been merged into this option now follows it into the survivor.
    for earlier in db.session.scalars(select(Option).where(Option.merged_into_id == option.id)):
        earlier.merged_into_id = into.id


def options(consultation: Consultation, statuses=("accepted",), whole: bool = False
            ) -> list[Option]:
    """Return the consultation's options in these statuses, oldest first.

    Options proposed by a blocked member are left out of what pages show; `whole` keeps them,
    for what counts ballots (results, debates, the ballot check), so figures never change.
    """
    query = (select(Option).where(Option.consultation_id == consultation.id,
                                  Option.status.in_(statuses))
             .options(selectinload(Option.member)).order_by(Option.id))
    if not whole:
        query = query.where(not_blocked(Option.member_id))
    return list(db.session.scalars(query))


def merged_origins(consultation: Consultation) -> dict[int, list[Option]]:
    """Map each surviving option to the options merged into it."""
    found: dict[int, list[Option]] = {}
    for option in options(consultation, ("merged",)):
        found.setdefault(option.merged_into_id, []).append(option)
    return found


def contributions_of(consultation: Consultation, member) -> list[Option]:
    """Return what the member proposed, with what became of it."""
    query = (select(Option).where(Option.consultation_id == consultation.id,
                                  Option.member_id == member.id, Option.origin == "member")
             .options(selectinload(Option.merged_into)).order_by(Option.id))
    return list(db.session.scalars(query))


# --- group proposals ------------------------------------------------------------------------


def _group_scopes(federation_code: str | None, section_id: int | None):
    """Return the condition on Consultation whose scope takes in a group of this place."""
    scopes = [Consultation.federation_code.is_(None) & Consultation.section_id.is_(None)]
    if federation_code:
        scopes.append(Consultation.section_id.is_(None)
                      & (Consultation.federation_code == federation_code))
    if section_id is not None:
        scopes.append(Consultation.section_id == section_id)
    return or_(*scopes)


def open_to_group(theme_id: int | None, federation_code: str | None, section_id: int | None,
                  limit: int = 20) -> list[Consultation]:
    """Return the consultations taking contributions now, on this theme, for a group of this
    place (national ones for every group, local ones for the groups of that place)."""
    if theme_id is None:
        return []
    now = utcnow()
    query = (select(Consultation)
             .where(Consultation.theme_id == theme_id, Consultation.closed_at.is_(None),
                    Consultation.contributions_open_at <= now, Consultation.vote_opens_at > now,
                    _group_scopes(federation_code, section_id))
             .order_by(Consultation.vote_opens_at, Consultation.id).limit(limit))
    return list(db.session.scalars(query))


def takes_group(consultation: Consultation, federation_code: str | None,
                section_id: int | None) -> bool:
    """Tell whether a group of this place may bring proposals to the consultation."""
    if consultation.section_id is not None:
        return consultation.section_id == section_id
    return not consultation.federation_code or consultation.federation_code == federation_code


def get_option(option_id: int | None) -> tuple[Option | None, Consultation | None]:
    """Return an option with what it was merged into, and its consultation (two queries)."""
    option = db.session.scalar(select(Option).where(Option.id == option_id)
                               .options(selectinload(Option.merged_into))) \
        if option_id else None
    if option is None:
        return None, None
    return option, db.session.get(Consultation, option.consultation_id)


# --- announcements ---------------------------------------------------------------------------


ANNOUNCE_WINDOW = timedelta(days=2)


def announce_due(now: datetime | None = None) -> tuple[int, int]:
    """Signal consultations opened in the last two days and votes closing within two days.

    Run from cron: receivers keep one notice per member and consultation, so running it
    again announces nothing twice. Return how many were opened and closing.
    """
    now = now or utcnow()
    opened = list(db.session.scalars(select(Consultation).where(
        Consultation.closed_at.is_(None), Consultation.contributions_open_at <= now,
        Consultation.contributions_open_at > now - ANNOUNCE_WINDOW,
        Consultation.vote_closes_at > now)))
    closing = list(db.session.scalars(select(Consultation).where(
        Consultation.closed_at.is_(None), Consultation.vote_opens_at <= now,
        Consultation.vote_closes_at > now, Consultation.vote_closes_at <= now + ANNOUNCE_WINDOW)))
    for consultation in opened:
        signals.consultation_opened.send(consultation)
    for consultation in closing:
        signals.consultation_closing.send(consultation)
    return len(opened), len(closing)
