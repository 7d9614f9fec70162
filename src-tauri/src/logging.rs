//! Logs go to stderr and to a daily-rotated file in the data directory
//! (14 days kept), which the Settings page names. `HEADEND_LOG` takes an
//! `EnvFilter` directive such as `debug` or `headend_store=trace`.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

const KEPT_LOG_FILES: usize = 14;

/// Keep the guard alive for the life of the process: dropping it flushes
/// and stops the file writer.
pub fn init(log_dir: &Path) -> anyhow::Result<WorkerGuard> {
    // The appender prunes old files before it creates the folder.
    std::fs::create_dir_all(log_dir).with_context(|| format!("creating the log folder {}", log_dir.display()))?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("headend")
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(log_dir)
        .with_context(|| format!("opening the log folder {}", log_dir.display()))?;
    let (file_writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_env("HEADEND_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt::layer().with_ansi(std::io::stderr().is_terminal()).with_writer(std::io::stderr))
        .with(fmt::layer().with_ansi(false).with_writer(file_writer))
        .try_init()
        .context("starting logging")?;
    Ok(guard)
}
