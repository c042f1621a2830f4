//! Plotline for Python: a `Catalog` (the built-in one, or a directory of lifecycle files)
//! runs JSONL event lines through the one interpreter `plotline validate` runs and gives its
//! JSON report, the same text `plotline validate --format json` writes for them. Nothing is
//! judged here: this crate only hands text to the core and its report back.

use std::io::{BufRead, BufReader, Cursor};
use std::path::Path;

use plotline::compile::{load_catalog, Catalog as Compiled};
use plotline::engine::stream::{self, Input};
use plotline::engine::{Interpreter, Limits, Violation};
use plotline::report::JsonReport;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;

/// A compiled catalog of lifecycles.
#[pyclass(frozen)]
struct Catalog {
    compiled: Compiled,
}

#[pymethods]
impl Catalog {
    /// The catalog built into Plotline.
    #[staticmethod]
    fn builtin() -> PyResult<Catalog> {
        compiled(None)
    }

    /// The catalog of the lifecycle files (`*.yaml`, `*.yml`, `*.plot`) in `path`; a
    /// `ValueError` with every diagnostic when it does not compile.
    #[staticmethod]
    fn from_dir(path: &str) -> PyResult<Catalog> {
        compiled(Some(Path::new(path)))
    }

    /// The names of its lifecycles.
    fn lifecycles(&self) -> Vec<String> {
        (self.compiled.lifecycles.iter())
            .map(|lifecycle| lifecycle.name.clone())
            .collect()
    }

    /// The JSON report of the JSONL event lines `text` (named `name` in it), as
    /// `plotline validate --format json` writes it.
    #[pyo3(signature = (text, name = "-"))]
    fn validate(&self, text: &str, name: &str) -> PyResult<String> {
        let reader = Box::new(Cursor::new(text.as_bytes().to_vec()));
        report(&self.compiled, name, Some(text.len() as u64), reader)
    }

    /// The JSON report of the JSONL file at `path` (read by Plotline, line by line), as
    /// `plotline validate --format json PATH` writes it.
    fn validate_file(&self, path: &str) -> PyResult<String> {
        let file = std::fs::File::open(path)
            .map_err(|e| PyOSError::new_err(format!("cannot open {path}: {e}")))?;
        let size = file.metadata().ok().map(|m| m.len());
        report(&self.compiled, path, size, Box::new(BufReader::new(file)))
    }
}

/// The catalog of `dir` (`None`: the built-in one), as `plotline --catalog` loads it, or a
/// `ValueError` that says every error.
fn compiled(dir: Option<&Path>) -> PyResult<Catalog> {
    let (catalog, diagnostics) = load_catalog(dir, false);
    match catalog {
        Some(compiled) => Ok(Catalog { compiled }),
        None => {
            let errors: Vec<String> = (diagnostics.iter())
                .filter(|d| d.is_error())
                .map(ToString::to_string)
                .collect();
            Err(PyValueError::new_err(format!(
                "the catalog does not compile:\n{}",
                errors.join("\n")
            )))
        }
    }
}

/// Runs one input through an interpreter of `catalog` and writes the JSON report.
fn report(
    catalog: &Compiled,
    name: &str,
    size: Option<u64>,
    reader: Box<dyn BufRead + Send>,
) -> PyResult<String> {
    let limits = Limits::default();
    let mut interpreter = Interpreter::new(catalog, limits);
    let mut report = JsonReport::new().map_err(|e| PyOSError::new_err(e.to_string()))?;
    let mut failed = None;
    let mut keep = |violation: Violation| {
        if let Err(error) = report.push(&violation) {
            failed.get_or_insert(error);
        }
    };
    let input = Input {
        name: name.to_owned(),
        size,
        reader,
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
    module.add_class::<Catalog>()?;
    Ok(())
}
