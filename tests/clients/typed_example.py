"""A typed user of the ``plotline`` package: ``mypy --strict`` checks it against the package's
stubs, and running it prints each lifecycle's name with the violations a short stream has."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotline
from plotline import Catalog, Verdict

if TYPE_CHECKING:  # the dict shapes exist for type checkers only
    from plotline import Report, Step

catalog: Catalog = Catalog.builtin()
validator = catalog.validator("typed", reorder_window="10s")
verdict: Verdict = validator.push(
    {"lifecycle": "callback", "interaction": "c1", "event": "ready", "ts": 1, "version": "9.0.002.06"}
)
held: bool = verdict.held
step: Step | None = verdict["step"]
found = validator.finish()
kinds: list[str] = [violation["kind"] for violation in found["violations"]]
report: Report = validator.report()
lines: int = report["summary"]["lines"]
try:
    Catalog.from_files({"x.yaml": "name: x\n"})
except plotline.CatalogError as error:
    places = [(d["file"], d["line"], d["column"]) for d in error.diagnostics]
print(" ".join(catalog.lifecycles()), held, kinds, lines)
