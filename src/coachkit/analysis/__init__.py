"""The analysis: pure numpy functions from a validated dataset to frozen results, no printing.

`analyze` gives the report of every leader (`report.py`), `org.analyze_org` the organization
view, `compare.compare_reports` what moved between two reports; `arrays.py` computes every
statistic of every subject at once, `stats.py` holds the exact null distributions.
"""

from coachkit.analysis.report import analyze, instrument_info, settings_for

__all__ = ["analyze", "instrument_info", "settings_for"]
