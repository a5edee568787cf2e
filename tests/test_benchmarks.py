"""The benchmark script runs and reports every scenario (timings are never asserted here)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # `python -m pytest -m slow` runs them; CI does


def test_benchmark_script_runs_on_a_tiny_size() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--scale", "0.001", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    table = [
        line for line in result.stdout.splitlines() if line.startswith("| ") and "---" not in line
    ]
    scenarios = [line.split(" | ")[0].lstrip("| ") for line in table]
    for name in (
        "coachkit --help",
        "coachkit dimensions",
        "analyze 20-response xlsx, json",
        "batch over",
        "org on",
        "peak memory",
    ):
        assert any(s.startswith(name) for s in scenarios), name
    assert any(s.endswith("leaders, json -o") for s in scenarios)
    ratios = [
        line.split(" | ")[3] for line in table if "target" not in line and line.count(" | ") == 4
    ]
    assert ratios and all(re.fullmatch(r"\d+\.\d\d", r) for r in ratios)
    assert "| org responses | seconds | seconds per 100k |" in result.stdout
    assert "| batch files | seconds | seconds per file |" in result.stdout
