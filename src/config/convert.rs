//! Between the two surfaces of one model: YAML to `.plot`, `.plot` to YAML, and `.plot` in its
//! canonical layout (`plotline convert`, `plotline fmt`). A file is checked to load before it
//! is converted; comments on the lines just above a declaration go with it to `.plot`.

use std::collections::HashSet;
use std::sync::Arc;

use serde_yaml::Value;

use super::load::{is_plot, parse, parse_plot_value};
use super::plot;
use super::source_map::{Location, SourceMap};
use crate::diagnostic::{Diagnostic, SourceText};

/// The `.plot` text of a lifecycle file (YAML or `.plot`: then its canonical layout).
pub fn to_plot(source: SourceText) -> Result<String, Diagnostic> {
    let (value, map, text) = read(source)?;
    let mut used = HashSet::new();
    Ok(plot::write(&value, &mut |path| {
        comments_above(&text, &map, path, &mut used)
    }))
}

/// The YAML text of a lifecycle file (a `.plot` one, or YAML as the model reads it), with
/// the comment lines above each declaration above it again.
pub fn to_yaml(source: SourceText) -> Result<String, Diagnostic> {
    let (value, map, text) = read(source)?;
    let yaml =
        serde_yaml::to_string(&value).map_err(|error| Diagnostic::general(error.to_string()))?;
    let yaml = without_nulls(yaml, &value);
    // Where each declaration stands in the YAML written, by its path.
    let written = SourceMap::build(&yaml);
    let mut used = HashSet::new();
    let mut above: Vec<(usize, Vec<String>)> = Vec::new();
    let mut paths: Vec<(&String, Location)> =
        map.places().map(|(p, place)| (p, place.value)).collect();
    paths.sort_by_key(|(path, location)| (location.offset, path.len()));
    for (path, _) in paths {
        let comments = comments_above(&text, &map, path, &mut used);
        if let (false, Some(at)) = (comments.is_empty(), written.get(path)) {
            above.push((at.line, comments));
        }
    }
    Ok(insert_above(&yaml, above))
}

/// `yaml` with comment lines (`# ...`) inserted above the given lines (1-based), each
/// indented as the line it stands above.
pub fn insert_above(yaml: &str, mut above: Vec<(usize, Vec<String>)>) -> String {
    let mut lines: Vec<String> = yaml.lines().map(str::to_owned).collect();
    above.sort_by_key(|(line, _)| std::cmp::Reverse(*line));
    for (line, comments) in above {
        let at = line.saturating_sub(1).min(lines.len());
        let indent: String = lines
            .get(at)
            .map(|l| l.chars().take_while(|c| *c == ' ').collect())
            .unwrap_or_default();
        for comment in comments.into_iter().rev() {
            lines.insert(at, format!("{indent}{comment}"));
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// `yaml` with `key:` for `key: null`, as people write a declaration with nothing to say
/// (`waiting:`), when it reads back as the same `value` (else as it was).
fn without_nulls(yaml: String, value: &Value) -> String {
    let lines: Vec<&str> = (yaml.lines())
        .map(|line| {
            line.strip_suffix(" null")
                .filter(|l| l.ends_with(':'))
                .unwrap_or(line)
        })
        .collect();
    let mut bare = lines.join("\n");
    bare.push('\n');
    match serde_yaml::from_str::<Value>(&bare) {
        Ok(read) if read == *value => bare,
        _ => yaml,
    }
}

/// The file's YAML value (aliases expanded), its places and its text, once it is known to load.
fn read(source: SourceText) -> Result<(Value, SourceMap, Arc<str>), Diagnostic> {
    let text: Arc<str> = Arc::from(source.text.as_str());
    if is_plot(&source.name) {
        let (loaded, value) = parse_plot_value(Arc::new(source))?;
        return Ok((value, loaded.map, text));
    }
    let loaded = parse(source)?;
    let value: Value = serde_yaml::from_str(&text).map_err(|error| {
        Diagnostic::error(&loaded.source, Default::default(), error.to_string())
    })?;
    let value = expand_merge_keys(value);
    Ok((value, loaded.map, text))
}

/// YAML's `<<` merge keys applied, as the model reads them.
fn expand_merge_keys(mut value: Value) -> Value {
    let _ = value.apply_merge();
    value
}

/// The comment lines just above the line of the declaration at `path` (once per line: a line
/// declaring several things gives its comments to the first).
fn comments_above(
    text: &str,
    map: &SourceMap,
    path: &str,
    used: &mut HashSet<usize>,
) -> Vec<String> {
    let Some(location) = map.get(path) else {
        return Vec::new();
    };
    if !used.insert(location.line) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut block = Vec::new();
    let mut at = location.line.saturating_sub(1);
    let line_at = |at: usize| lines.get(at.wrapping_sub(1)).map_or("", |line| line.trim());
    // A comment block one blank line above goes with the declaration too (nothing else could
    // take it: it would be lost).
    if at > 1 && line_at(at).is_empty() && line_at(at - 1).starts_with('#') {
        at -= 1;
    }
    while at > 0 {
        let line = line_at(at);
        if !line.starts_with('#') {
            break;
        }
        // An editor directive for YAML files says nothing in another language.
        if !line.contains("yaml-language-server:") {
            block.push(line.to_owned());
        }
        at -= 1;
    }
    block.reverse();
    block
}
