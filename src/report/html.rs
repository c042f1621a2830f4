//! The HTML report (`validate --format html`, and the live page of `serve`): one
//! self-contained page built from aggregates only (the summary, a few examples per
//! violation kind, the counts of [`Coverage::pictures`]), so its size does not grow with the
//! stream. Styles and the small script are inline; without the script everything but the
//! example filter still reads.
//!
//! [`Coverage::pictures`]: crate::engine::coverage::Coverage::pictures

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::compile::Catalog;
use crate::engine::coverage::{CoverageReport, PathPicture, VersionPicture};
use crate::engine::histogram::{Histogram, BOUNDS};
use crate::engine::{Summary, Violation};
use crate::export::diagram::svg::{svg, thousands, Overlay};
use crate::export::diagram::{duration, Diagram, Trigger};

use super::plural;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Examples of each violation kind shown by default.
pub const EXAMPLES_PER_KIND: usize = 20;

/// Paths shown per lifecycle version.
pub const TOP_PATHS: usize = 10;

/// The first few violations of each kind, as they come.
#[derive(Debug, Clone)]
pub struct Examples {
    per_kind: usize,
    kinds: BTreeMap<&'static str, Vec<Violation>>,
}

impl Examples {
    /// Keeps up to `per_kind` violations of each kind.
    pub fn new(per_kind: usize) -> Examples {
        Examples {
            per_kind,
            kinds: BTreeMap::new(),
        }
    }

    /// Keeps `violation` if its kind has room.
    pub fn push(&mut self, violation: &Violation) {
        let kept = self.kinds.entry(violation.kind.name()).or_default();
        if kept.len() < self.per_kind {
            kept.push(violation.clone());
        }
    }
}

/// One open or finished interaction on the live page.
#[derive(Debug, Clone)]
pub struct InteractionRow {
    /// Its lifecycle.
    pub lifecycle: String,
    /// Its id.
    pub interaction: String,
    /// Its state now.
    pub state: String,
    /// Its latest event.
    pub last_event: String,
    /// Events it had.
    pub events: u64,
    /// Violations found on it.
    pub violations: u64,
}

/// A line of the live page that reached no interaction (malformed, a bad envelope, an
/// unknown lifecycle) and what was wrong with it.
#[derive(Debug, Clone)]
pub struct UnattachedLine {
    /// Its number among the lines posted.
    pub line: u64,
    /// Its violations' kinds and messages.
    pub problems: Vec<(String, String)>,
}

/// What the live page shows beyond the report.
#[derive(Debug, Clone, Default)]
pub struct Live {
    /// The most recently active interactions, most recent first.
    pub rows: Vec<InteractionRow>,
    /// The most recent lines that reached no interaction, most recent first.
    pub unattached: Vec<UnattachedLine>,
}

/// What the page shows.
pub struct Page<'a> {
    /// The inputs, named in the header.
    pub inputs: &'a [String],
    /// The counts.
    pub summary: &'a Summary,
    /// Examples per violation kind.
    pub examples: &'a Examples,
    /// The coverage over every version the stream used.
    pub coverage: &'a CoverageReport,
    /// Per lifecycle version the stream used.
    pub pictures: &'a [VersionPicture],
    /// The catalog the stream was judged by.
    pub catalog: &'a Catalog,
    /// For the live page: the interactions (most recent first), shown above the rest, and
    /// the page follows the collector.
    pub live: Option<&'a Live>,
}

/// A page of the report's look: `title` over `body` (HTML).
pub fn document(title: &str, body: &str) -> String {
    let title = text(title);
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n</header>\n<main>\n{body}</main>\n</body>\n</html>\n"
    )
}

/// The whole page.
pub fn page(page: &Page<'_>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let title = match page.live {
        Some(_) => "Plotline live collector",
        None => "Plotline report",
    };
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n"
    );
    let inputs: Vec<String> = page.inputs.iter().map(|i| text(i)).collect();
    match page.live {
        Some(_) => out.push_str(
            "<p class=\"inputs\"><span class=\"live\" id=\"live-status\">live</span>: events posted to this collector</p>\n",
        ),
        None => {
            let _ = writeln!(out, "<p class=\"inputs\">{}</p>", inputs.join(", "));
        }
    }
    out.push_str("</header>\n<main id=\"report\">\n");
    out.push_str(&main(page));
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<footer><p>plotline {}</p></footer>\n<script>\n{SCRIPT}</script>\n",
        env!("CARGO_PKG_VERSION")
    );
    if page.live.is_some() {
        out.push_str(LIVE_SCRIPT);
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// What follows the page as events arrive: on each change the collector announces (server-
/// sent events), the page's `main` is fetched again and swapped in, the filter kept.
const LIVE_SCRIPT: &str = r#"<script>
(function () {
  var status = document.getElementById('live-status');
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch('/report.html' + location.search, {cache: 'no-store'}).then(function (r) { return r.text(); }).then(function (html) {
      var next = new DOMParser().parseFromString(html, 'text/html').getElementById('report');
      var box = document.getElementById('filter'), kept = box ? box.value : '';
      document.getElementById('report').replaceWith(next);
      window.plotlineBind();
      var fresh = document.getElementById('filter');
      if (fresh && kept) { fresh.value = kept; fresh.dispatchEvent(new Event('input')); }
    }).catch(function () { status.textContent = 'disconnected'; }).finally(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  var source = new EventSource('/updates' + location.search);
  source.onmessage = refresh;
  source.onopen = function () { status.textContent = 'live'; };
  source.onerror = function () { status.textContent = 'reconnecting'; };
})();
</script>
"#;

/// The page's `main`: everything that changes with the stream.
pub fn main(page: &Page<'_>) -> String {
    let mut out = String::new();
    out.push_str(&summary(page.summary));
    out.push_str(&violations(page.summary, page.examples));
    if let Some(live) = page.live {
        out.push_str(&interactions(&live.rows, page.summary.interactions));
        out.push_str(&unattached(&live.unattached));
    }
    if page.pictures.is_empty() {
        out.push_str(
            "<section><p class=\"note\">No interaction of a known lifecycle yet.</p></section>\n",
        );
    } else {
        let _ = writeln!(
            out,
            "<section id=\"coverage-total\"><h2>Coverage</h2><p><span class=\"n\" data-taken=\"{}\">{}</span> of {} declared transitions taken ({}%) over the lifecycle versions in the stream.</p></section>",
            page.coverage.transitions_taken,
            thousands(page.coverage.transitions_taken),
            thousands(page.coverage.transitions_declared),
            page.coverage.percent
        );
    }
    for picture in page.pictures {
        out.push_str(&version_section(page.catalog, picture));
    }
    out
}

/// `s` escaped for HTML text and attribute values.
fn text(s: &str) -> String {
    escape(s).into_owned()
}

/// A bar `part / whole` of 160 px.
fn bar(part: u64, whole: u64, class: &str) -> String {
    let width = match whole {
        0 => 0.0,
        _ => 160.0 * part as f64 / whole as f64,
    };
    format!("<span class=\"bar {class}\" style=\"width:{width:.1}px\"></span>")
}

fn summary(summary: &Summary) -> String {
    let cards = [
        ("lines", summary.lines, ""),
        ("events", summary.events, ""),
        ("interactions", summary.interactions, ""),
        ("valid interactions", summary.valid_interactions, "good"),
        ("violations", summary.violations, "bad"),
        ("malformed lines", summary.malformed, "bad"),
        ("blank lines", summary.blank, ""),
        ("duplicate deliveries", summary.duplicates, ""),
        ("not checked (unknown values)", summary.not_checked, ""),
    ];
    let mut out = String::from("<section id=\"summary\"><h2>Summary</h2><dl class=\"cards\">");
    for (name, count, class) in cards {
        let _ = write!(
            out,
            "<div class=\"{class}\" data-name=\"{name}\" data-count=\"{count}\"><dt>{name}</dt><dd>{}</dd></div>",
            thousands(count)
        );
    }
    out.push_str("</dl></section>\n");
    out
}

fn interactions(rows: &[InteractionRow], total: u64) -> String {
    let listed = match rows.len() as u64 {
        n if n < total => format!(
            "The {} most recently active of {}.",
            thousands(n),
            plural(total, "interaction")
        ),
        _ => format!(
            "{}, most recently active first.",
            plural(total, "interaction")
        ),
    };
    let mut out =
        format!("<section id=\"interactions\"><h2>Interactions</h2><p class=\"note\">{listed}</p>");
    out.push_str("<table><thead><tr><th>interaction</th><th>lifecycle</th><th>state</th><th>last event</th><th class=\"n\">events</th><th class=\"n\">violations</th></tr></thead><tbody>");
    for row in rows {
        let (class, row_class, mark) = match row.violations {
            0 => ("", "", ""),
            _ => (
                " class=\"warn\"",
                " class=\"violated\"",
                "<span class=\"mark\" title=\"has violations\">!</span> ",
            ),
        };
        let _ = write!(
            out,
            "<tr{row_class} data-interaction=\"{}\" data-state=\"{}\"><td>{mark}<a href=\"/interactions/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\"{class}>{}</td></tr>",
            text(&row.interaction),
            text(&row.state),
            text(&percent_encode(&row.interaction)),
            text(&row.interaction),
            text(&row.lifecycle),
            text(&row.state),
            text(&row.last_event),
            row.events,
            row.violations
        );
    }
    out.push_str("</tbody></table></section>\n");
    out
}

/// The lines that reached no interaction, in their own list.
fn unattached(lines: &[UnattachedLine]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "<section id=\"unattached\"><h2>Lines without an interaction</h2><p class=\"note\">Malformed lines, bad envelopes and unknown lifecycles, most recent first.</p><table><thead><tr><th class=\"n\">line</th><th>kind</th><th>message</th></tr></thead><tbody>",
    );
    for line in lines {
        for (kind, message) in &line.problems {
            let _ = write!(
                out,
                "<tr data-line=\"{}\"><td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
                line.line,
                line.line,
                text(kind),
                text(message)
            );
        }
    }
    out.push_str("</tbody></table></section>\n");
    out
}

/// An interaction id as one URL path segment.
fn percent_encode(id: &str) -> String {
    let mut out = String::new();
    for byte in id.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

fn violations(summary: &Summary, examples: &Examples) -> String {
    let mut out = String::from("<section id=\"violations\"><h2>Violations by kind</h2>");
    if summary.by_kind.is_empty() {
        out.push_str("<p class=\"ok\">No violation.</p></section>\n");
        return out;
    }
    out.push_str("<div class=\"filter\"><input id=\"filter\" type=\"search\" placeholder=\"Filter examples: file, interaction, message\" aria-label=\"filter examples\"><select id=\"filter-kind\" aria-label=\"kind\"><option value=\"\">every kind</option>");
    for kind in summary.by_kind.keys() {
        let _ = write!(out, "<option>{kind}</option>");
    }
    out.push_str("</select></div>");
    let most = summary.by_kind.values().copied().max().unwrap_or(0);
    for (kind, &count) in &summary.by_kind {
        let kept = examples.kinds.get(kind).map_or(&[][..], Vec::as_slice);
        let _ = write!(
            out,
            "<details data-kind=\"{kind}\" data-count=\"{count}\"><summary><span class=\"kind\">{kind}</span><span class=\"count\">{}</span> {}</summary>",
            thousands(count),
            bar(count, most, "bad")
        );
        out.push_str("<table class=\"examples\"><thead><tr><th>where</th><th>interaction</th><th>event</th><th>message</th></tr></thead><tbody>");
        for violation in kept {
            let interaction = match (&violation.interaction, &violation.lifecycle) {
                (Some(id), Some(lifecycle)) => format!("{} ({})", text(id), text(lifecycle)),
                (Some(id), None) => text(id),
                (None, Some(lifecycle)) => text(lifecycle),
                (None, None) => String::new(),
            };
            let mut message = text(&violation.message);
            if !violation.expected.is_empty() {
                let _ = write!(
                    message,
                    "; expected one of: {}",
                    text(&violation.expected.join(", "))
                );
            }
            let _ = write!(
                out,
                "<tr><td class=\"where\">{}:{}</td><td>{interaction}</td><td>{}</td><td>{message}</td></tr>",
                text(&violation.file),
                violation.line,
                text(violation.event.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</tbody></table>");
        if (kept.len() as u64) < count {
            let _ = write!(
                out,
                "<p class=\"note\">The first {} of {}.</p>",
                kept.len(),
                thousands(count)
            );
        }
        out.push_str("</details>");
    }
    out.push_str("</section>\n");
    out
}

/// The section of one lifecycle version: funnel, diagram, paths, durations, coverage.
fn version_section(catalog: &Catalog, picture: &VersionPicture) -> String {
    let Some(lifecycle) = catalog.lifecycles.get(picture.lifecycle_id) else {
        return String::new();
    };
    let Some(version) = lifecycle.versions.get(picture.version_index) else {
        return String::new();
    };
    let coverage = &picture.coverage;
    let mut out = format!(
        "<section class=\"version\" data-lifecycle=\"{}\" data-version=\"{}\"><h2>{} <span class=\"note\">version {}</span></h2>",
        text(&coverage.lifecycle),
        text(&coverage.version),
        text(&coverage.lifecycle),
        text(&coverage.version)
    );
    out.push_str(&funnel(picture, usize::from(version.initial)));
    let diagram = Diagram::of(&lifecycle.name, version);
    let _ = write!(
        out,
        "<h3>State diagram</h3><p class=\"note\">Each transition with how often it was taken; dashed: never taken; dotted: a timeout or deadline; a dashed box: a state where interactions may end; a red mark: violations found in that state. A state counts every interaction that reached it, also by resync (after an illegal event an interaction moves to that event's target, which no edge counts).</p><div class=\"diagram-box\">{}</div>",
        svg(&diagram, &overlay(&diagram, picture))
    );
    out.push_str(&paths(picture));
    out.push_str(&other_paths(picture));
    for (field, histogram) in &picture.durations {
        out.push_str(&durations(field, histogram));
    }
    out.push_str(&coverage_tables(coverage));
    out.push_str("</section>\n");
    out
}

/// The main path: from the initial state, the most taken transition to a state not on the
/// path yet and reached by no more interactions than the state before (so that the funnel
/// never climbs), until there is none.
fn main_path(picture: &VersionPicture, initial: usize) -> Vec<usize> {
    let names: Vec<&str> = picture
        .coverage
        .states
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    let index = |name: &str| names.iter().position(|n| *n == name);
    let reached = |state: usize| picture.reached.get(state).copied().unwrap_or(0);
    let mut path = vec![initial];
    while let Some(&here) = path.last() {
        let next = (picture.coverage.transitions.iter())
            .filter(|t| t.taken > 0 && index(&t.from) == Some(here))
            .filter_map(|t| Some((index(&t.to)?, t.taken)))
            .filter(|(to, _)| !path.contains(to))
            .filter(|(to, _)| reached(*to) <= reached(here))
            .fold(BTreeMap::<usize, u64>::new(), |mut sums, (to, n)| {
                *sums.entry(to).or_default() += n;
                sums
            })
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)));
        match next {
            Some((to, _)) => path.push(to),
            None => break,
        }
    }
    path
}

fn funnel(picture: &VersionPicture, initial: usize) -> String {
    let path = main_path(picture, initial);
    let start = picture.reached.get(initial).copied().unwrap_or(0);
    let mut out = String::from(
        "<h3>Funnel</h3><p class=\"note\">Interactions that reached each state of the main path (its most taken transitions, as long as each state was reached by no more interactions than the one before), and how many stopped there.</p><table class=\"funnel\"><thead><tr><th>state</th><th class=\"n\">reached</th><th></th><th class=\"n\">of all</th><th class=\"n\">stopped here</th></tr></thead><tbody>",
    );
    for state in path {
        let name = (picture.coverage.states.get(state)).map_or("", |s| s.name.as_str());
        let reached = picture.reached.get(state).copied().unwrap_or(0);
        let stopped = picture.ended_in.get(state).copied().unwrap_or(0);
        let _ = write!(
            out,
            "<tr data-state=\"{}\" data-reached=\"{reached}\" data-stopped=\"{stopped}\"><td>{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}%</td><td class=\"n\">{}</td></tr>",
            text(name),
            text(name),
            thousands(reached),
            bar(reached, start, ""),
            crate::engine::coverage::percent(reached, start),
            thousands(stopped)
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// Counts drawn over the diagram: interactions per state, taken per edge, violations.
fn overlay(diagram: &Diagram, picture: &VersionPicture) -> Overlay {
    let coverage = &picture.coverage;
    let notes = (0..diagram.nodes.len())
        .map(|i| {
            let reached = picture.reached.get(i).copied().unwrap_or(0);
            match i == diagram.initial {
                true => format!("{} began", thousands(reached)),
                false => format!("{} reached", thousands(reached)),
            }
        })
        .collect();
    let taken = (diagram.edges.iter())
        .map(|edge| {
            let from = diagram.nodes[edge.from].name.as_str();
            let to = diagram.nodes[edge.to].name.as_str();
            Some(match &edge.trigger {
                Trigger::Events { events, .. } => (coverage.transitions.iter())
                    .filter(|t| t.from == from && t.to == to && events.contains(&t.event))
                    .map(|t| t.taken)
                    .sum(),
                Trigger::Timeout(..) => (coverage.timeouts.iter())
                    .filter(|t| t.name == from)
                    .map(|t| t.count)
                    .sum(),
                // Deadlines are not counted per state.
                Trigger::Deadline(..) => 0,
            })
        })
        .collect();
    Overlay {
        notes,
        violations: picture.violations.clone(),
        taken,
    }
}

fn paths(picture: &VersionPicture) -> String {
    let about = format!(
        "The events of interactions that ended well (in a final or <code>may_end</code> state, without a violation); {} distinct paths in all.",
        thousands(picture.distinct_paths as u64)
    );
    path_table(
        "Paths of finished, valid interactions",
        &about,
        &picture.paths,
    )
}

fn other_paths(picture: &VersionPicture) -> String {
    let about = "The events of interactions that did not end well: unfinished (cut by the stream's end), or with violations.";
    path_table("Other paths", about, &picture.other_paths)
}

/// Paths shown in full up to this many events; longer ones are cut, whole in their tooltip.
const PATH_EVENTS_SHOWN: usize = 8;

/// A table of paths, each with its count and a bar (of the most taken).
fn path_table(title: &str, about: &str, paths: &[PathPicture]) -> String {
    if paths.is_empty() {
        return String::new();
    }
    let most = paths.iter().map(|p| p.count).max().unwrap_or(0);
    let mut out = format!(
        "<h3>{title}</h3><p class=\"note\">{about}</p><table class=\"paths\"><thead><tr><th>path</th><th class=\"n\">interactions</th><th></th></tr></thead><tbody>"
    );
    for path in paths {
        let hidden = (path.length as usize).saturating_sub(path.events.len());
        let mut whole = path.events.join(" → ");
        if hidden > 0 {
            let _ = write!(whole, " → … ({hidden} more)");
        }
        let shown = match path.events.len() > PATH_EVENTS_SHOWN {
            true => format!(
                "{} → … ({} more)",
                path.events[..PATH_EVENTS_SHOWN].join(" → "),
                path.length as usize - PATH_EVENTS_SHOWN
            ),
            false => whole.clone(),
        };
        if path.length == 0 {
            whole = "(no event)".to_owned();
        }
        let shown = if path.length == 0 {
            whole.clone()
        } else {
            shown
        };
        let _ = write!(
            out,
            "<tr data-count=\"{}\"><td class=\"path\" title=\"{}\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            path.count,
            text(&whole),
            text(&shown),
            thousands(path.count),
            bar(path.count, most, "")
        );
    }
    out.push_str("</tbody></table>");
    out
}

/// The bucket `index` of [`BOUNDS`] in words.
fn bucket_label(index: usize) -> String {
    match (index.checked_sub(1).map(|i| BOUNDS[i]), BOUNDS.get(index)) {
        (None, _) => "negative".to_owned(),
        (Some(low), Some(&high)) => format!("{} – {}", duration(low), duration(high)),
        (Some(low), None) => format!("{} or more", duration(low)),
    }
}

/// A duration for people, to one decimal of its unit: `850 ms`, `13.4 s`, `2.5 min`, `1.2 h`.
fn about(ms: i64) -> String {
    let size = ms.unsigned_abs();
    match size {
        0..1000 => format!("{ms} ms"),
        1000..60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        60_000..3_600_000 => format!("{:.1} min", ms as f64 / 60_000.0),
        _ => format!("{:.1} h", ms as f64 / 3_600_000.0),
    }
}

/// Two different durations as [`about`] writes them, in a finer unit when it would write
/// them alike (`60.0 s` and `62.0 s`, not `1.0 min` twice).
fn apart(a: i64, b: i64) -> (String, String) {
    let (x, y) = (about(a), about(b));
    let size = a.unsigned_abs().max(b.unsigned_abs());
    if x != y || size < 1000 {
        return (x, y);
    }
    let finer = |ms: i64| match size {
        0..60_000 => format!("{ms} ms"),
        60_000..3_600_000 => format!("{:.1} s", ms as f64 / 1000.0),
        _ => format!("{:.1} min", ms as f64 / 60_000.0),
    };
    (finer(a), finer(b))
}

fn durations(field: &str, histogram: &Histogram) -> String {
    let first = histogram.buckets.iter().position(|&n| n > 0).unwrap_or(0);
    let last = histogram.buckets.iter().rposition(|&n| n > 0).unwrap_or(0);
    let most = histogram.buckets.iter().copied().max().unwrap_or(0);
    let mean = match histogram.count {
        0 => 0,
        n => histogram.total / i64::try_from(n).unwrap_or(i64::MAX),
    };
    // A bucket's bound may lie past the largest value: then the largest value says more.
    let median = match histogram.quantile_bound(0.5) {
        Some(bound) if bound > histogram.max => format!(", half at most {}", about(histogram.max)),
        Some(bound) => format!(", half under {}", duration(bound)),
        None => String::new(),
    };
    let spread = match histogram.min == histogram.max {
        true => format!("all {}", about(histogram.min)),
        false => {
            let (min, max) = apart(histogram.min, histogram.max);
            format!("from {min} to {max}, mean {}{median}", about(mean))
        }
    };
    let mut out = format!(
        "<h3>Durations: {}</h3><p class=\"note\">{} finished with a value: {spread}.</p><table class=\"histogram\" data-field=\"{}\" data-count=\"{}\"><tbody>",
        text(field),
        plural(histogram.count, "interaction"),
        text(field),
        histogram.count
    );
    for index in first..=last {
        let n = histogram.buckets[index];
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            bucket_label(index),
            thousands(n),
            bar(n, most, "")
        );
    }
    out.push_str("</tbody></table>");
    out
}

fn coverage_tables(coverage: &crate::engine::coverage::VersionCoverage) -> String {
    let mut out = format!(
        "<h3>Coverage</h3><p data-taken=\"{}\" data-declared=\"{}\">{} of {} transitions taken ({}%); {} of {} states reached; {} of {} events seen.</p>",
        coverage.transitions_taken,
        coverage.transitions_declared,
        coverage.transitions_taken,
        coverage.transitions_declared,
        coverage.percent,
        coverage.states.iter().filter(|s| s.count > 0).count(),
        coverage.states.len(),
        coverage.events.iter().filter(|e| e.count > 0).count(),
        coverage.events.len(),
    );
    let never: Vec<String> = (coverage.transitions.iter())
        .filter(|t| t.taken == 0)
        .map(|t| text(&format!("{} -{}-> {}", t.from, t.event, t.to)))
        .collect();
    if !never.is_empty() {
        let _ = write!(
            out,
            "<p class=\"never\">Never taken: <span class=\"path\">{}</span></p>",
            never.join(", ")
        );
    }
    if !coverage.scenarios.is_empty() {
        out.push_str("<table class=\"scenarios\"><thead><tr><th>documented scenario</th><th class=\"n\">interactions that took its path</th></tr></thead><tbody>");
        for scenario in &coverage.scenarios {
            let class = if scenario.interactions == 0 {
                " class=\"never\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr{class}><td>{}</td><td class=\"n\">{}</td></tr>",
                text(&scenario.name),
                thousands(scenario.interactions)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !coverage.guards.is_empty() {
        out.push_str("<table class=\"guards\"><thead><tr><th>guard</th><th>on</th><th class=\"n\">held</th><th class=\"n\">did not</th></tr></thead><tbody>");
        for guard in &coverage.guards {
            let _ = write!(
                out,
                "<tr><td class=\"path\">{}</td><td>{} in {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                text(&guard.guard),
                text(&guard.event),
                text(&guard.state),
                thousands(guard.held),
                thousands(guard.did_not_hold)
            );
        }
        out.push_str("</tbody></table>");
    }
    if !coverage.timeouts.is_empty() {
        let fired: Vec<String> = (coverage.timeouts.iter())
            .map(|t| format!("{} ({})", text(&t.name), plural(t.count, "time")))
            .collect();
        let _ = write!(out, "<p>Timeouts fired: {}.</p>", fired.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels_read_as_ranges() {
        assert_eq!(bucket_label(0), "negative");
        assert_eq!(bucket_label(1), "0 ms – 10 ms");
        assert_eq!(bucket_label(7), "1 s – 2 s");
        assert_eq!(bucket_label(BOUNDS.len()), "1 d or more");
    }

    #[test]
    fn durations_read_to_one_decimal() {
        assert_eq!(about(850), "850 ms");
        assert_eq!(about(13_355), "13.4 s");
        assert_eq!(about(150_000), "2.5 min");
        assert_eq!(about(-4_320_000), "-1.2 h");
    }

    #[test]
    fn a_histogram_says_nothing_its_values_contradict() {
        let mut same = Histogram::default();
        for _ in 0..3 {
            same.add(60_000);
        }
        let text = durations("elapsed", &same);
        assert!(
            text.contains("3 interactions finished with a value: all 1.0 min."),
            "{text}"
        );
        let mut spread = Histogram::default();
        for ms in [60_000, 61_000, 62_000] {
            spread.add(ms);
        }
        let text = durations("elapsed", &spread);
        // The median's bucket ends at 2 min, past the largest value.
        assert!(
            text.contains("from 60.0 s to 62.0 s, mean 1.0 min, half at most 1.0 min"),
            "{text}"
        );
        assert!(!text.contains("half under 2 min"), "{text}");
    }

    #[test]
    fn ids_become_one_path_segment() {
        assert_eq!(percent_encode("a b/c"), "a%20b%2Fc");
        assert_eq!(percent_encode("cb-1.x_~"), "cb-1.x_~");
    }
}
