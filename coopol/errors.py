"""What a service raises when the rules refuse an action; `web.py` shows it to the member."""


class Refusal(Exception):
    """An action that the rules refuse, with the French message to show and its HTTP status.

    The view that catches nothing lets it reach the app-wide handler (`web.refused`), which
    rolls the transaction back and shows the message: a page, or the flash region for htmx.
    """

    def __init__(self, message, status: int = 409, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.field = field
