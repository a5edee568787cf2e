"""Time coachkit against the floors it cannot beat, measured in the same run on the same machine.

    python benchmarks/run.py                 # the full sizes (a few minutes)
    python benchmarks/run.py --scale 0.01    # a quick look at 1% of the data sizes

Each scenario runs `--repeat` times in a fresh process, taking turns with its floor (a plain
Python process doing only the unavoidable part: importing typer or pandas, parsing the file),
so both see the machine in the same state; scenarios of a second or less run four times as
often. The table shows medians and each one's ratio to its floor. The data is generated here,
seeded; nothing large is kept.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

LABELS = [
    "Vision and strategy",
    "Job competence",
    "Industry knowledge",
    "Communication skills",
    "Leading change",
    "Execution",
    "Leadership image",
    "Developing a following",
    "Judgement/decision-making",
    "Personal ethics",
    "Coaching/mentoring",
    "Building teams",
]
GROUPS = [
    "Self",
    "Manager",
    "Peer",
    "Peer",
    "Peer",
    "Direct report",
    "Direct report",
    "Direct report",
    "Direct report",
    "Other",
    "Other",
    "Other",
]
PYTHON = sys.executable
# The `coachkit` command as installed beside this Python; `python -m coachkit` where there is none.
_SCRIPT = Path(PYTHON).parent / "coachkit"
COACHKIT = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "coachkit"]


def write_survey(path: Path, responses: int, per_leader: int = 12, seed: int = 1) -> Path:
    """A wide CSV: `responses` rankings, `per_leader` raters for each leader."""
    rng = np.random.default_rng(seed)
    ranks = np.argsort(rng.random((responses, 12)), axis=1) + 1
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Leader", "Rater", "Relationship", *LABELS])
        for i, row in enumerate(ranks.tolist()):
            writer.writerow(
                [f"Leader {i // per_leader}", f"r{i}", GROUPS[i % per_leader % len(GROUPS)], *row]
            )
    return path


def write_workbook(path: Path, responses: int = 20, seed: int = 2) -> Path:
    from openpyxl import Workbook

    rng = np.random.default_rng(seed)
    book = Workbook()
    sheet = book.active
    sheet.append(["Leader", "Rater", "Relationship", *LABELS])
    for i in range(responses):
        sheet.append(
            [
                f"Leader {i // 10}",
                f"r{i}",
                GROUPS[i % 10],
                *(np.argsort(rng.random(12)) + 1).tolist(),
            ]
        )
    book.save(path)
    return path


def run_once(command: list[str]) -> tuple[float, float]:
    """Wall time in seconds and peak memory in MiB of `command`, run in a fresh process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "elapsed = time.perf_counter() - start\n"
        "print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
    )
    out = subprocess.run(
        [PYTHON, "-c", probe, *command], capture_output=True, text=True, check=True
    ).stdout
    elapsed, peak_kib, code = out.split()
    if code not in ("0", "1"):
        raise SystemExit(f"failed ({code}): {' '.join(command)}")
    return float(elapsed), int(peak_kib) / 1024


def timed(commands: list[list[str]], repeat: int) -> list[tuple[float, float]]:
    """Median wall time and peak memory of each command. The commands take turns, so a
    scenario and its floor see the same machine (a busy moment slows both, not one)."""
    runs: list[list[tuple[float, float]]] = [[] for _ in commands]
    for _ in range(repeat):
        for command, results in zip(commands, runs, strict=True):
            results.append(run_once(command))
    return [
        (statistics.median(t for t, _ in results), max(m for _, m in results)) for results in runs
    ]


def floor_read(path: Path) -> list[str]:
    return [PYTHON, "-c", f"import pandas; pandas.read_csv({str(path)!r})"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the full data sizes")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each scenario (the median is shown)"
    )
    args = parser.parse_args()

    def size(n: float) -> int:
        """`n` responses at the chosen scale, in whole leaders of 12 raters."""
        return max(12, int(n * args.scale) // 12 * 12)

    rows: list[tuple[str, str, float, float, str]] = []

    def compare(
        name: str,
        command: list[str],
        floor_name: str,
        floor: list[str],
        target: str,
        repeat: int = args.repeat,
    ) -> tuple[float, float, float, float]:
        (seconds, peak), (floor_seconds, floor_peak) = timed([command, floor], repeat)
        rows.append((name, floor_name, seconds, seconds / floor_seconds, target))
        print(f"  {name}: {seconds:.3f} s, floor {floor_seconds:.3f} s", file=sys.stderr)
        return seconds, floor_seconds, peak, floor_peak

    # Installed from a wheel, coachkit is byte-compiled; an editable install under
    # PYTHONDONTWRITEBYTECODE=1 compiles its source on every run instead (about 0.05 s of
    # start-up). Compile it first, so the runs time coachkit as it is installed.
    import coachkit

    subprocess.run(
        [PYTHON, "-m", "compileall", "-q", str(Path(coachkit.__file__).parent)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        typer_floor = [PYTHON, "-c", "import typer"]
        pandas_floor = [PYTHON, "-c", "import pandas"]
        quick = 4 * args.repeat  # runs of a second or less: more of them, steadier medians
        compare(
            "coachkit --help", [*COACHKIT, "--help"], "import typer", typer_floor, "<= 1.3", quick
        )
        compare(
            "coachkit dimensions",
            [*COACHKIT, "dimensions"],
            "import typer",
            typer_floor,
            "<= 1.5",
            quick,
        )
        book = write_workbook(work / "small.xlsx")
        for fmt, target in (("json", "<= 0.8"), ("markdown", "<= 1.0"), ("table", "<= 1.0")):
            compare(
                f"analyze 20-response xlsx, {fmt}",
                [*COACHKIT, "analyze", str(book), "-f", fmt, "-q"],
                "import pandas",
                pandas_floor,
                target,
                quick,
            )
        # Batches of 50, 100, 200 and 400 workbooks (scaled): the 200 is timed against one
        # analyze, and all four show how the time grows with the number of files.
        batch_sizes = [max(2, int(n * args.scale)) for n in (50, 100, 200, 400)]
        batch_dirs: list[Path] = []
        for count in batch_sizes:
            folder = work / f"clients{len(batch_dirs)}"
            folder.mkdir()
            for n in range(count):
                write_workbook(folder / f"client{n:03d}.xlsx", seed=n)
            batch_dirs.append(folder)
        compare(
            f"batch over {batch_sizes[2]} such files",
            [*COACHKIT, "batch", str(batch_dirs[2]), "--output-dir", str(work / "reports"), "-q"],
            "one analyze",
            [*COACHKIT, "analyze", str(book), "-f", "markdown", "-q"],
            "<= 4",
        )
        batch_runs = timed(
            [
                [*COACHKIT, "batch", str(folder), "--output-dir", str(work / f"r{i}"), "-q"]
                for i, folder in enumerate(batch_dirs)
            ],
            args.repeat,
        )
        batch_scaling = [(n, t) for n, (t, _) in zip(batch_sizes, batch_runs, strict=True)]
        leaders = write_survey(work / "leaders.csv", size(120_000))
        compare(
            f"analyze {size(120_000) // 12:,} leaders, json -o",
            [*COACHKIT, "analyze", str(leaders), "-f", "json", "-o", str(work / "out.json"), "-q"],
            "pandas read_csv",
            floor_read(leaders),
            "<= 4",
        )
        # Every format linear in leaders: 3,000 leaders' table, Markdown and HTML against their
        # JSON, run in turns.
        three = write_survey(work / "three.csv", size(36_000))
        json_run = [
            *COACHKIT,
            "analyze",
            str(three),
            "-f",
            "json",
            "-o",
            str(work / "3.json"),
            "-q",
        ]
        for fmt, suffix in (("table", "txt"), ("markdown", "md"), ("html", "html")):
            compare(
                f"analyze {size(36_000) // 12:,} leaders, {fmt} -o",
                [
                    *COACHKIT,
                    "analyze",
                    str(three),
                    "-f",
                    fmt,
                    "-o",
                    str(work / f"3.{suffix}"),
                    "-q",
                ],
                "the same, json",
                json_run,
                "<= 3",
            )
        org = write_survey(work / "org.csv", size(1_000_000))
        _, _, peak, floor_peak = compare(
            f"org on {size(1_000_000):,} responses",
            [*COACHKIT, "org", str(org), "-f", "json", "-q"],
            "pandas read_csv",
            floor_read(org),
            "<= 2.5",
        )
        rows.append(("peak memory of that org run", "its floor", peak, peak / floor_peak, "<= 3"))
        sizes = [size(1_000_000 * fraction) for fraction in (0.125, 0.25, 0.5, 1.0)]
        parts = [write_survey(work / f"org{n}.csv", n) for n in sizes]
        # The sizes take turns too, so drift in the machine's speed does not bend the curve.
        runs = timed(
            [[*COACHKIT, "org", str(part), "-f", "json", "-q"] for part in parts], args.repeat
        )
        scaling = [(n, seconds) for n, (seconds, _) in zip(sizes, runs, strict=True)]

    print(
        f"coachkit benchmarks: Python {sys.version.split()[0]}, {os.cpu_count()} cores, scale {args.scale}, "
        f"median of {args.repeat}"
    )
    print()
    print("| scenario | floor | median | ratio | target |")
    print("|---|---|---:|---:|---|")
    for name, floor_name, value, ratio, target in rows:
        unit = "MiB" if "memory" in name else "s"
        print(f"| {name} | {floor_name} | {value:.3f} {unit} | {ratio:.2f} | {target} |")
    print()
    print("| batch files | seconds | seconds per file |")
    print("|---:|---:|---:|")
    for files, seconds in batch_scaling:
        print(f"| {files} | {seconds:.3f} | {seconds / files:.4f} |")
    print()
    # Linear growth: each step up adds about the same seconds per 100k responses it adds.
    print("| org responses | seconds | seconds per 100k | added seconds per added 100k |")
    print("|---:|---:|---:|---:|")
    previous = None
    for responses, seconds in scaling:
        added = ""
        if previous is not None:
            added = f"{(seconds - previous[1]) / (responses - previous[0]) * 100_000:.3f}"
        print(f"| {responses:,} | {seconds:.3f} | {seconds / responses * 100_000:.3f} | {added} |")
        previous = (responses, seconds)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - start:.0f} s in all)", file=sys.stderr)
