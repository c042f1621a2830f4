//! Plotline for JavaScript: the core compiled to WebAssembly. Every answer is JSON text that
//! the npm package's `index.js` turns into objects and errors; nothing is judged here, this
//! crate only hands text to `plotline::embed` and its answers back.

use std::sync::Arc;

use plotline::compile::Catalog as Compiled;
use plotline::embed::{self, Options, Validator as Judging};
use wasm_bindgen::prelude::*;

/// A compiled catalog of lifecycles.
#[wasm_bindgen]
pub struct Catalog {
    compiled: Arc<Compiled>,
}

/// A catalog's error: the diagnostics as a JSON array (`index.js` throws them).
fn diagnostics(found: &[plotline::diagnostic::Diagnostic]) -> JsValue {
    JsValue::from_str(&embed::diagnostics_json(found))
}

#[wasm_bindgen]
impl Catalog {
    /// The catalog built into Plotline.
    pub fn builtin() -> Result<Catalog, JsValue> {
        let compiled = embed::builtin().map_err(|found| diagnostics(&found))?;
        Ok(Catalog {
            compiled: Arc::new(compiled),
        })
    }

    /// The catalog of lifecycle files, `names[i]` holding `texts[i]`.
    #[wasm_bindgen(js_name = fromFiles)]
    pub fn from_files(names: Vec<String>, texts: Vec<String>) -> Result<Catalog, JsValue> {
        let files = names.into_iter().zip(texts).collect();
        let compiled = embed::from_texts(files).map_err(|found| diagnostics(&found))?;
        Ok(Catalog {
            compiled: Arc::new(compiled),
        })
    }

    /// Its lifecycles and their versions, as JSON.
    pub fn lifecycles(&self) -> String {
        embed::lifecycles(&self.compiled)
    }

    /// JSON Schema of a lifecycle version's event records.
    pub fn schema(&self, lifecycle: &str, version: Option<String>) -> Result<String, JsValue> {
        embed::schema(&self.compiled, lifecycle, version.as_deref()).map_err(JsValue::from)
    }

    /// TypeScript declarations of a lifecycle version's event records.
    pub fn types(&self, lifecycle: &str, version: Option<String>) -> Result<String, JsValue> {
        embed::types(&self.compiled, lifecycle, version.as_deref()).map_err(JsValue::from)
    }

    /// A lifecycle version's diagram: `mermaid`, `dot`, `svg` or `scxml`.
    pub fn graph(
        &self,
        lifecycle: &str,
        format: &str,
        version: Option<String>,
    ) -> Result<String, JsValue> {
        embed::graph(&self.compiled, lifecycle, version.as_deref(), format).map_err(JsValue::from)
    }

    /// A validator judging as the options (a JSON object) say; violations name the input
    /// `name`.
    pub fn validator(&self, options: &str, name: &str) -> Result<Validator, JsValue> {
        let options = Options::from_json(options).map_err(JsValue::from)?;
        let owner = Arc::clone(&self.compiled);
        Ok(Validator {
            running: Running::new(owner, |catalog| Judging::new(catalog, options, name)),
        })
    }
}

self_cell::self_cell!(
    /// A validator with the catalog it borrows.
    struct Running {
        owner: Arc<Compiled>,
        #[not_covariant]
        dependent: Judging,
    }
);

/// A stream being judged, fed line by line or many lines at once.
#[wasm_bindgen]
pub struct Validator {
    running: Running,
}

#[wasm_bindgen]
impl Validator {
    /// Judges one line: its verdict as JSON.
    pub fn push(&mut self, line: &str) -> Result<String, JsValue> {
        let verdict = self
            .running
            .with_dependent_mut(|_, judging| judging.push(line.as_bytes()))?;
        json(&verdict)
    }

    /// Judges many lines: how many, and the violations found, as JSON.
    #[wasm_bindgen(js_name = pushLines)]
    pub fn push_lines(&mut self, text: &str) -> Result<String, JsValue> {
        self.push_bytes(text.as_bytes())
    }

    /// [`Validator::push_lines`] for bytes as they came (any bytes: a line that is no UTF-8
    /// is judged as the CLI judges it).
    #[wasm_bindgen(js_name = pushBytes)]
    pub fn push_bytes(&mut self, bytes: &[u8]) -> Result<String, JsValue> {
        let found = (self.running).with_dependent_mut(|_, judging| judging.push_lines(bytes))?;
        json(&found)
    }

    /// Ends the stream: the violations found at its end, as JSON.
    pub fn finish(&mut self) -> Result<String, JsValue> {
        let found = (self.running).with_dependent_mut(|_, judging| judging.finish())?;
        json(&found)
    }

    /// The counts so far, as JSON.
    pub fn summary(&self) -> String {
        self.running.with_dependent(|_, judging| judging.summary())
    }

    /// The JSON report, as `plotline validate --format json` writes it.
    pub fn report(&self) -> Result<String, JsValue> {
        (self.running)
            .with_dependent(|_, judging| judging.report().map(str::to_owned))
            .map_err(JsValue::from)
    }
}

/// A value as JSON text.
fn json(value: &impl serde::Serialize) -> Result<String, JsValue> {
    serde_json::to_string(value).map_err(|e| JsValue::from(e.to_string()))
}
