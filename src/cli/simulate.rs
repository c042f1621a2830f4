//! `plotline simulate`.

use std::io::{self, BufWriter, Write};

use clap::Args;

use super::catalog::{find_lifecycle, load_or_report, CatalogArgs};
use super::output::say;
use super::{ERROR, OK};
use crate::engine::ViolationKind;
use crate::report::plural;
use crate::simulate::{self, Options, Stats};

/// Arguments of `simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Lines to write (at most: every interaction begun is finished within them, so the
    /// stream may end a few lines short; exactly with --cut).
    #[arg(long, short = 'n', default_value_t = 10_000)]
    pub events: u64,
    /// Interactions in progress at any time (at most).
    #[arg(long, default_value_t = 1_000)]
    pub open: usize,
    /// Stop at exactly N lines, leaving the interactions then in progress open, as a stream
    /// cut from a live feed is (`validate` reports them as incomplete).
    #[arg(long)]
    pub cut: bool,
    /// Share of lines altered to show a violation, from 0 to 1 (each kind equally often, as
    /// far as the catalog has lines that fit it).
    #[arg(long, default_value_t = 0.0, value_parser = rate)]
    pub violations: f64,
    /// Random seed: the same seed gives the same stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Only this lifecycle (repeatable; default: all).
    #[arg(long = "lifecycle", short = 'l')]
    pub lifecycles: Vec<String>,
    /// First timestamp, in milliseconds since the Unix epoch.
    #[arg(long, default_value_t = 1_732_435_200_000)]
    pub start_ts: i64,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

fn rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(rate) if (0.0..=1.0).contains(&rate) => Ok(rate),
        _ => Err(format!("`{text}` is not a rate between 0 and 1")),
    }
}

/// Runs `simulate`: the stream on stdout, what was injected on stderr.
pub fn simulate(args: SimulateArgs) -> u8 {
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    for name in &args.lifecycles {
        if find_lifecycle(&catalog, name).is_none() {
            return ERROR;
        }
    }
    let options = Options {
        events: args.events,
        open: args.open,
        violations: args.violations,
        seed: args.seed,
        lifecycles: args.lifecycles,
        start_ts: args.start_ts,
        cut: args.cut,
    };
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let result = simulate::simulate(&catalog, &options, &mut out).and_then(|stats| {
        out.flush()?;
        Ok(stats)
    });
    match result {
        Ok(stats) => {
            for (lifecycle, version, why) in &stats.unplanned {
                say!(
                    "warning: `{lifecycle}` {version}: no interaction made, as every plan tried \
                     (random walks, the documented scenarios) gave a violation when run alone; \
                     the last: {why}"
                );
            }
            if super::style::quiet() < 2 {
                say!("{}", summary(&stats));
            }
            match stats.lines == 0 && !stats.unplanned.is_empty() {
                true => ERROR,
                false => OK,
            }
        }
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => OK,
        Err(error) => {
            say!("error: writing output: {error}");
            ERROR
        }
    }
}

/// What was written, in a line: counts, what was left open, what was altered.
fn summary(stats: &Stats) -> String {
    let counts = |counts: &[(ViolationKind, u64)]| -> Option<String> {
        let named: Vec<String> = (counts.iter())
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{} {n}", kind.name()))
            .collect();
        (!named.is_empty()).then(|| named.join(", "))
    };
    let mut line = format!(
        "simulated {}, {}",
        plural(stats.lines, "line"),
        plural(stats.interactions, "interaction")
    );
    line.push_str(&match stats.left_open {
        0 => " (every one finished)".to_owned(),
        open => format!(" ({open} left open)"),
    });
    line.push_str(&format!(
        "; altered: {}",
        counts(&stats.injected).unwrap_or_else(|| "none".to_owned())
    ));
    if let Some(not_made) = counts(&stats.not_made) {
        line.push_str(&format!("; no line fitted: {not_made}"));
    }
    line
}

#[cfg(test)]
mod tests {
    #[test]
    fn rates_are_checked() {
        assert_eq!(super::rate("0.01"), Ok(0.01));
        assert!(super::rate("2").is_err());
        assert!(super::rate("x").is_err());
    }
}
