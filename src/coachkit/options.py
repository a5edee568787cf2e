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
    """The output formats of the reporting commands."""

    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"
    pdf = "pdf"


class TextFormat(StrEnum):
    """The formats of the commands that describe rather than report (validate, inspect,
    dimensions)."""

    table = "table"
    json = "json"


class Paper(StrEnum):
    """Paper sizes for PDF."""

    a4 = "a4"
    letter = "letter"
