"""Event forms: the event itself, the list's filters, guests, organisers' tools."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import (
    URL,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ..database import utcnow
from ..forms import CountField, record_id
from ..geo.forms import PlaceForm
from .service import WHENS, to_utc

KIND_LABELS = {
    "reunion": _l("Réunion"), "tractage": _l("Tractage"), "porte_a_porte": _l("Porte-à-porte"),
    "deambulation": _l("Déambulation"), "meeting": _l("Meeting"), "formation": _l("Formation"),
    "autre": _l("Autre"),
}
WHEN_LABELS = {"today": _l("Aujourd'hui"), "week": _l("Cette semaine"),
               "month": _l("Ce mois-ci")}
VISIBILITY_CHOICES = [
    Choice("public", _l("Public : tout le monde peut voir et s'inscrire")),
    Choice("members", _l("Réservé aux membres")),
]
DATE_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _max(n):
    return Length(max=n, message=_l("%(max)d caractères au plus."))


class EventForm(PlaceForm):
    """Create or edit an event; times are typed in Paris time."""

    kind = SelectField(_l("Type"), choices=[Choice(k, v) for k, v in KIND_LABELS.items()],
                       validators=[InputRequired(_l("Choisis le type d'événement."))])
    title = StringField(_l("Titre"), validators=[
        InputRequired(_l("Donne un titre à l'événement.")), _max(120)])
    description = TextAreaField(_l("Description"), validators=[_max(5000)],
                                description=_l("Markdown : **gras**, *italique*, listes, liens."))
    starts_at = DateTimeLocalField(_l("Début"), format=DATE_FORMATS,
                                   validators=[InputRequired(_l("Indique le début."))])
    ends_at = DateTimeLocalField(_l("Fin"), format=DATE_FORMATS,
                                 validators=[InputRequired(_l("Indique la fin."))])
    place_name = StringField(
        _l("Lieu"), validators=[_max(120)],
        description=_l("Par exemple : salle Croizat, marché de l'Estacade."))
    address = StringField(_l("Adresse"), validators=[_max(200)])
    group_id = SelectField(
        _l("Groupe qui organise"), coerce=record_id, choices=[], default=0, validate_choice=False,
        description=_l("L'événement d'un groupe compte dans la section du groupe (pour un "
                       "groupe national : celle de la commune)."))
    section_id = SelectField(_l("Section qui organise"), coerce=record_id, choices=[],
                             validate_choice=False)
    theme_id = SelectField(_l("Thème"), coerce=record_id, choices=[], validate_choice=False)
    capacity = CountField(_l("Nombre de places (vide : sans limite)"), validators=[
        Optional(), NumberRange(min=1, max=100000, message=_l("Indique au moins 1 place."))])
    visibility = RadioField(_l("Qui peut le voir"), choices=VISIBILITY_CHOICES, default="public",
                            validators=[InputRequired(_l("Choisis qui peut le voir."))])
    online_url = URLField(_l("Lien de la réunion en ligne (facultatif)"), validators=[
        Optional(), _max(300), URL(message=_l("Ce lien n'est pas valide (https://…)."))])

    # Set by the view when editing: the attendance and the start already saved.
    going_count = 0
    saved_start = None
    # Set by the view: the groups the member may host for, by id; and, once checked, the
    # chosen group and the section its event belongs to.
    host_groups: dict = {}
    group = None

    def validate_group_id(self, field):
        if not field.data:
            return
        self.group = self.host_groups.get(field.data)
        if self.group is None:
            raise ValidationError(_l("Tu n'animes pas ce groupe."))
        if self.group.section_id is None and self.chosen_commune is not None \
                and self.chosen_commune.section_id is None:
            raise ValidationError(_l(
                "Cette commune n'a pas encore de section : pour un groupe national, "
                "choisis une commune qui en a une."))

    def validate_section_id(self, field):
        if self.group_id.data:  # a group's event belongs to the group's section
            return
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Tu ne peux pas organiser pour cette section."))

    def validate_theme_id(self, field):
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Ce thème n'existe pas."))

    def validate_starts_at(self, field):
        if field.data is None:
            return
        start = to_utc(field.data)
        saved = self.saved_start.replace(second=0, microsecond=0) if self.saved_start else None
        if start != saved and start <= utcnow():
            raise ValidationError(_l("Cette date est passée : choisis une date à venir."))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("La fin doit venir après le début."))

    def validate_capacity(self, field):
        if field.data is not None and field.data < self.going_count:
            raise ValidationError(_l(
                "%(n)s personnes viennent déjà : la capacité ne peut pas être plus petite.",
                n=self.going_count))

    def validate_online_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Ce lien doit commencer par https://."))


class FilterForm(PlaceForm):
    """The list's filters, read from the query string; the place is optional here."""

    place = StringField(_l("Code postal ou commune"), validators=[Optional(), Length(max=80)],
                        render_kw={"autocomplete": "postal-code", "inputmode": "search"})
    # Declared again so it is checked after the place, as in PlaceForm.
    commune = SelectField(_l("Commune"), choices=[], validate_choice=False)
    kind = SelectField(_l("Type"), choices=[Choice("", _l("Tous"))]
                       + [Choice(k, v) for k, v in KIND_LABELS.items()], validate_choice=False)
    when = SelectField(_l("Quand"), choices=[Choice("", _l("À venir"))]
                       + [Choice(w, WHEN_LABELS[w]) for w in WHENS], validate_choice=False)
    theme = SelectField(_l("Thème"), choices=[], validate_choice=False)
    group = SelectField(_l("Groupe"), choices=[], validate_choice=False)

    def validate_commune(self, field):
        if self.place.data:
            super().validate_commune(field)


class GuestForm(FlaskForm):
    """A visitor without an account says they come."""

    name = StringField(_l("Ton nom"), validators=[
        InputRequired(_l("Indique ton nom.")), _max(80)], render_kw={"autocomplete": "name"})
    email = EmailField(_l("Ton adresse e-mail"), validators=[
        InputRequired(_l("Indique ton adresse e-mail.")), _max(254),
        Email(message=_l("Cette adresse e-mail n'est pas valide."))],
        render_kw={"autocomplete": "email"})


class MessageForm(FlaskForm):
    subject = StringField(_l("Objet"), validators=[
        InputRequired(_l("Indique un objet.")), _max(120)])
    body = TextAreaField(_l("Message"), validators=[
        InputRequired(_l("Écris ton message.")), _max(5000)])


class ReportForm(FlaskForm):
    report = TextAreaField(_l("Compte rendu"), validators=[_max(5000)])
    attendance = CountField(_l("Nombre de présent·es"), validators=[
        Optional(), NumberRange(min=0, max=1000000, message=_l("Indique un nombre positif."))])


class CodeForm(FlaskForm):
    code = StringField(_l("Code d'inscription"), validators=[
        InputRequired(_l("Tape le code de la personne.")), Length(max=12)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"})
