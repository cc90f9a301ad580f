"""The drawing machinery behind :mod:`shiftsim.plot` (private): one module per figure (traffic,
fleet, runs, schedules, risk, tradeoff), plus the layout they share."""

__all__: list[str] = []
