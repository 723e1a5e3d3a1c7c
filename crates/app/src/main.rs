//! The `madeinpk` binary.

use clap::Parser;
use madeinpk_app::cli::{self, Cli};
use madeinpk_app::config::{Config, LogFormat};

/// mimalloc gives freed memory back to the system; with glibc's allocator the 19 MiB argon2
/// buffers of a burst of sign-ups stayed resident in per-thread arenas (1.5 GiB after 300).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let format = Config::from_env().map_or(LogFormat::Text, |c| c.log_format);
    madeinpk_app::telemetry::init(format);
    match cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line, saying what to do.
            eprintln!("madeinpk: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
