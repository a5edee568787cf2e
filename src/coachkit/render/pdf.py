"""PDF: the HTML report printed by a real engine, WeasyPrint (`pip install 'coachkit[pdf]'`) or a
Chromium, Chrome or Edge found on the machine; never a home-made PDF writer."""

from __future__ import annotations

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
        return data
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
        return out.read_bytes()
