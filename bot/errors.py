"""Errors that carry a message meant for the member who caused them."""


class UserError(Exception):
    """Something the member can fix; the message says what. Shown ephemerally, never logged as
    an error."""
