"""Organisers' forms: the member filter (read from the query string), the message, the import."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import DataRequired, Length, Regexp

from ..forms import record_id
from .service import SEEN_DAYS, STATUSES, MemberFilter

_INT = re.compile(r"^\d{1,9}$")
_CODE = re.compile(r"^[0-9AB]{2,5}$")


def parse_filter(args) -> tuple[MemberFilter, dict[str, str]]:
    """Read a filter from query-string arguments; return it and the messages of bad fields."""
    errors: dict[str, str] = {}
    flt = MemberFilter()
    themes = args.getlist("themes")
    if all(_INT.match(t) for t in themes):
        flt.themes = sorted({int(t) for t in themes})[:50]
    else:
        errors["themes"] = str(_l("Un des thèmes choisis n'existe pas."))
    flt.skills = args.get("skills", "").strip()
    if len(flt.skills) > 80:
        errors["skills"] = str(_l("%(n)s caractères au plus.", n=80))
    flt.commune = args.get("commune", "").strip().upper()
    if flt.commune and not _CODE.match(flt.commune):
        errors["commune"] = str(_l("Donne un code postal ou un code INSEE à cinq caractères."))
    section = args.get("section", "")
    if section:
        if _INT.match(section):
            flt.section = int(section)
        else:
            errors["section"] = str(_l("Cette section n'existe pas."))
    flt.federation = args.get("federation", "").strip().upper()
    if flt.federation and not _CODE.match(flt.federation):
        errors["federation"] = str(_l("Cette fédération n'existe pas."))
    flt.status = args.get("status", "")
    if flt.status not in STATUSES:
        errors["status"] = str(_l("Choisis un statut de la liste."))
    seen = args.get("seen", "0") or "0"
    if seen.isdigit() and int(seen) in SEEN_DAYS:
        flt.seen = int(seen)
    else:
        errors["seen"] = str(_l("Choisis une durée de la liste."))
    flt.attended = args.get("attended", "") in ("1", "y", "on")
    group = args.get("group", "")
    if group:
        if _INT.match(group):
            flt.group = int(group)
        else:
            errors["group"] = str(_l("Ce groupe n'existe pas."))
    return flt, errors


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _one_line(value):
    return " ".join(value.split()) if isinstance(value, str) else value


TARGET_CHOICES = [
    Choice("", _l("Rien")),
    Choice("event", _l("Un événement")),
    Choice("group", _l("Un groupe")),
    Choice("consultation", _l("Une consultation")),
]


class ComposeForm(FlaskForm):
    subject = StringField(_l("Objet"), filters=[_one_line], validators=[
        DataRequired(_l("Donne un objet au message.")),
        Length(min=3, max=150, message=_l("Entre 3 et 150 caractères."))])
    body = TextAreaField(_l("Message"), filters=[_stripped],
                         description=_l("Markdown simple : **gras**, listes, liens."),
                         validators=[DataRequired(_l("Écris ton message.")),
                                     Length(max=10000, message=_l("%(n)s caractères au plus.",
                                                                  n=10000))])
    target_kind = SelectField(_l("Le message renvoie vers"), choices=TARGET_CHOICES,
                              default="")
    target_id = StringField(_l("Numéro de l'événement, du groupe ou de la consultation"),
                            filters=[_stripped],
                            description=_l("Le nombre qui figure dans son adresse, "
                                           "par exemple 12 pour /events/12."),
                            validators=[Regexp(r"^\d{0,9}$",
                                               message=_l("Donne un nombre."))])
    # The button pressed: "preview" first, then "send" (or "edit") from the preview.
    step = HiddenField(default="preview")

    def validate_target_id(self, field):
        if self.target_kind.data and not field.data:
            raise ValueError(_l("Donne le numéro de ce vers quoi le message renvoie."))


class ImportForm(FlaskForm):
    section = SelectField(_l("Section"), coerce=record_id, choices=[], validate_choice=False)
    file = FileField(_l("Liste des adhérent·es (CSV)"),
                     description=_l("Un fichier CSV ou texte, une adresse e-mail par ligne "
                                    "(ou une colonne « email »), 1 Mo au plus."),
                     validators=[FileRequired(_l("Choisis le fichier de la liste."))])


class ApplyImportForm(FlaskForm):
    section = HiddenField()
    # The addresses the dry run read, one per line: applying reads them again from scratch.
    emails = HiddenField()
