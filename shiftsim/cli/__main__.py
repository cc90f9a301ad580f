"""``python -m shiftsim.cli``."""

from shiftsim.cli import main

__all__: list[str] = []

raise SystemExit(main())
