//! The `plotline` binary.

/// jemalloc where it builds (cargo feature `jemalloc`, on by default; see `Cargo.toml`).
#[cfg(all(
    feature = "jemalloc",
    not(any(target_arch = "wasm32", target_env = "msvc"))
))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    plotline::cli::main()
}
