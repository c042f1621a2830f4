//! Plotline for Python: `plotline.validate(text, catalog=None)` runs JSONL event lines through
//! the one interpreter `plotline validate` runs and gives its JSON report, the same text
//! `plotline validate --format json` writes for them. Nothing is judged here: this crate only
//! hands text to the core and its report back.

use std::io::Cursor;
use std::path::Path;

use plotline::compile::{compile, Catalog};
use plotline::config::{load_builtin, load_dir};
use plotline::engine::stream::{self, Input};
use plotline::engine::{Interpreter, Limits};
use plotline::report::JsonReport;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// The catalog of the lifecycle files in `dir`, or the built-in one; a `ValueError` that says
/// every diagnostic when it does not compile.
fn catalog(dir: Option<&str>) -> PyResult<Catalog> {
    let (files, mut diagnostics) = match dir {
        Some(dir) => load_dir(Path::new(dir)),
        None => load_builtin(),
    };
    let (catalog, found) = compile(&files);
    diagnostics.extend(found);
    let errors: Vec<String> = (diagnostics.iter())
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    match catalog {
        Some(catalog) if errors.is_empty() => Ok(catalog),
        _ => Err(PyValueError::new_err(format!(
            "the catalog does not compile:\n{}",
            errors.join("\n")
        ))),
    }
}

/// Validates JSONL event lines (`text`, named `name` in the report) against the lifecycle
/// files of the directory `catalog` (default: the built-in catalog) and returns the JSON
/// report, as `plotline validate --format json` writes it.
#[pyfunction]
#[pyo3(signature = (text, catalog = None, name = "-"))]
fn validate(text: &str, catalog: Option<&str>, name: &str) -> PyResult<String> {
    let catalog = self::catalog(catalog)?;
    let limits = Limits::default();
    let mut interpreter = Interpreter::new(&catalog, limits);
    let mut report = JsonReport::new().map_err(|e| PyOSError::new_err(e.to_string()))?;
    let mut failed = None;
    let input = Input {
        name: name.to_owned(),
        size: Some(text.len() as u64),
        reader: Box::new(Cursor::new(text.as_bytes().to_vec())),
    };
    let mut keep = |violation: plotline::engine::Violation| {
        if let Err(error) = report.push(&violation) {
            failed.get_or_insert(error);
        }
    };
    stream::run(
        &mut interpreter,
        vec![input],
        limits.max_line_bytes,
        None,
        &mut keep,
    )
    .map_err(|e| PyOSError::new_err(e.to_string()))?;
    let summary = interpreter.finish(false, &mut keep);
    if let Some(error) = failed {
        return Err(PyOSError::new_err(error.to_string()));
    }
    let mut out = Vec::new();
    report
        .write(&mut out, &summary, None)
        .map_err(|e| PyOSError::new_err(e.to_string()))?;
    String::from_utf8(out).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The Python module `plotline`.
#[pymodule]
#[pyo3(name = "plotline")]
fn python_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(validate, module)?)?;
    Ok(())
}
