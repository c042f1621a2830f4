"""Plotline's engine for Python: validate web widget event streams against interaction
lifecycles, with the verdicts of the ``plotline`` command (the same interpreter, the same
report). See ``Catalog``."""

from ._plotline import Catalog, CatalogError, PlotlineError, Validator, Verdict

__all__ = ["Catalog", "CatalogError", "PlotlineError", "Validator", "Verdict"]
