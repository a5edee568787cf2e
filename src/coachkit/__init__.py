"""coachkit: analyze 360-degree leadership priority rankings.

The library behind the `coachkit` command: `read` survey files or DataFrames, `analyze` them into
a report per leader, look at the whole organization with `org`, or at what moved between two
assessments with `compare`; with an HR roster (`leaders=`), split the organization by one of its
columns (`org(..., by=...)`); with two questions of the same items (`now=`, `future=`), follow
the journey from one to the other. Results render to every format of the command line. Importing
coachkit is cheap: pandas, numpy and the renderers load on first use.

    import coachkit
    report = coachkit.analyze("survey.xlsx")
    report.to_dict()            # the JSON document of `coachkit analyze --format json`
    report.to_frame()           # the tidy table of `--format csv`
    report.render("markdown")   # any format, as text (bytes for xlsx)
"""

from typing import TYPE_CHECKING, Any

from coachkit.errors import CoachkitError, CoachkitWarning
from coachkit.version import __version__

if TYPE_CHECKING:
    from coachkit.model import (
        CompareReport,
        JourneyCompareReport,
        JourneyReport,
        OrgReport,
        Report,
    )
    from coachkit.pipeline import analyze, compare, org, read
    from coachkit.validate import Dataset

__all__ = [
    "CoachkitError",
    "CoachkitWarning",
    "CompareReport",
    "Dataset",
    "JourneyCompareReport",
    "JourneyReport",
    "OrgReport",
    "Report",
    "__version__",
    "analyze",
    "compare",
    "org",
    "read",
]
_LAZY = {
    "read": "coachkit.pipeline",
    "analyze": "coachkit.pipeline",
    "org": "coachkit.pipeline",
    "compare": "coachkit.pipeline",
    "Report": "coachkit.model",
    "OrgReport": "coachkit.model",
    "CompareReport": "coachkit.model",
    "JourneyReport": "coachkit.model",
    "JourneyCompareReport": "coachkit.model",
    "Dataset": "coachkit.validate",
}


def __dir__() -> list[str]:
    """The API, for `dir(coachkit)` and completion: the lazily imported names included."""
    return sorted({*globals(), *__all__})


def __getattr__(name: str) -> Any:
    """The API's functions and types, imported on first use (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'coachkit' has no attribute {name!r}")
