"""The choices users make on the command line, as enums light enough to import at start-up."""

from enum import StrEnum


class Layout(StrEnum):
    """Where a file comes from: a generic layout, or a survey platform's export."""

    auto = "auto"
    tidy = "tidy"
    wide = "wide"
    qualtrics = "qualtrics"
    surveymonkey = "surveymonkey"
    google_forms = "google-forms"
    microsoft_forms = "microsoft-forms"
    limesurvey = "limesurvey"


class ValueKind(StrEnum):
    """Whether cells hold ranks or scores."""

    ranks = "ranks"
    scores = "scores"


class Scheme(StrEnum):
    """One ranking of every dimension, or one per family."""

    overall = "overall"
    by_family = "by-family"


class Format(StrEnum):
    """The output formats of the reporting commands. A name is read in any case, and `md` is
    markdown: `Format("JSON")`, `Format("md")`."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"
    pdf = "pdf"

    @classmethod
    def _missing_(cls, value: object) -> "Format | None":
        if not isinstance(value, str):
            return None
        name = value.strip().lower()
        name = FORMAT_ALIASES.get(name, name)
        return next((member for member in cls if member.value == name), None)


FORMAT_ALIASES = {"md": "markdown"}  # other names a format is known by


class TextFormat(StrEnum):
    """The formats of the commands that describe rather than report (validate, inspect,
    dimensions), read in any case."""

    table = "table"
    json = "json"

    @classmethod
    def _missing_(cls, value: object) -> "TextFormat | None":
        name = value.strip().lower() if isinstance(value, str) else None
        return next((member for member in cls if member.value == name), None)


class Paper(StrEnum):
    """Paper sizes for PDF."""

    a4 = "a4"
    letter = "letter"
