"""The drawing machinery behind :mod:`shiftsim.plot` (private): one module per kind of run."""

__all__: list[str] = []
