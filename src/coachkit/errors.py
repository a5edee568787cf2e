"""The exceptions a user can see; `cli.py` turns each into an `error:` line and an exit code."""


class CoachkitError(Exception):
    """A problem the user can act on. The message is one line, naming file, row or column."""

    exit_code = 1


class InputError(CoachkitError):
    """The input file is unreadable or invalid."""


class InstrumentError(CoachkitError):
    """An instrument definition is invalid."""


class OutputError(CoachkitError):
    """The report could not be written where it was asked for."""


class UsageError(CoachkitError):
    """An option or argument that cannot be meant as given (exit 2, as for the command line's own
    usage errors)."""

    exit_code = 2


class CoachkitWarning(UserWarning):
    """Something about the data a person should know (a merged spelling, a leader without a
    self-assessment...): the library's counterpart of a `warning:` line on stderr."""
