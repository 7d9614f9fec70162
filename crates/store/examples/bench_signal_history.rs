//! `cargo xtask bench signal-history [--onus N] [--days D]`: the size of
//! the ONU signal history in the database, and the time the retention
//! pass holds the write lock. Prints one JSON object.
//!
//! A real SQLite file in a temporary folder gets one OLT with `N` ONUs
//! (1,000 by default) and `D` days (90 by default) of 5-minute sweeps
//! through `Store::record_signals`, every ONU giving every reading the
//! OLTs give (levels drifting, two decimals), on an injected clock from
//! 2026-01-01. Every simulated hour, `Store::apply_signal_retention` runs
//! with the default retention (every reading for 2 days, hourly for 90),
//! as the OLT engine does.
//!
//! Measured: rows and bytes (the tables' pages, by SQLite's `dbstat`) of
//! the raw and hourly tables, per ONU and per day of history; the file's
//! size after a checkpoint; each pass's batches (the longest and the
//! mean time a batch holds the write lock) and each pass in all.
//!
//! `extrapolated_128000_onus` is an extrapolation, not a measurement:
//! 128,000 ONUs would take tens of GB of disk, so the measured bytes at `N`
//! ONUs over `D` days are scaled linearly by 128,000 / `N` (every table
//! grows by the ONU), and an hourly pass's time by the same factor (the
//! pass works in batches of 500 ONUs, one after the other). With the
//! defaults it is the history of 128,000 ONUs 90 days after the first
//! sweep. `without_rollup_raw_gib` is the raw table had every reading been
//! kept the `D` days.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use headend_core::clock::ManualClock;
use headend_core::olt::{OltVendor, OnuState};
use headend_core::optical::SignalPolicy;
use headend_core::{OltId, OnuId};
use headend_store::{NewOlt, OnuSeen, SignalSample, Store};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sqlx::Connection as _;

const TARGET_ONUS: f64 = 128_000.0;
const ONUS_PER_PORT: u32 = 128;

struct Args {
    onus: u32,
    days: u32,
}

fn args() -> anyhow::Result<Args> {
    let mut parsed = Args { onus: 1_000, days: 90 };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().with_context(|| format!("{flag} needs a number"))?;
        let number = || value.parse::<u32>().with_context(|| format!("{flag} {value:?} is not a whole number"));
        match flag.as_str() {
            "--onus" => parsed.onus = number()?,
            "--days" => parsed.days = number()?,
            other => anyhow::bail!("unknown option {other:?}: use --onus N --days D"),
        }
    }
    anyhow::ensure!(parsed.onus > 0 && parsed.days > 0, "--onus and --days must be above 0");
    Ok(parsed)
}

/// ONU `onu`'s readings at sweep `n`: each ONU at its own level, drifting
/// slowly through the day, with two decimals as the OLTs report them.
fn sample(onu: u32, n: u32) -> SignalSample {
    let two = |v: f64| (v * 100.0).round() / 100.0;
    let drift = (f64::from(n) / 40.0 + f64::from(onu)).sin();
    let level = -17.0 - f64::from(onu % 97) * 0.1;
    SignalSample {
        onu_rx: Some(two(level + 0.4 * drift)),
        onu_tx: Some(two(2.1 + 0.05 * drift)),
        olt_rx: Some(two(level - 2.5 + 0.3 * drift)),
        temperature: Some(two(45.0 + 6.0 * drift)),
        voltage: Some(two(3.3 + 0.02 * drift)),
        bias: Some(two(12.0 + 0.5 * drift)),
        distance: Some(f64::from(1_000 + onu % 19 * 500)),
    }
}

#[derive(Default)]
struct Passes {
    passes: u32,
    batches: u32,
    batch_time: Duration,
    longest_batch: Duration,
    longest_pass: Duration,
    steady_pass_time: Duration,
    steady_passes: u32,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let Args { onus, days } = args()?;
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("headend.sqlite3");
    let start: Timestamp = "2026-01-01T00:00:00Z".parse()?;
    let clock = ManualClock::at(start);
    let store = Store::open(&db).await?.with_clock(Arc::new(clock.clone()));
    let policy = SignalPolicy::default();
    let retention = policy.retention;
    let olt = store
        .add_olt(&NewOlt {
            name: "olt-bench".into(),
            vendor: OltVendor::Huawei,
            host: "192.0.2.10".into(),
            port: 22,
            username: "bench".into(),
            pop: None,
            location: None,
        })
        .await?;
    let ids = register(&store, olt, onus, start).await?;

    let interval = SignedDuration::try_from(policy.interval())?;
    let per_day = u32::try_from(24 * 3600 / interval.as_secs())?;
    let sweeps = days * per_day;
    let mut passes = Passes::default();
    let mut sweep_time = Duration::ZERO;
    eprintln!("{onus} ONUs, {days} days of sweeps every {} min", policy.interval_minutes());
    for n in 0..sweeps {
        let at = start + interval * i32::try_from(n)?;
        clock.set(at);
        let readings: Vec<(OnuId, SignalSample)> = ids.iter().zip(0..).map(|(id, onu)| (*id, sample(onu, n))).collect();
        let began = Instant::now();
        store.record_signals(&readings, at).await?;
        sweep_time += began.elapsed();
        if at.as_second() % 3600 == 0 {
            let began = Instant::now();
            let pass = store.apply_signal_retention(retention, at).await?;
            let took = began.elapsed();
            passes.passes += 1;
            passes.batches += pass.batches;
            passes.batch_time += pass.batch_time;
            passes.longest_batch = passes.longest_batch.max(pass.longest_batch);
            passes.longest_pass = passes.longest_pass.max(took);
            // Once readings are past the raw window, every pass rolls up
            // one hour: the pass the engine runs hour after hour.
            if pass.rolled_up > 0 {
                passes.steady_pass_time += took;
                passes.steady_passes += 1;
            }
        }
        if n > 0 && n % (per_day * 10) == 0 {
            eprintln!("  day {}", n / per_day);
        }
    }
    store.close().await;

    let sizes = measure(&db).await?;
    // Counts in the millions and bytes in the tens of GB: exact in an f64.
    let f = |n: i64| n as f64;
    let file_bytes = sizes.file_bytes as f64;
    let per = |total: f64| total / f64::from(onus);
    let per_onu_day = |total: f64, days_kept: f64| per(total) / days_kept;
    let raw_days_kept = f64::from(retention.raw_days().min(u16::try_from(days).unwrap_or(u16::MAX)));
    let hourly_days_kept = (f64::from(days).min(f64::from(retention.history_days())) - raw_days_kept).max(0.0);
    let raw_bytes_per_row = f(sizes.raw_bytes) / f(sizes.raw_rows.max(1));
    let scale = TARGET_ONUS / f64::from(onus);
    let mean_batch_ms = ms(passes.batch_time) / f64::from(passes.batches.max(1));
    let steady_pass_ms = ms(passes.steady_pass_time) / f64::from(passes.steady_passes.max(1));
    let gib = |bytes: f64| bytes / 1_073_741_824.0;
    println!(
        "{}",
        json!({
            "bench": "signal-history",
            "onus": onus,
            "days": days,
            "sweep_minutes": policy.interval_minutes(),
            "raw_days": retention.raw_days(),
            "history_days": retention.history_days(),
            "raw": {
                "rows": sizes.raw_rows,
                "bytes": sizes.raw_bytes,
                "bytes_per_row": round(raw_bytes_per_row),
                "rows_per_onu_per_day": per_day,
                "bytes_per_onu_per_day": round(raw_bytes_per_row * f64::from(per_day)),
                "rows_per_onu": round(per(f(sizes.raw_rows))),
            },
            "hourly": {
                "rows": sizes.hourly_rows,
                "bytes": sizes.hourly_bytes,
                "bytes_per_row": round(f(sizes.hourly_bytes) / f(sizes.hourly_rows.max(1))),
                "rows_per_onu_per_day": round(per_onu_day(f(sizes.hourly_rows), hourly_days_kept)),
                "bytes_per_onu_per_day": round(per_onu_day(f(sizes.hourly_bytes), hourly_days_kept)),
            },
            "database": {
                "file_bytes": sizes.file_bytes,
                "free_bytes": sizes.free_bytes,
                "file_mib": round(file_bytes / 1_048_576.0),
            },
            "sweep_write_ms": round(ms(sweep_time) / f64::from(sweeps)),
            "rollup": {
                "passes": passes.passes,
                "batches": passes.batches,
                "batch_mean_ms": round(mean_batch_ms),
                "batch_max_ms": round(ms(passes.longest_batch)),
                "hourly_pass_ms": round(steady_pass_ms),
                "pass_max_ms": round(ms(passes.longest_pass)),
            },
            "extrapolated_128000_onus": {
                "note": format!(
                    "an extrapolation, not a measurement: the bytes measured at {onus} ONUs after {days} days of 5-minute sweeps with the retention applied hourly, times 128000/{onus}; an hourly pass's time times the same"
                ),
                "raw_rows_per_day": TARGET_ONUS * f64::from(per_day),
                "raw_gib": round(gib(f(sizes.raw_bytes) * scale)),
                "hourly_gib": round(gib(f(sizes.hourly_bytes) * scale)),
                "file_gib": round(gib(file_bytes * scale)),
                "without_rollup_raw_gib": round(gib(raw_bytes_per_row * f64::from(per_day * days) * TARGET_ONUS)),
                "hourly_pass_s": round(steady_pass_ms * scale / 1000.0),
            },
        })
    );
    Ok(())
}

/// `onus` ONUs on ports of 128, as the OLT lists them.
async fn register(store: &Store, olt: OltId, onus: u32, at: Timestamp) -> anyhow::Result<Vec<OnuId>> {
    let seen: Vec<OnuSeen> = (0..onus)
        .map(|i| OnuSeen {
            port: format!("0/{}/{}", i / ONUS_PER_PORT / 16, i / ONUS_PER_PORT % 16),
            index: i % ONUS_PER_PORT,
            serial: format!("HWTC{i:08X}"),
            equipment: Some("EG8145V5".into()),
            description: None,
            state: OnuState::Online,
            last_up: None,
            last_down: None,
            last_down_cause: None,
        })
        .collect();
    Ok(store.sync_onus(olt, &seen, None, at).await?.into_iter().map(|s| s.id).collect())
}

struct Sizes {
    raw_rows: i64,
    raw_bytes: i64,
    hourly_rows: i64,
    hourly_bytes: i64,
    file_bytes: u64,
    free_bytes: i64,
}

/// The tables' rows and pages, and the file once the WAL is checkpointed
/// into it. A read-only look beside the store, after it closed.
async fn measure(db: &Path) -> anyhow::Result<Sizes> {
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await?;
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let pages = "SELECT COALESCE(SUM(pgsize), 0) FROM dbstat WHERE name = ?";
    let raw_rows: i64 = sqlx::query_scalar(&count("onu_signal")).fetch_one(&mut conn).await?;
    let hourly_rows: i64 = sqlx::query_scalar(&count("onu_signal_hourly")).fetch_one(&mut conn).await?;
    let raw_bytes: i64 = sqlx::query_scalar(pages).bind("onu_signal").fetch_one(&mut conn).await?;
    let hourly_bytes: i64 = sqlx::query_scalar(pages).bind("onu_signal_hourly").fetch_one(&mut conn).await?;
    let free_pages: i64 = sqlx::query_scalar("PRAGMA freelist_count").fetch_one(&mut conn).await?;
    let page_size: i64 = sqlx::query_scalar("PRAGMA page_size").fetch_one(&mut conn).await?;
    conn.close().await?;
    Ok(Sizes {
        raw_rows,
        raw_bytes,
        hourly_rows,
        hourly_bytes,
        file_bytes: std::fs::metadata(db)?.len(),
        free_bytes: free_pages * page_size,
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}
