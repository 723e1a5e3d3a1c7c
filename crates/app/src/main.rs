//! The `madeinpk` binary.

use clap::Parser;
use madeinpk_app::cli::{self, Cli};
use madeinpk_app::config::{Config, LogFormat};

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
