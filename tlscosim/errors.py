"""Errors meant for the user: the CLI prints their message, never a traceback."""


class UserError(Exception):
    """Bad input or an environment problem, explained in the message."""

    exit_code = 2


class DescriptionError(UserError, ValueError):
    """A platform description (board, SoC or register map file) is wrong; the message
    names the file, the entry and the key. A ValueError too, for callers that predate it."""


class OutputError(UserError):
    """An output file or folder cannot be written."""
