"""The Python package under pytest: for each case of PLOTLINE_CASES (a stream, the options, the
catalog directory or none for the built-in one, and the file holding the report
``plotline validate --format json`` wrote for it), the package's report is the same text, byte
for byte, whether Plotline reads the file (on one thread or two), is handed the text, or is fed
event by event. Then the API's promises: verdicts, errors with diagnostics, the exports.

usage: PLOTLINE_CASES=cases.json PLOTLINE_SCHEMA=schema.json pytest test_binding.py
"""

import json
import os
from pathlib import Path
from typing import Any, Dict, List

import pytest

import plotline

CASES: List[Dict[str, Any]] = json.loads(Path(os.environ["PLOTLINE_CASES"]).read_text())
BUILTIN = plotline.Catalog.builtin()


def catalog_of(case: Dict[str, Any]) -> plotline.Catalog:
    return plotline.Catalog.from_dir(case["catalog"]) if case["catalog"] else BUILTIN


def options_of(case: Dict[str, Any]) -> Dict[str, Any]:
    return {"reorder_window": case["options"]["reorderWindow"]} if case["options"] else {}


def ids(case: Dict[str, Any]) -> str:
    return f"{Path(case['stream']).name} {case['options']}"


@pytest.mark.parametrize("case", CASES, ids=ids)
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_file_read_by_plotline(case: Dict[str, Any], jobs: int) -> None:
    want = Path(case["expected"]).read_text()
    got = catalog_of(case).validate_file_json(case["stream"], jobs=jobs, **options_of(case))
    assert got == want
    assert catalog_of(case).validate_file(case["stream"], jobs=jobs, **options_of(case)) == json.loads(want)


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_text_handed_over(case: Dict[str, Any]) -> None:
    raw = Path(case["stream"]).read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        pytest.skip("no UTF-8: a str cannot carry it (push_lines takes its bytes)")
    got = catalog_of(case).validate_json(text, name=case["stream"], **options_of(case))
    assert got == Path(case["expected"]).read_text()


@pytest.mark.parametrize("case", CASES, ids=ids)
def test_event_by_event(case: Dict[str, Any]) -> None:
    validator = catalog_of(case).validator(case["stream"], **options_of(case))
    for line in Path(case["stream"]).read_bytes().splitlines(keepends=True):
        try:
            validator.push(line.decode("utf-8"))
        except UnicodeDecodeError:
            validator.push_lines(line)
    validator.finish()
    assert validator.report_json() == Path(case["expected"]).read_text()


def test_one_events_verdict() -> None:
    validator = BUILTIN.validator()
    ready = validator.push(
        {"lifecycle": "callback", "interaction": "c1", "event": "ready", "ts": 1, "version": "9.0.002.06"}
    )
    step = ready.step
    assert step is not None and step == ready["step"]
    assert step["state"] == "ready"
    assert step["metadata"]["opened"] is False
    assert ready.violations == [] and ready.held is False and ready.line == 1
    assert ready.to_dict() == {"line": 1, "held": False, "step": step, "violations": [], "released": []}
    bad = validator.push("{not json")
    assert [v["kind"] for v in bad["violations"]] == ["malformed_line"]
    # A dict crosses as the JSON line it stands for: the same verdict as its text.
    record = {"lifecycle": "callback", "interaction": "c2", "event": "ready", "ts": 2.5e3,
              "version": "9.0.002.06", "data": {"a": [1, True, None, "é\n"], "b": (2,)}}
    as_dict = BUILTIN.validator().push(record).to_dict()
    as_text = BUILTIN.validator().push(json.dumps(record)).to_dict()
    assert as_dict == as_text
    with pytest.raises(plotline.PlotlineError, match="type set"):
        validator.push({"lifecycle": "callback", "data": {1, 2}})
    assert validator.summary()["malformed"] == 1
    with pytest.raises(plotline.PlotlineError, match="call it first"):
        validator.report()
    validator.finish()
    assert validator.report()["summary"]["lines"] == 2, "a record refused before it is read is no line"
    with pytest.raises(plotline.PlotlineError, match="finished"):
        validator.push("{}")


def test_a_broken_catalog_raises_its_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "chat.yaml").write_text("name: chat\nstates: [a\n")
    with pytest.raises(plotline.CatalogError) as raised:
        plotline.Catalog.from_dir(str(tmp_path))
    assert str(raised.value).startswith("the catalog does not compile:\n")
    first = raised.value.diagnostics[0]
    assert first["file"] is not None and first["file"].endswith("chat.yaml")
    assert first["line"] > 0 and first["column"] > 0 and first["severity"] == "error"
    assert isinstance(raised.value, ValueError)
    (tmp_path / "empty").mkdir()
    with pytest.raises(plotline.CatalogError, match="no lifecycle files"):
        plotline.Catalog.from_dir(str(tmp_path / "empty"))
    with pytest.raises(plotline.PlotlineError, match="did you mean `reorder_window`"):
        BUILTIN.validator(reorder_windw="1s")
    with pytest.raises(plotline.PlotlineError, match="did you mean `callback`"):
        BUILTIN.types("calback")


def test_the_exports_as_the_cli_writes_them() -> None:
    schema = BUILTIN.schema("callback", "9.0.002.06")
    assert json.dumps(schema, indent=2) + "\n" == Path(os.environ["PLOTLINE_SCHEMA"]).read_text()
    assert "export type" in BUILTIN.types("callback")
    assert BUILTIN.graph("callback").startswith("stateDiagram-v2")
    assert BUILTIN.graph("callback", "dot").startswith("digraph")
    assert BUILTIN.lifecycles() == ["callback", "clicktocall", "intercom_messenger", "lp_offers", "zendesk_messaging"]


def test_a_catalog_from_files_is_the_catalog_from_their_directory() -> None:
    directory = Path("tests/fixtures/general")
    files = {str(path): path.read_text() for path in sorted(directory.glob("*.yaml"))}
    assert files
    assert plotline.Catalog.from_files(files).lifecycles() == plotline.Catalog.from_dir(str(directory)).lifecycles()
