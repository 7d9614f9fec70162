//! `cargo xtask bench live-sessions`: the console under the load of
//! PRODUCT.md's target network. `headend simulate` starts 20 routers with
//! 1,000 sessions each (one session changes per router per second), `headend
//! router add` puts them in a fresh inventory, and the release app runs in a
//! virtual display driven over WebDriver. CPU (app plus its WebKit
//! processes, in percent of one core) is measured for 10 s on the Dashboard
//! and 10 s on the Live sessions page, then resident memory.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::bench::{descendants, rss_kib};
use crate::bundle::Profile;
use crate::paths;
use crate::process;
use crate::setup::{self, Purpose};
use crate::test;

pub const SESSION_COMMAND: &str = "__bench-live-sessions";
const ROUTERS: usize = 20;
const SESSIONS_PER_ROUTER: usize = 1000;
const MEASURE: Duration = Duration::from_secs(10);

pub fn run() -> anyhow::Result<()> {
    setup::ensure(Purpose::Test)?;
    setup::build_ui(Profile::Release)?;
    process::cargo(&["build", "--release", "-p", "headend-app", "-p", "headend"])?;
    let release = paths::target_dir()?.join("release");
    let mut session = test::desktop_session(SESSION_COMMAND)?;
    session
        .env("HEADEND_APP_BIN", release.join(paths::exe("headend-app")))
        .env("HEADEND_CLI_BIN", release.join(paths::exe("headend")))
        .env("HEADEND_TAURI_DRIVER", paths::tools_bin()?.join(paths::exe("tauri-driver")));
    process::run(&mut session)
}

fn env_path(var: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os(var).map(PathBuf::from).with_context(|| format!("{var} is not set"))
}

/// Kills the child when dropped, so nothing outlives the benchmark.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn webdriver(method: &str, url: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let mut cmd = Command::new("curl");
    cmd.args(["-s", "-X", method, url, "-H", "content-type: application/json"]);
    if let Some(body) = body {
        cmd.args(["-d", &body.to_string()]);
    }
    let out = cmd.output().context("running curl")?;
    let answer: Value = serde_json::from_slice(&out.stdout).with_context(|| format!("{method} {url}: not JSON"))?;
    Ok(answer["value"].clone())
}

/// CPU ticks used so far by `pid` and its children, by process name.
fn cpu_ticks(pid: u32) -> BTreeMap<String, u64> {
    let mut ticks = BTreeMap::new();
    for p in std::iter::once(pid).chain(descendants(pid)) {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else { continue };
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let name = head.split_once('(').map_or("?", |(_, name)| name).to_owned();
        let fields: Vec<&str> = rest.split_whitespace().collect();
        // utime and stime: fields 14 and 15 of stat(5), 12 and 13 after the name.
        let used = [11, 12].iter().filter_map(|i| fields.get(*i)?.parse::<u64>().ok()).sum::<u64>();
        *ticks.entry(name).or_default() += used;
    }
    ticks
}

/// Percent of one core used by `pid` and its children over `span`: in all,
/// and by process name (the app's own, WebKit's web process...).
fn cpu_percent(pid: u32, span: Duration) -> anyhow::Result<(f64, BTreeMap<String, f64>)> {
    let hz: f64 = String::from_utf8(Command::new("getconf").arg("CLK_TCK").output()?.stdout)?.trim().parse()?;
    let before = cpu_ticks(pid);
    std::thread::sleep(span);
    let percent = |ticks: u64| (ticks as f64 / hz / span.as_secs_f64() * 1000.0).round() / 10.0;
    let by_name: BTreeMap<String, f64> = cpu_ticks(pid)
        .into_iter()
        .map(|(name, after)| {
            let used = after.saturating_sub(before.get(&name).copied().unwrap_or(0));
            (name, percent(used))
        })
        .collect();
    let total = by_name.values().sum::<f64>();
    Ok((total, by_name))
}

fn find_app(data_dir: &Path) -> Option<u32> {
    let needle = data_dir.as_os_str().as_encoded_bytes();
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
        (cmdline.starts_with(b"/") && cmdline.windows(needle.len()).any(|w| w == needle)).then_some(pid)
    })
}

pub fn in_session() -> anyhow::Result<()> {
    let keyring = test::unlock_keyring()?;
    let (app, cli, driver) =
        (env_path("HEADEND_APP_BIN")?, env_path("HEADEND_CLI_BIN")?, env_path("HEADEND_TAURI_DRIVER")?);
    let dir = std::env::temp_dir().join(format!("headend-bench-live-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data_dir = dir.join("data");
    std::fs::create_dir_all(&data_dir)?;

    let mut sim = Killed(
        Command::new(&cli)
            .args(["simulate", "--json", "--churn-ms", "1000"])
            .args(["--routers", &ROUTERS.to_string(), "--secrets-per-router", &SESSIONS_PER_ROUTER.to_string()])
            .stdout(Stdio::piped())
            .spawn()
            .context("starting headend simulate")?,
    );
    let stdout = sim.0.stdout.take().context("simulate's output")?;
    for line in BufReader::new(stdout).lines().take(ROUTERS) {
        let router: Value = serde_json::from_str(&line?)?;
        let (name, port) = (router["name"].as_str().unwrap_or_default(), router["api_port"].to_string());
        let mut add = Command::new(&cli)
            .arg("--data-dir")
            .arg(&data_dir)
            .args([
                "router",
                "add",
                name,
                "--host",
                "127.0.0.1",
                "--port",
                &port,
                "--transport",
                "api",
                "--user",
                "admin",
                "--password-stdin",
            ])
            .envs(keyring.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()?;
        add.stdin.take().context("router add's input")?.write_all(b"admin")?;
        if !add.wait()?.success() {
            bail!("headend router add {name} failed");
        }
    }

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let native = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let _driver = Killed(
        Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(keyring.iter().map(|(k, v)| (k, v)))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            bail!("tauri-driver did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let caps = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": app, "args": ["--data-dir", data_dir]}}}});
    let session = webdriver("POST", &format!("{base}/session"), Some(caps))?;
    let session = format!("{base}/session/{}", session["sessionId"].as_str().context("no WebDriver session")?);
    std::thread::sleep(Duration::from_secs(10));
    let pid = find_app(&data_dir).context("the app is not running")?;

    let (dashboard, dashboard_by_process) = cpu_percent(pid, MEASURE)?;
    let nav = webdriver(
        "POST",
        &format!("{session}/element"),
        Some(json!({"using": "css selector", "value": "#nav-sessions"})),
    )?;
    let nav =
        nav.as_object().and_then(|o| o.values().next()).and_then(Value::as_str).context("no sessions link")?.to_owned();
    webdriver("POST", &format!("{session}/element/{nav}/click"), Some(json!({})))?;
    std::thread::sleep(Duration::from_secs(5));
    let shown = webdriver(
        "POST",
        &format!("{session}/execute/sync"),
        Some(json!({"script": "return document.querySelector('#session-count').textContent", "args": []})),
    )?;
    let (sessions_page, sessions_by_process) = cpu_percent(pid, MEASURE)?;
    // The page ticks uptimes less often in a window without focus: say which was measured.
    let focused = webdriver(
        "POST",
        &format!("{session}/execute/sync"),
        Some(json!({"script": "return document.hasFocus()", "args": []})),
    )?;
    let rss_mb = rss_kib(pid) as f64 / 1024.0;
    let total_mb = (rss_kib(pid) + descendants(pid).into_iter().map(rss_kib).sum::<u64>()) as f64 / 1024.0;
    let _ = webdriver("DELETE", &session, None);
    println!(
        "{}",
        json!({
            "bench": "live-sessions",
            "routers": ROUTERS,
            "sessions_per_router": SESSIONS_PER_ROUTER,
            "changes_per_router_per_s": 1,
            "shown": shown,
            "window_focused": focused,
            "cpu_percent_of_one_core_dashboard": (dashboard * 10.0).round() / 10.0,
            "cpu_percent_of_one_core_live_sessions": (sessions_page * 10.0).round() / 10.0,
            "cpu_by_process_dashboard": dashboard_by_process,
            "cpu_by_process_live_sessions": sessions_by_process,
            "app_rss_mb": rss_mb.round(),
            "app_and_webkit_rss_mb": total_mb.round(),
        })
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
