"""Errors of the command line."""


class CliError(Exception):
    """A problem with the command's input, reported as one line on stderr."""
