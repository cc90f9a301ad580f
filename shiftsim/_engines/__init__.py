"""The simulation engines (private): one subpackage per platform family, each with the same four roles."""

__all__: list[str] = []
