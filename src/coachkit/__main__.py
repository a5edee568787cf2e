"""Run coachkit as `python -m coachkit`."""

from coachkit.cli import main

main()
