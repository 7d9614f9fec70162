//! `cargo xtask bench routeros`: the RouterOS client against simulated
//! routers on loopback at 20 ms round-trip time, printed as one JSON object.
//!
//! - `read_secrets`: read 10,000 PPP secrets (`/ppp/secret/print`);
//! - `add_secrets`: add 1,000 PPP secrets with one pipelined
//!   [`RouterApi::add_ppp_secrets`];
//!
//! both with the round trips the simulator counted ([`SimStats::batches`])
//! and the wall time, median of [`RUNS`] runs;
//!
//! - `stream_sessions`: 20 routers × 1,000 active sessions with churn,
//!   followed with one `watch_ppp_active` stream per router into the
//!   engine's [`LiveSessions`] table, its first screenful read every
//!   250 ms when it changed, as a console would; the CPU time (user + system, `/proc/self/stat`) this
//!   process used per second of wall time. The simulators run in a child
//!   process (this program again, `__sim-host`), so their work is not
//!   counted; their own CPU is reported beside it.
//! - `stream_sessions_with_counter_reads`: the same, plus a full re-read of
//!   every router's sessions every [`COUNTERS_EVERY`] (byte counters and
//!   rates), as the engine's fleet does.
//!
//! Linux only for the CPU figures (`/proc`).

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use headend_core::RouterId;
use headend_fleet::fleet::COUNTERS_EVERY;
use headend_fleet::{LiveSessions, SessionFilter};
use headend_routeros::client::{Client, ConnectOptions};
use headend_routeros::ops::{ActiveEvent, NewPppSecret, RouterApi};
use headend_simlab::{Faults, SimConfig, SimRouter, SimStats};
use serde_json::json;

const LATENCY: Duration = Duration::from_millis(20);
const RUNS: usize = 3;
const READ_SECRETS: usize = 10_000;
const ADD_SECRETS: usize = 1_000;
const STREAM_ROUTERS: usize = 20;
const STREAM_SESSIONS: usize = 1_000;
/// Secrets per streamed router: a few more than sessions, so churn both
/// connects and disconnects.
const STREAM_SECRETS: usize = 1_100;
const CHURN: Duration = Duration::from_millis(100);
const STREAM_FOR: Duration = Duration::from_secs(10);
const FRAME: Duration = Duration::from_millis(250);
/// The rows a console window shows at once.
const SCREEN_ROWS: usize = 40;
const SIM_HOST: &str = "__sim-host";

fn main() -> ExitCode {
    let result = if std::env::args().nth(1).as_deref() == Some(SIM_HOST) {
        runtime().and_then(|rt| rt.block_on(sim_host()))
    } else {
        runtime().and_then(|rt| rt.block_on(bench()))
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench-routeros: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// A multi-threaded runtime, like the desktop app's.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn sim_config(secrets: usize, active: usize, churn: Option<Duration>, seed: u64) -> SimConfig {
    SimConfig {
        secrets,
        active_sessions: active,
        churn,
        seed,
        tls: false,
        faults: Faults { latency: LATENCY, ..Faults::default() },
        ..SimConfig::default()
    }
}

async fn login(port: u16) -> anyhow::Result<Client> {
    let options =
        ConnectOptions::new("127.0.0.1", "admin", "admin").port(port).command_timeout(Duration::from_secs(120));
    Client::connect(options).await.with_context(|| format!("connecting to 127.0.0.1:{port}"))
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values.get(values.len() / 2).copied().unwrap_or(0)
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

async fn bench() -> anyhow::Result<()> {
    let read = read_secrets().await?;
    let add = add_secrets().await?;
    let stream = stream_sessions(false).await?;
    let stream_with_reads = stream_sessions(true).await?;
    let report = json!({
        "bench": "routeros",
        "latency_ms": ms(LATENCY),
        "runs": RUNS,
        "read_secrets": read,
        "add_secrets": add,
        "stream_sessions": stream,
        "stream_sessions_with_counter_reads": stream_with_reads,
    });
    println!("{report}");
    Ok(())
}

async fn read_secrets() -> anyhow::Result<serde_json::Value> {
    let sim = SimRouter::start(sim_config(READ_SECRETS, 0, None, 1)).await?;
    let client = login(sim.api_port()).await?;
    let (mut walls, mut trips) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        sim.reset_stats();
        let start = Instant::now();
        let secrets = client.ppp_secrets().await?;
        walls.push(ms(start.elapsed()));
        if secrets.len() != READ_SECRETS {
            bail!("read {} secrets, expected {READ_SECRETS}", secrets.len());
        }
        trips.push(sim.stats().batches);
    }
    client.close();
    Ok(json!({ "secrets": READ_SECRETS, "round_trips": median(trips), "wall_ms": median(walls) }))
}

async fn add_secrets() -> anyhow::Result<serde_json::Value> {
    let sim = SimRouter::start(sim_config(0, 0, None, 2)).await?;
    let client = login(sim.api_port()).await?;
    let (mut walls, mut trips, mut writes) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let batch: Vec<NewPppSecret> =
            (0..ADD_SECRETS).map(|i| NewPppSecret::pppoe(format!("bench{run}-{i:05}"), format!("pw{i}"))).collect();
        sim.reset_stats();
        let start = Instant::now();
        let results = client.add_ppp_secrets(batch).await;
        walls.push(ms(start.elapsed()));
        let failed = results.iter().filter(|r| r.is_err()).count();
        if failed > 0 || results.len() != ADD_SECRETS {
            bail!("{failed} of {} adds failed", results.len());
        }
        let SimStats { batches, writes: w, .. } = sim.stats();
        trips.push(batches);
        writes.push(w);
    }
    client.close();
    Ok(json!({
        "secrets": ADD_SECRETS,
        "round_trips": median(trips),
        "writes_seen_by_router": median(writes),
        "wall_ms": median(walls),
    }))
}

/// Process CPU time (user + system) in milliseconds, from `/proc/<pid>/stat`.
fn cpu_ms(pid: &str, ticks_per_s: u64) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).context("reading /proc/…/stat (Linux only)")?;
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).context("unreadable /proc/…/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |n: usize| -> anyhow::Result<u64> {
        fields.get(n - 3).and_then(|f| f.parse().ok()).context("unreadable /proc/…/stat")
    };
    Ok((field(14)? + field(15)?) * 1000 / ticks_per_s.max(1))
}

/// `USER_HZ`: what `/proc` counts CPU time in.
fn clock_ticks() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100)
}

/// The simulators in a child process; dropping it ends them.
struct SimHost {
    child: Child,
    stdin: Option<ChildStdin>,
    ports: Vec<u16>,
}

impl SimHost {
    fn start() -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg(SIM_HOST)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the simulator process")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout from the simulator process")?;
        let mut ports = Vec::new();
        for line in BufReader::new(stdout).lines().take(STREAM_ROUTERS) {
            ports.push(line?.trim().parse().context("a port from the simulator process")?);
        }
        if ports.len() != STREAM_ROUTERS {
            bail!("the simulator process started {} routers", ports.len());
        }
        Ok(Self { child, stdin, ports })
    }
}

impl Drop for SimHost {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// In the child: start the streamed routers, print their ports, run until
/// stdin closes.
async fn sim_host() -> anyhow::Result<()> {
    let mut routers = Vec::new();
    for i in 0..STREAM_ROUTERS {
        let seed = u64::try_from(i).unwrap_or(0) + 10;
        routers.push(SimRouter::start(sim_config(STREAM_SECRETS, STREAM_SESSIONS, Some(CHURN), seed)).await?);
    }
    {
        let mut out = std::io::stdout().lock();
        for sim in &routers {
            writeln!(out, "{}", sim.api_port())?;
        }
        out.flush()?;
    }
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
    })
    .await?;
    drop(routers);
    Ok(())
}

async fn stream_sessions(counter_reads: bool) -> anyhow::Result<serde_json::Value> {
    let ticks = clock_ticks();
    let host = SimHost::start()?;
    let sim_pid = host.child.id().to_string();
    let mut clients = Vec::new();
    for port in &host.ports {
        clients.push(Arc::new(login(*port).await?));
    }
    let live = Arc::new(Mutex::new(LiveSessions::default()));
    // Listen, then read everything once, as the fleet does.
    let mut watches = Vec::new();
    for (i, client) in clients.iter().enumerate() {
        let router = RouterId(i64::try_from(i).unwrap_or(0) + 1);
        let watch = client.watch_ppp_active().await?;
        let all = client.ppp_active().await?;
        live.lock().unwrap_or_else(PoisonError::into_inner).reset(router, &all, jiff::Timestamp::now());
        watches.push((router, watch));
    }
    let initial = live.lock().unwrap_or_else(PoisonError::into_inner).len();

    let events = Arc::new(AtomicU64::new(0));
    let cpu_before = cpu_ms("self", ticks)?;
    let sim_cpu_before = cpu_ms(&sim_pid, ticks)?;
    let start = Instant::now();
    let deadline = tokio::time::Instant::now() + STREAM_FOR;
    let mut tasks = Vec::new();
    for ((router, mut watch), client) in watches.into_iter().zip(clients.iter().cloned()) {
        let live = live.clone();
        let events = events.clone();
        tasks.push(tokio::spawn(async move {
            let mut reread = tokio::time::interval(COUNTERS_EVERY);
            reread.tick().await;
            loop {
                tokio::select! {
                    () = tokio::time::sleep_until(deadline) => break,
                    _ = reread.tick(), if counter_reads => {
                        let all = client.ppp_active().await?;
                        live.lock().unwrap_or_else(PoisonError::into_inner).reset(router, &all, jiff::Timestamp::now());
                    }
                    event = watch.next() => {
                        let event = event.context("a session stream ended")??;
                        let now = jiff::Timestamp::now();
                        let mut live = live.lock().unwrap_or_else(PoisonError::into_inner);
                        match event {
                            ActiveEvent::Up(session) => live.up(router, &session, now),
                            ActiveEvent::Gone(id) => live.gone(router, &id.to_string()),
                        }
                        events.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            watch.cancel().await?;
            anyhow::Ok(())
        }));
    }
    // The screen: every frame, when something changed, the rows on it.
    let (mut frames_redrawn, mut seen) = (0_u64, None);
    let mut frames = tokio::time::interval(FRAME);
    while tokio::time::Instant::now() < deadline {
        frames.tick().await;
        let live = live.lock().unwrap_or_else(PoisonError::into_inner);
        if seen != Some(live.version()) {
            seen = Some(live.version());
            std::hint::black_box(live.window(&SessionFilter::default(), 0, SCREEN_ROWS));
            frames_redrawn += 1;
        }
    }
    for task in tasks {
        task.await??;
    }
    let wall = start.elapsed();
    let cpu = cpu_ms("self", ticks)?.saturating_sub(cpu_before);
    let sim_cpu = cpu_ms(&sim_pid, ticks)?.saturating_sub(sim_cpu_before);
    let live_now = live.lock().unwrap_or_else(PoisonError::into_inner).len();
    for client in &clients {
        client.close();
    }
    drop(host);

    #[allow(clippy::cast_precision_loss)]
    let per_wall_s = |cpu_ms: u64| cpu_ms as f64 / wall.as_secs_f64();
    let round = |x: f64, places: i32| (x * 10_f64.powi(places)).round() / 10_f64.powi(places);
    let mut report = json!({
        "routers": STREAM_ROUTERS,
        "sessions_per_router": STREAM_SESSIONS,
        "secrets_per_router": STREAM_SECRETS,
        "churn_ms_per_router": ms(CHURN),
        "seconds": wall.as_secs(),
        "sessions_at_start": initial,
        "sessions_at_end": live_now,
        "events": events.load(Ordering::Relaxed),
        "frames_redrawn": frames_redrawn,
        "client_cpu_ms": cpu,
        "client_cpu_ms_per_wall_s": round(per_wall_s(cpu), 1),
        "client_cpu_percent_of_one_core": round(per_wall_s(cpu) / 10.0, 2),
        "simulators_cpu_percent_of_one_core": round(per_wall_s(sim_cpu) / 10.0, 1),
    });
    if counter_reads {
        report["counter_read_every_s"] = json!(COUNTERS_EVERY.as_secs());
    }
    Ok(report)
}
