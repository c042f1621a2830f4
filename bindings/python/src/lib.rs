//! Plotline for Python: a `Catalog` (the built-in one, a directory of lifecycle files, or
//! files given as text) judges event streams with the one interpreter `plotline validate`
//! runs: whole files read by Plotline on several threads, or a `Validator` fed event by event.
//! Answers are the CLI's JSON, as dicts. Nothing is judged here: this crate only hands text
//! to `plotline::embed` and its answers back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use plotline::compile::Catalog as Compiled;
use plotline::diagnostic::Diagnostic;
use plotline::embed::{self, Options, Validator as Judging};
use plotline::engine::stream::Input;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

pyo3::create_exception!(
    plotline,
    PlotlineError,
    PyValueError,
    "An error of Plotline's: a bad option, an unknown lifecycle, a finished validator."
);
pyo3::create_exception!(
    plotline,
    CatalogError,
    PlotlineError,
    "A catalog that does not compile; `diagnostics` lists each error (file, line, column, message, help)."
);

/// A compiled catalog of lifecycles.
#[pyclass(frozen, module = "plotline")]
struct Catalog {
    compiled: Arc<Compiled>,
}

#[pymethods]
impl Catalog {
    /// The catalog built into Plotline.
    #[staticmethod]
    fn builtin(py: Python<'_>) -> PyResult<Catalog> {
        catalog(py, embed::builtin())
    }

    /// The catalog of the lifecycle files (`*.yaml`, `*.yml`, `*.plot`) in `path`.
    #[staticmethod]
    fn from_dir(py: Python<'_>, path: &str) -> PyResult<Catalog> {
        catalog(py, embed::from_dir(Path::new(path)))
    }

    /// The catalog of lifecycle files given as `{name: text}` (`.plot` by the name, else YAML),
    /// in the order of their names.
    #[staticmethod]
    fn from_files(py: Python<'_>, files: BTreeMap<String, String>) -> PyResult<Catalog> {
        catalog(py, embed::from_texts(files.into_iter().collect()))
    }

    /// The names of its lifecycles.
    fn lifecycles(&self) -> Vec<String> {
        (self.compiled.lifecycles.iter())
            .map(|lifecycle| lifecycle.name.clone())
            .collect()
    }

    /// The report of the JSONL file at `path`, read by Plotline on `jobs` threads (default:
    /// every core), as `plotline validate --format json` writes it, as a dict.
    #[pyo3(signature = (path, *, jobs = None, **options))]
    fn validate_file<'py>(
        &self,
        py: Python<'py>,
        path: &str,
        jobs: Option<usize>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = self.validate_file_json(py, path, jobs, options)?;
        loads(py, &text)
    }

    /// [`Catalog::validate_file`]'s report as the exact text the CLI writes.
    #[pyo3(signature = (path, *, jobs = None, **options))]
    fn validate_file_json<'py>(
        &self,
        py: Python<'py>,
        path: &str,
        jobs: Option<usize>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<String> {
        let options = options_of(py, options)?;
        let file =
            File::open(path).map_err(|e| PyOSError::new_err(format!("cannot open {path}: {e}")))?;
        let size = file.metadata().ok().map(|m| m.len());
        let input = Input {
            name: path.to_owned(),
            size,
            reader: Box::new(BufReader::with_capacity(1 << 16, file)),
        };
        let jobs = jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let compiled = Arc::clone(&self.compiled);
        py.detach(move || embed::report_of(&compiled, vec![input], options, jobs.max(1)))
            .map_err(PyOSError::new_err)
    }

    /// The report of the JSONL lines `text` (named `name` in it), as a dict.
    #[pyo3(signature = (text, name = "-", **options))]
    fn validate<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        name: &str,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = self.validate_json(py, text, name, options)?;
        loads(py, &text)
    }

    /// [`Catalog::validate`]'s report as the exact text the CLI writes.
    #[pyo3(signature = (text, name = "-", **options))]
    fn validate_json<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        name: &str,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<String> {
        let options = options_of(py, options)?;
        let mut judging = Judging::new(&self.compiled, options, name);
        judging.push_lines(text.as_bytes()).map_err(error)?;
        judging.finish().map_err(error)?;
        judging.report().map(str::to_owned).map_err(error)
    }

    /// A validator fed event by event; options as `plotline validate` has them
    /// (`reorder_window="10s"`, `quiet_end`, `show_pii`, `allow_incomplete`, `max_line_bytes`).
    #[pyo3(signature = (name = "-", **options))]
    fn validator<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Validator> {
        let options = options_of(py, options)?;
        let owner = Arc::clone(&self.compiled);
        Ok(Validator {
            running: Running::new(owner, |catalog| Judging::new(catalog, options, name)),
            loads: json_function(py, "loads")?,
        })
    }

    /// JSON Schema of a lifecycle version's event records (its latest unless named).
    #[pyo3(signature = (lifecycle, version = None))]
    fn schema<'py>(
        &self,
        py: Python<'py>,
        lifecycle: &str,
        version: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = embed::schema(&self.compiled, lifecycle, version).map_err(error)?;
        loads(py, &text)
    }

    /// TypeScript declarations of a lifecycle version's event records.
    #[pyo3(signature = (lifecycle, version = None))]
    fn types(&self, lifecycle: &str, version: Option<&str>) -> PyResult<String> {
        embed::types(&self.compiled, lifecycle, version).map_err(error)
    }

    /// A lifecycle version's diagram: `mermaid`, `dot`, `svg` or `scxml`.
    #[pyo3(signature = (lifecycle, format = "mermaid", version = None))]
    fn graph(&self, lifecycle: &str, format: &str, version: Option<&str>) -> PyResult<String> {
        embed::graph(&self.compiled, lifecycle, version, format).map_err(error)
    }
}

/// The catalog, or a `CatalogError` carrying every diagnostic.
fn catalog(py: Python<'_>, compiled: Result<Compiled, Vec<Diagnostic>>) -> PyResult<Catalog> {
    let diagnostics = match compiled {
        Ok(compiled) => {
            return Ok(Catalog {
                compiled: Arc::new(compiled),
            })
        }
        Err(diagnostics) => diagnostics,
    };
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    let raised = CatalogError::new_err(format!(
        "the catalog does not compile:\n{}",
        lines.join("\n")
    ));
    let list = loads(py, &embed::diagnostics_json(&diagnostics))?;
    raised.value(py).setattr("diagnostics", list)?;
    Err(raised)
}

/// Keyword options as `embed::Options` reads them.
fn options_of(py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Options> {
    let Some(options) = options else {
        return Ok(Options::default());
    };
    let text: String = json_function(py, "dumps")?
        .bind(py)
        .call1((options,))?
        .extract()?;
    Options::from_json(&text).map_err(PlotlineError::new_err)
}

/// A message of the core as a `PlotlineError`.
fn error(message: String) -> PyErr {
    PlotlineError::new_err(message)
}

/// A function of Python's `json` module.
fn json_function(py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
    Ok(py.import("json")?.getattr(name)?.unbind())
}

/// JSON text as Python values.
fn loads<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    json_function(py, "loads")?.bind(py).call1((text,))
}

self_cell::self_cell!(
    /// A validator with the catalog it borrows.
    struct Running {
        owner: Arc<Compiled>,
        #[not_covariant]
        dependent: Judging,
    }
);

/// A stream being judged, event by event or many lines at once.
#[pyclass(unsendable, module = "plotline")]
struct Validator {
    running: Running,
    /// `json.loads`, looked up once.
    loads: Py<PyAny>,
}

#[pymethods]
impl Validator {
    /// Judges one event (a dict, or one line of JSON): its verdict.
    fn push<'py>(
        &mut self,
        py: Python<'py>,
        event: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let line: Vec<u8> = match event.cast::<PyString>() {
            Ok(text) => text.extract::<String>()?.into_bytes(),
            Err(_) => {
                let mut line = Vec::with_capacity(256);
                write_json(event, &mut line, 0)?;
                line
            }
        };
        let verdict = (self.running)
            .with_dependent_mut(|_, judging| judging.push(&line))
            .map_err(error)?;
        Py::new(py, Verdict { verdict }).map(|made| made.into_bound(py).into_any())
    }

    /// Judges many lines of JSONL (`str`, or `bytes` as they came): `{lines, violations}`.
    fn push_lines<'py>(
        &mut self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let found = match text.cast::<PyBytes>() {
            Ok(bytes) => {
                let bytes = bytes.as_bytes();
                (self.running).with_dependent_mut(|_, judging| judging.push_lines(bytes))
            }
            Err(_) => {
                let text: String = text.extract()?;
                (self.running).with_dependent_mut(|_, judging| judging.push_lines(text.as_bytes()))
            }
        };
        self.answer(py, &found.map_err(error)?)
    }

    /// Ends the stream: `{violations}` found at its end (held lines, incomplete interactions).
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let found = (self.running).with_dependent_mut(|_, judging| judging.finish());
        self.answer(py, &found.map_err(error)?)
    }

    /// The counts so far.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.running.with_dependent(|_, judging| judging.summary());
        self.loads.bind(py).call1((text,))
    }

    /// The report, as `plotline validate --format json` writes it (after `finish`), as a dict.
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = self.report_json()?;
        self.loads.bind(py).call1((text,))
    }

    /// The report's exact text.
    fn report_json(&self) -> PyResult<String> {
        (self.running)
            .with_dependent(|_, judging| judging.report().map(str::to_owned))
            .map_err(error)
    }
}

impl Validator {
    /// An answer of the core as Python values.
    fn answer<'py>(
        &self,
        py: Python<'py>,
        value: &impl serde::Serialize,
    ) -> PyResult<Bound<'py, PyAny>> {
        python(py, value)
    }
}

/// How deep `write_json` follows nested values (the core refuses deeper lines anyway).
const MAX_DEPTH: usize = 128;

/// Writes a Python value as JSON: dicts with string keys, lists and tuples, strings, ints,
/// floats, booleans and `None`. Done here rather than through `json.dumps` or a serde
/// round trip because an event crosses at every `push`: this is the cheapest way across.
fn write_json(value: &Bound<'_, PyAny>, out: &mut Vec<u8>, depth: usize) -> PyResult<()> {
    if depth > MAX_DEPTH {
        return Err(PlotlineError::new_err(
            "the event nests deeper than 128 levels",
        ));
    }
    let quoted = |text: &str, out: &mut Vec<u8>| {
        serde_json::to_writer(out, text).map_err(|e| PlotlineError::new_err(e.to_string()))
    };
    if value.is_none() {
        out.extend_from_slice(b"null");
    } else if let Ok(flag) = value.cast::<PyBool>() {
        out.extend_from_slice(if flag.is_true() { b"true" } else { b"false" });
    } else if let Ok(number) = value.cast::<PyInt>() {
        match number.extract::<i64>() {
            Ok(n) => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
            Err(_) => out.extend_from_slice(number.str()?.extract::<String>()?.as_bytes()),
        }
    } else if let Ok(number) = value.cast::<PyFloat>() {
        let number = serde_json::Number::from_f64(number.value())
            .ok_or_else(|| PlotlineError::new_err("NaN and infinities are not JSON"))?;
        out.extend_from_slice(number.to_string().as_bytes());
    } else if let Ok(text) = value.cast::<PyString>() {
        quoted(&text.extract::<String>()?, out)?;
    } else if let Ok(map) = value.cast::<PyDict>() {
        out.push(b'{');
        for (index, (key, item)) in map.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            let key = key
                .cast::<PyString>()
                .map_err(|_| PlotlineError::new_err("an event's keys must be strings"))?;
            quoted(&key.extract::<String>()?, out)?;
            out.push(b':');
            write_json(&item, out, depth + 1)?;
        }
        out.push(b'}');
    } else if value.cast::<PyList>().is_ok() || value.cast::<PyTuple>().is_ok() {
        out.push(b'[');
        for (index, item) in value.try_iter()?.enumerate() {
            if index > 0 {
                out.push(b',');
            }
            write_json(&item?, out, depth + 1)?;
        }
        out.push(b']');
    } else {
        let kind = value.get_type().name()?;
        return Err(PlotlineError::new_err(format!(
            "not JSON: a value of type {kind} in the event"
        )));
    }
    Ok(())
}

/// The verdict on one event pushed, read by attribute or as a dict (`verdict["step"]`); each
/// part becomes Python values only when read.
#[pyclass(frozen, module = "plotline")]
struct Verdict {
    verdict: embed::Verdict,
}

#[pymethods]
impl Verdict {
    /// Its line number in the stream pushed so far.
    #[getter]
    fn line(&self) -> u64 {
        self.verdict.line
    }

    /// Whether the reorder window holds it back.
    #[getter]
    fn held(&self) -> bool {
        self.verdict.held
    }

    /// What became of it, when it was judged now and reached an interaction.
    #[getter]
    fn step<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        python(py, &self.verdict.step_view())
    }

    /// Every violation found while it was taken in.
    #[getter]
    fn violations<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        python(py, &self.verdict.violations)
    }

    /// Events held before and judged now.
    #[getter]
    fn released<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        python(py, &self.verdict.released_view())
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match key {
            "line" => python(py, &self.verdict.line),
            "held" => python(py, &self.verdict.held),
            "step" => self.step(py),
            "violations" => self.violations(py),
            "released" => self.released(py),
            _ => Err(pyo3::exceptions::PyKeyError::new_err(key.to_owned())),
        }
    }

    /// The whole verdict as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        python(py, &self.verdict)
    }

    fn __repr__(&self) -> String {
        format!(
            "Verdict(line={}, held={}, state={:?}, violations={})",
            self.verdict.line,
            self.verdict.held,
            self.verdict.step.as_ref().map(|step| step.state.as_str()),
            self.verdict.violations.len()
        )
    }
}

/// A value of the core as Python values.
fn python<'py>(py: Python<'py>, value: &impl serde::Serialize) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The Python module `plotline._plotline` (re-exported by the package `plotline`).
#[pymodule]
#[pyo3(name = "_plotline")]
fn python_module(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    module.add_class::<Catalog>()?;
    module.add_class::<Validator>()?;
    module.add_class::<Verdict>()?;
    module.add("PlotlineError", py.get_type::<PlotlineError>())?;
    module.add("CatalogError", py.get_type::<CatalogError>())?;
    Ok(())
}
