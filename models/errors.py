"""Errors a person can act on. Handlers turn them into a short ephemeral reply; never a traceback."""

from __future__ import annotations


class UserFacingError(Exception):
    """Something the person asked for cannot be done; `str(error)` is shown to them as-is."""

    def __init__(self, message: str, *, usage: str | None = None) -> None:
        super().__init__(message)
        self.usage = usage


class BadArgument(UserFacingError):
    """The command's words could not be understood."""


class NotFound(UserFacingError):
    """A community, meeting or person the command names does not exist here."""


class NotPermitted(UserFacingError):
    """The person's role does not allow this."""


class NotAMember(UserFacingError):
    """The person must join the community first."""
