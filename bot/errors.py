"""Errors that carry a message meant for the member who caused them."""

from __future__ import annotations

from collections.abc import Callable


class UserError(Exception):
    """Something the member can fix; the message says what. Shown ephemerally, never logged as
    an error."""


class NamedError(UserError):
    """A UserError naming something a member chose (a deck): ``template`` holds ``{name}``
    (and a field for each of ``others``, more names chosen). Its text has the names as they
    are; :meth:`shown` gives it with the names as the caller's Markdown must show them
    (Discord's would turn ``__init__`` bold)."""

    def __init__(self, template: str, name: str, **others: str) -> None:
        super().__init__(template.format(name=name, **others))
        self.template = template
        self.name = name
        self.others = others

    def shown(self, escape: Callable[[str], str]) -> str:
        return self.template.format(
            name=escape(self.name), **{k: escape(v) for k, v in self.others.items()}
        )


class OptionGone(UserError):
    """A multiple-choice button whose option was edited away after the question was posted:
    the message's buttons are out of date. ``redraw``: whether the message showing them
    is redrawn from the database (a public post still open)."""

    def __init__(self, message: str, *, redraw: bool = False) -> None:
        super().__init__(message)
        self.redraw = redraw
