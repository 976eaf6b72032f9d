"""The place picker shared by every form that asks where someone lives or where something is."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice as Choice
from wtforms.validators import InputRequired, Length, ValidationError

from . import service

# A commune as the picker labels it, "Grenoble (38000, 38100)": forms that edit a place start
# with it, and it must resolve back to the commune when submitted unchanged.
COMMUNE_LABEL = re.compile(r"^.+ \((\d{5})[,)]")


class PlaceForm(FlaskForm):
    """A form with a postal code or commune name, resolved to one commune."""

    place = StringField(
        _l("Code postal ou commune"),
        validators=[InputRequired(_l("Indique ton code postal ou ta commune.")), Length(max=80)],
        render_kw={"autocomplete": "postal-code", "inputmode": "search"},
    )
    commune = SelectField(_l("Commune"), choices=[], validate_choice=False)

    chosen_commune = None

    def fill_commune_choices(self) -> list:
        """Offer the communes that match the typed place."""
        text = (self.place.data or "").strip()
        label = COMMUNE_LABEL.match(text)
        if label:
            text = label.group(1)
        communes = service.communes_for_postal_code(text) or service.search_communes(text)
        self.commune.choices = [Choice(c.insee, c.label) for c in communes]
        return communes

    def validate_commune(self, field):
        communes = self.fill_commune_choices()
        by_code = {c.insee: c for c in communes}
        if field.data in by_code:
            self.chosen_commune = by_code[field.data]
        elif len(communes) == 1:
            self.chosen_commune = communes[0]
            field.data = communes[0].insee
        elif not communes:
            if self.place.data:
                self.place.errors.append(
                    _l("Aucune commune ne correspond : vérifie le code postal ou le nom.")
                )
            raise ValidationError("")
        else:
            raise ValidationError(_l("Plusieurs communes correspondent : choisis la tienne."))
