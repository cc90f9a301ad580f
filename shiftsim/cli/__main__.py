"""``python -m shiftsim.cli``: the ``shiftsim`` command."""

from shiftsim.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
