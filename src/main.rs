//! The `plotline` binary.

fn main() -> std::process::ExitCode {
    plotline::cli::main()
}
