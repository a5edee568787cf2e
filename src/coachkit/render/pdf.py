"""PDF: the HTML report printed by a real engine, WeasyPrint (`pip install 'coachkit[pdf]'`) or a
Chromium, Chrome or Edge found on the machine; never a home-made PDF writer."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from coachkit.errors import CoachkitError

BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
    "microsoft-edge",
    "microsoft-edge-stable",
    "msedge",
)
SECONDS = 120


def html_to_pdf(html: str) -> bytes:
    """The page printed to PDF (its own CSS sets the paper, page breaks and page numbers)."""
    try:
        import weasyprint  # type: ignore[import-not-found, unused-ignore]
    except (ImportError, OSError):  # not installed, or its Pango libraries are missing
        weasyprint = None
    if weasyprint is not None:
        data: bytes = weasyprint.HTML(string=html).write_pdf()
        return stamped(data)
    browser = next((found for name in BROWSERS if (found := shutil.which(name))), None)
    if browser is None:
        raise CoachkitError(
            "PDF needs an engine: pip install 'coachkit[pdf]' (WeasyPrint), or install "
            "Chromium (or Chrome or Edge); --format html prints from any browser"
        )
    with tempfile.TemporaryDirectory(prefix="coachkit-pdf-") as folder:
        page, out = Path(folder) / "report.html", Path(folder) / "report.pdf"
        page.write_text(html, "utf-8")
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(folder) / 'profile'}",
            f"--print-to-pdf={out}",
        ]
        try:
            done = subprocess.run(
                [browser, *flags, page.as_uri()],
                capture_output=True,
                timeout=SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CoachkitError(f"{browser}: could not print the PDF ({exc})") from exc
        if done.returncode != 0 or not out.is_file():
            raise CoachkitError(
                f"{browser}: could not print the PDF (exit {done.returncode}); write HTML with "
                "--format html and print it from a browser"
            )
        return stamped(out.read_bytes())


# The engines' creation and modification dates ("D:20261205075405+00'00'"): rewritten to one
# fixed date, so that the same report is the same bytes on every run (the workbook does the same).
_DATES = re.compile(rb"/(CreationDate|ModDate) ?\(D:(\d{14})([^)]*)\)")
FIXED = 946684800  # 2000-01-01 00:00:00 UTC, when SOURCE_DATE_EPOCH does not name a date


def stamped(pdf: bytes) -> bytes:
    """The PDF with its dates set to SOURCE_DATE_EPOCH (the reproducible-builds convention), else
    to 2000-01-01, each in UTC and of the same length as before, so that the byte offsets of the
    file's cross-reference table still hold."""
    import os
    from datetime import UTC, datetime

    try:
        epoch = int(os.environ.get("SOURCE_DATE_EPOCH", FIXED))
    except ValueError:
        epoch = FIXED
    when = datetime.fromtimestamp(max(epoch, 0), UTC).strftime("%Y%m%d%H%M%S").encode()

    def fixed(found: re.Match[bytes]) -> bytes:
        zone = found[3] if len(found[3]) != len(b"+00'00'") else b"+00'00'"
        return found[0].replace(found[2] + found[3], when + zone)

    return _DATES.sub(fixed, pdf)
