//! `plotline serve`: the live collector on a local port.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::output::say;
use super::{ERROR, OK};
use crate::serve::access::Access;
use crate::serve::collector::{Collector, Options};
use crate::serve::http;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen (port 0: any free port, printed on start).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8421")]
    pub listen: SocketAddr,
    /// Listen on an address other machines can reach (needs --token).
    #[arg(long)]
    pub public: bool,
    /// Let pages from this origin (`http://localhost:3000`; `null` for `file://` pages) post
    /// events and read verdicts; repeatable. Only the collector's own pages may by default.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// Accept requests that name the collector by this host name (IP addresses and
    /// `localhost` always are); repeatable.
    #[arg(long = "allow-host", value_name = "NAME")]
    pub allow_hosts: Vec<String>,
    /// Require this token on every request (`Authorization: Bearer TOKEN`, or `?token=` in a
    /// browser).
    #[arg(
        long,
        value_name = "TOKEN",
        env = "PLOTLINE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Memory for the violations and interaction logs kept (the oldest forgotten beyond it;
    /// counts stay exact): `256M`, `1G`, or bytes.
    #[arg(long, value_name = "SIZE", value_parser = size, default_value = "256M")]
    pub max_memory: usize,
    /// Largest body accepted by POST /events, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_body_bytes: usize,
    /// Judge each interaction's events in `ts` order when they arrive within DURATION (`10s`)
    /// of event time of one another; a held line's verdict comes with a later POST (under
    /// `released`) or with POST /finish (0: each on arrival).
    #[arg(long, value_name = "DURATION", value_parser = super::validate::duration, default_value = "0")]
    pub reorder_window: i64,
    /// When quiet interactions end.
    #[command(flatten)]
    pub quiet: super::validate::QuietEndArg,
    /// Show the values of personal data (`pii: true`) in verdicts, logs and messages;
    /// masked by default.
    #[arg(long)]
    pub show_pii: bool,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// A size such as `256M`, `1G`, `64K` or a number of bytes.
fn size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        _ => return Err(format!("`{text}`: write a size such as 256M, 1G or 65536")),
    };
    let number: usize = digits
        .parse()
        .map_err(|_| format!("`{text}`: write a size such as 256M, 1G or 65536"))?;
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Runs `serve` until Ctrl-C.
pub fn serve(args: ServeArgs) -> u8 {
    if !args.listen.ip().is_loopback() {
        if !args.public {
            say!(
                "error: {} is not a loopback address: other machines could post events and read \
                 every verdict; pass --public (with --token) to mean it, or listen on 127.0.0.1",
                args.listen.ip()
            );
            return ERROR;
        }
        if args.token.as_deref().is_none_or(str::is_empty) {
            say!(
                "error: --public needs --token (or PLOTLINE_TOKEN): every request must then \
                 carry it"
            );
            return ERROR;
        }
        say!(
            "warning: listening on {}: anyone who can reach it and has the token can post \
             events and read every verdict",
            args.listen
        );
    }
    let access = Access {
        origins: args.allow_origins.clone(),
        hosts: args.allow_hosts.clone(),
        token: args.token.clone().filter(|token| !token.is_empty()),
    };
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    // The catalog lives as long as the server, which is the rest of the process.
    let catalog = Box::leak(Box::new(catalog));
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            say!("error: cannot start the server: {error}");
            return ERROR;
        }
    };
    let served = runtime.block_on(async {
        let listener = http::bind(args.listen).await.map_err(|error| {
            format!("cannot listen on {}: {error}", args.listen)
        })?;
        let address = listener
            .local_addr()
            .map_err(|error| format!("cannot listen on {}: {error}", args.listen))?;
        // The first line of stdout names the address (tests and scripts read it).
        let mut stdout = std::io::stdout();
        let _ = writeln!(
            stdout,
            "plotline: collecting on http://{address} (POST /events; live page at http://{address}/)"
        );
        let _ = stdout.flush();
        let options = Options {
            reorder_window: args.reorder_window,
            quiet_end: args.quiet.quiet_end,
            budget: args.max_memory,
            show_pii: args.show_pii,
        };
        let collector = Collector::new(catalog, options);
        let router = http::router(collector, args.max_body_bytes, access);
        http::run(listener, router)
            .await
            .map_err(|error| format!("the server stopped: {error}"))
    });
    match served {
        Ok(()) => OK,
        Err(message) => {
            say!("error: {message}");
            ERROR
        }
    }
}
