//! `plotline serve`: the live collector on a local port.

use std::io::Write;
use std::net::SocketAddr;

use clap::Args;

use super::catalog::{load_or_report, CatalogArgs};
use super::output::say;
use super::{ERROR, OK};
use crate::serve::collector::Collector;
use crate::serve::http;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen (port 0: any free port, printed on start).
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:8421")]
    pub listen: SocketAddr,
    /// Listen on an address other machines can reach (anyone who can reach it can post
    /// events and read every verdict).
    #[arg(long)]
    pub public: bool,
    /// Largest body accepted by POST /events, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_body_bytes: usize,
    /// Judge each interaction's events in `ts` order when they arrive within DURATION (`10s`)
    /// of event time of one another; a held line's verdict comes with a later POST (under
    /// `released`) or with POST /finish (0: each on arrival).
    #[arg(long, value_name = "DURATION", value_parser = super::validate::duration, default_value = "0")]
    pub reorder_window: i64,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `serve` until Ctrl-C.
pub fn serve(args: ServeArgs) -> u8 {
    if !args.listen.ip().is_loopback() {
        if !args.public {
            say!(
                "error: {} is not a loopback address: other machines could post events and read \
                 every verdict; pass --public to mean it, or listen on 127.0.0.1",
                args.listen.ip()
            );
            return ERROR;
        }
        say!(
            "warning: listening on {}: anyone who can reach it can post events and read every \
             verdict",
            args.listen
        );
    }
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
        let router = http::router(Collector::new(catalog, args.reorder_window), args.max_body_bytes);
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
