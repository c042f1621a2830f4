//! The `plotline` binary.

/// jemalloc where it builds (cargo feature `jemalloc`, on by default; see `Cargo.toml`), with
/// its options.
#[cfg(all(
    feature = "jemalloc",
    not(any(target_arch = "wasm32", target_env = "msvc"))
))]
mod allocator {
    #[global_allocator]
    static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

    /// jemalloc's options, read as it starts (before `main`): its memory in transparent huge
    /// pages where the system grants them on request (`madvise`), so that lookups scattered
    /// over many open interactions miss the address translation cache less.
    /// `_RJEM_MALLOC_CONF` overrides it (`thp:default` asks for none).
    #[export_name = "_rjem_malloc_conf"]
    static ALLOCATOR_OPTIONS: &[u8; 11] = b"thp:always\0";
}

fn main() -> std::process::ExitCode {
    plotline::cli::main()
}
