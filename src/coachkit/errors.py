"""The exceptions a user can see; `cli.py` turns each into an `error:` line and an exit code."""


class CoachkitError(Exception):
    """A problem the user can act on. The message is one line, naming file, row or column."""

    exit_code = 1


class InputError(CoachkitError):
    """The input file is unreadable or invalid."""


class AmbiguousQuestions(InputError):
    """Two or more questions of a file fit the instrument, and none was chosen: `questions`
    holds each one's (key, text), so that a caller can tell a now/future pair among them."""

    def __init__(self, message: str, questions: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.questions = questions


class InstrumentError(CoachkitError):
    """An instrument definition is invalid."""


class OutputError(CoachkitError):
    """The report could not be written where it was asked for."""


class UsageError(CoachkitError):
    """An option or argument that cannot be meant as given (exit 2, as for the command line's own
    usage errors). With `option` (a keyword, `min_raters`), the message names it in the
    caller's terms: the keyword for the library, the flag (`--min-raters`) on the command line."""

    exit_code = 2

    def __init__(self, message: str, option: str | None = None) -> None:
        self.option = option
        self.text = message
        super().__init__(f"{option}: {message}" if option else message)

    def as_flag(self) -> str:
        """The message as the command line says it: the option as its flag."""
        if not self.option:
            return str(self)
        return f"--{self.option.replace('_', '-')}: {self.text}"


class CoachkitWarning(UserWarning):
    """Something about the data a person should know (a merged spelling, a leader without a
    self-assessment...): the library's counterpart of a `warning:` line on stderr."""
