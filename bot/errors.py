"""Errors that carry a message meant for the member who caused them."""


class UserError(Exception):
    """Something the member can fix; the message says what. Shown ephemerally, never logged as
    an error."""


class OptionGone(UserError):
    """A multiple-choice button whose option was edited away after the question was posted:
    the message's buttons are out of date. ``redraw``: whether the message showing them
    is redrawn from the database (a public post still open)."""

    def __init__(self, message: str, *, redraw: bool = False) -> None:
        super().__init__(message)
        self.redraw = redraw
