"""Form pieces shared by every blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField


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
