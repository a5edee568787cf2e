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
    ranks = "ranks"
    scores = "scores"


class Scheme(StrEnum):
    overall = "overall"
    by_family = "by-family"


class Format(StrEnum):
    table = "table"
    markdown = "markdown"
    json = "json"
    csv = "csv"
    html = "html"
    xlsx = "xlsx"


class TextFormat(StrEnum):
    """The formats of the commands that describe rather than report (validate, inspect,
    dimensions)."""

    table = "table"
    json = "json"
