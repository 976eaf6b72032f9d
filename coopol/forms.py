"""Form pieces shared by every blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField

# Row ids are the databases' INTEGER: PostgreSQL refuses a larger number in a query, so a
# typed or crafted id past this names no row and is refused before it reaches the database.
ID_MAX = 2**31 - 1


def record_id(value) -> int:
    """Coerce a submitted choice to a row id (SelectField's `coerce`); ValueError if it is none."""
    number = int(value)
    if not -ID_MAX <= number <= ID_MAX:
        raise ValueError(_l("Ce choix n'existe pas."))
    return number


class CountField(IntegerField):
    """A whole number a person types: a count, a capacity, a number of points.

    Refuses absurdly long numbers at parsing, so range checks never meet an integer too large
    for a float (WTForms' NumberRange would raise OverflowError on one).
    """

    MAX_DIGITS = 9

    def process_formdata(self, valuelist):
        if valuelist and len(valuelist[0].strip().lstrip("+-")) > self.MAX_DIGITS:
            self.data = None
            raise ValueError(_l("Ce nombre est trop grand."))
        super().process_formdata(valuelist)
