"""Types of the ``plotline`` package. The ``TypedDict`` shapes (``Report``, ``Step``, ...)
exist for type checkers only: import them under ``typing.TYPE_CHECKING``."""

from typing import Any, Dict, List, Literal, Mapping, Optional, TypedDict, Union, overload

from typing_extensions import Unpack

class Violation(TypedDict, total=False):
    file: str
    line: int
    interaction: str
    lifecycle: str
    event: str
    kind: str
    message: str
    expected: List[str]

class Summary(TypedDict):
    lines: int
    blank: int
    events: int
    duplicates: int
    malformed: int
    interactions: int
    valid_interactions: int
    violations: int
    not_checked: int
    by_kind: Dict[str, int]

class Report(TypedDict):
    format_version: int
    summary: Summary
    violations: List[Violation]

class Step(TypedDict):
    lifecycle: str
    version: str
    interaction: str
    event: str
    state: str
    metadata: Dict[str, Any]

class VerdictDict(TypedDict):
    line: int
    held: bool
    step: Optional[Step]
    violations: List[Violation]
    released: List[Step]

class Verdict:
    """The verdict on one event pushed; each part becomes Python values when read."""

    @property
    def line(self) -> int: ...
    @property
    def held(self) -> bool: ...
    @property
    def step(self) -> Optional[Step]: ...
    @property
    def violations(self) -> List[Violation]: ...
    @property
    def released(self) -> List[Step]: ...
    @overload
    def __getitem__(self, key: Literal["line"]) -> int: ...
    @overload
    def __getitem__(self, key: Literal["held"]) -> bool: ...
    @overload
    def __getitem__(self, key: Literal["step"]) -> Optional[Step]: ...
    @overload
    def __getitem__(self, key: Literal["violations", "released"]) -> List[Any]: ...
    def to_dict(self) -> VerdictDict: ...

class Found(TypedDict):
    lines: int
    violations: List[Violation]

class Diagnostic(TypedDict):
    file: Optional[str]
    line: int
    column: int
    severity: Literal["error", "warning"]
    message: str
    help: Optional[str]
    text: str

class PlotlineError(ValueError):
    """An error of Plotline's: a bad option, an unknown lifecycle, a finished validator."""

class CatalogError(PlotlineError):
    """A catalog that does not compile."""

    diagnostics: List[Diagnostic]

Duration = Union[str, int]

class Options(TypedDict, total=False):
    """The options of ``plotline validate``, as keyword arguments."""

    reorder_window: Duration
    quiet_end: Duration
    show_pii: bool
    allow_incomplete: bool
    max_line_bytes: int

class Validator:
    """A stream being judged, event by event or many lines at once."""

    def push(self, event: Union[Mapping[str, Any], str]) -> Verdict: ...
    def push_lines(self, text: Union[str, bytes]) -> Found: ...
    def finish(self) -> Found: ...
    def summary(self) -> Summary: ...
    def report(self) -> Report: ...
    def report_json(self) -> str: ...

class Catalog:
    """A compiled catalog of lifecycles."""

    @staticmethod
    def builtin() -> Catalog: ...
    @staticmethod
    def from_dir(path: str) -> Catalog: ...
    @staticmethod
    def from_files(files: Mapping[str, str]) -> Catalog: ...
    def lifecycles(self) -> List[str]: ...
    def validate_file(
        self,
        path: str,
        *,
        jobs: Optional[int] = None,
        **options: Unpack[Options],
    ) -> Report: ...
    def validate_file_json(
        self,
        path: str,
        *,
        jobs: Optional[int] = None,
        **options: Unpack[Options],
    ) -> str: ...
    def validate(
        self,
        text: str,
        name: str = "-",
        **options: Unpack[Options],
    ) -> Report: ...
    def validate_json(
        self,
        text: str,
        name: str = "-",
        **options: Unpack[Options],
    ) -> str: ...
    def validator(
        self,
        name: str = "-",
        **options: Unpack[Options],
    ) -> Validator: ...
    def schema(self, lifecycle: str, version: Optional[str] = None) -> Dict[str, Any]: ...
    def types(self, lifecycle: str, version: Optional[str] = None) -> str: ...
    def graph(
        self,
        lifecycle: str,
        format: Literal["mermaid", "dot", "svg", "scxml"] = "mermaid",
        version: Optional[str] = None,
    ) -> str: ...
