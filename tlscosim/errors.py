"""Errors meant for the user: the CLI prints their message, never a traceback."""


class UserError(Exception):
    """Bad input or an environment problem, explained in the message."""

    exit_code = 2
