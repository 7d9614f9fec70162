//! The end-to-end harness: starts tauri-driver (which starts
//! WebKitWebDriver, which starts the real app) and gives a WebDriver client
//! on the app's window.
//!
//! The tests need the built app, tauri-driver and a display; `cargo xtask
//! test` provides all three (and a D-Bus session with an unlocked keyring)
//! and passes their paths in `HEADEND_APP_BIN`, `HEADEND_CLI_BIN` (the
//! `headend` CLI, which `shells_agree` drives beside the app),
//! `HEADEND_TAURI_DRIVER` and `HEADEND_E2E_SCREENSHOTS`. Run alone, the
//! tests are ignored.
//!
//! Apps are started one at a time: the single-instance plugin would (rightly)
//! hand a second concurrent launch over to the first.

use std::io::Write;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

static ONE_APP_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub async fn one_app_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    ONE_APP_AT_A_TIME.lock().await
}

pub fn env_path(var: &str) -> anyhow::Result<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .with_context(|| format!("{var} is not set: run the end-to-end tests with `cargo xtask test`"))
}

/// The CLI on `data_dir`, with `input` on its standard input.
pub fn cli(data_dir: &Path, args: &[&str], input: Option<&str>) -> anyhow::Result<String> {
    let bin = env_path("HEADEND_CLI_BIN")?;
    let mut child = Command::new(&bin)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(input.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    if !out.status.success() {
        bail!("headend {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A place for one test's files: the app's data directory and its XDG folders.
pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

impl Sandbox {
    pub fn new() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let root = dir.path().to_path_buf();
        for sub in ["data", "xdg/data", "xdg/config", "xdg/cache"] {
            std::fs::create_dir_all(root.join(sub))?;
        }
        Ok(Self { _dir: dir, root })
    }

    pub fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running tauri-driver; the app starts with each WebDriver session.
pub struct Driver {
    child: Child,
    port: u16,
    app: PathBuf,
    data_dir: PathBuf,
    xdg: PathBuf,
}

impl Driver {
    /// Starts tauri-driver with the sandbox's XDG folders; the app inherits
    /// that environment.
    pub fn start(sandbox: &Sandbox) -> anyhow::Result<Self> {
        let driver = env_path("HEADEND_TAURI_DRIVER")?;
        let app = env_path("HEADEND_APP_BIN")?;
        let port = free_port()?;
        let native_port = free_port()?;
        let child = Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("XDG_DATA_HOME", sandbox.root.join("xdg/data"))
            .env("XDG_CONFIG_HOME", sandbox.root.join("xdg/config"))
            .env("XDG_CACHE_HOME", sandbox.root.join("xdg/cache"))
            .stdout(Stdio::null())
            // Its own process group, so dropping the driver ends WebKitWebDriver
            // and the app with it, even when a test failed midway.
            .process_group(0)
            .spawn()
            .with_context(|| format!("starting {}", driver.display()))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                bail!("tauri-driver did not listen on port {port}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Self { child, port, app, data_dir: sandbox.data_dir(), xdg: sandbox.root.join("xdg") })
    }

    /// Starts the app binary directly, as a user's second launch would.
    pub fn second_launch(&self) -> anyhow::Result<std::process::ExitStatus> {
        let mut child = Command::new(&self.app)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .env("XDG_DATA_HOME", self.xdg.join("data"))
            .env("XDG_CONFIG_HOME", self.xdg.join("config"))
            .env("XDG_CACHE_HOME", self.xdg.join("cache"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!("a second launch kept running instead of handing over to the first");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Launches the app and waits for the console to be on screen.
    pub async fn launch(&self) -> anyhow::Result<Client> {
        self.launch_with(&[]).await
    }

    /// Launches the app with `args` besides its data directory.
    pub async fn launch_with(&self, args: &[&str]) -> anyhow::Result<Client> {
        let mut app_args = vec![serde_json::json!("--data-dir"), serde_json::json!(self.data_dir)];
        app_args.extend(args.iter().map(|a| serde_json::json!(a)));
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), serde_json::json!({ "application": self.app, "args": app_args }));
        // Right after an app quit, the driver may still be tearing the
        // last session down: a refused first request is tried again.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{}", self.port))
                .await
            {
                Ok(client) => break client,
                Err(fantoccini::error::NewSessionError::FailedC(_) | fantoccini::error::NewSessionError::Lost(_))
                    if attempt < 5 && !app_running(&self.data_dir) =>
                {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(err) => return Err(err).context("starting a WebDriver session with the app"),
            }
        };
        wait_for_text(&client, "#page-title", "Dashboard").await?;
        Ok(client)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.wait();
        // An app that left the group (or ignored the signal) must not outlive
        // the test: a later launch would hand over to it.
        let deadline = Instant::now() + Duration::from_secs(5);
        while app_running(&self.data_dir) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    }
}

/// Generous: a first CI run shares two cores with its own builds.
const WAIT: Duration = Duration::from_secs(30);

/// Invokes an app command in the window, as the UI's `invoke` does.
pub async fn invoke(app: &Client, cmd: &str, args: serde_json::Value) -> anyhow::Result<serde_json::Value> {
    let script = "const [cmd, args, done] = arguments;
                  window.__TAURI__.core.invoke(cmd, args).then(ok => done({ ok }), err => done({ err }));";
    let answer = app.execute_async(script, vec![serde_json::json!(cmd), args]).await?;
    match answer.get("err") {
        Some(err) => bail!("{cmd} failed: {err}"),
        None => Ok(answer.get("ok").cloned().unwrap_or(serde_json::Value::Null)),
    }
}

/// Waits until the element at `css` exists and its text contains `text`.
pub async fn wait_for_text(client: &Client, css: &str, text: &str) -> anyhow::Result<String> {
    let deadline = Instant::now() + WAIT;
    let mut last = String::new();
    loop {
        if let Ok(el) = client.find(Locator::Css(css)).await
            && let Ok(mut t) = el.text().await
        {
            if t.is_empty() {
                // WebKit reads no text from an element out of view: a page
                // that grew above it (or a scroll by the last click) must
                // not read as "never showed". Bring it into view and read
                // what it holds.
                let script = "arguments[0].scrollIntoView({ block: 'nearest' }); return arguments[0].textContent";
                if let Ok(content) = client.execute(script, vec![serde_json::to_value(&el)?]).await {
                    t = content.as_str().unwrap_or_default().to_owned();
                }
            }
            if t.contains(text) {
                return Ok(t);
            }
            last = t;
        }
        if Instant::now() > deadline {
            bail!("{css} never showed {text:?} (last seen: {last:?})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until no element matches `css`.
pub async fn wait_gone(client: &Client, css: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    while !client.find_all(Locator::Css(css)).await?.is_empty() {
        if Instant::now() > deadline {
            bail!("{css} is still there");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Clicks the element at `css`, finding it again if the page re-rendered
/// it between the find and the click.
pub async fn click(client: &Client, css: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        let attempt = match client.find(Locator::Css(css)).await {
            Ok(el) => el.click().await,
            Err(err) => Err(err),
        };
        match attempt {
            Ok(()) => return Ok(()),
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(err) => {
                let _ = screenshot(client, "click-failed").await;
                return Err(anyhow::anyhow!("{err:?}")).with_context(|| format!("clicking {css}"));
            }
        }
    }
}

/// The element `css` picks, once the page shows it (a tab's content
/// renders a moment after its click).
pub async fn find(client: &Client, css: &str) -> anyhow::Result<fantoccini::elements::Element> {
    let deadline = Instant::now() + WAIT;
    loop {
        match client.find(Locator::Css(css)).await {
            Ok(element) => return Ok(element),
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
            Err(err) => return Err(anyhow::anyhow!("{err:?}")).with_context(|| format!("finding {css}")),
        }
    }
}

/// Saves a PNG of the window as `<screenshot dir>/<name>.png`.
pub async fn screenshot(client: &Client, name: &str) -> anyhow::Result<PathBuf> {
    let dir = env_path("HEADEND_E2E_SCREENSHOTS")?;
    std::fs::create_dir_all(&dir)?;
    let png = client.screenshot().await?;
    if !png.starts_with(b"\x89PNG") {
        bail!("the screenshot of {name} is not a PNG");
    }
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// The processes of apps started with `data_dir` (Linux: found in /proc,
/// so an operator's own Headend is not mistaken for one).
pub fn app_pids(data_dir: &Path) -> Vec<u32> {
    let needle = data_dir.as_os_str().as_encoded_bytes();
    pids_where(|_, cmdline| cmdline.windows(needle.len()).any(|w| w == needle) && cmdline.starts_with(b"/"))
}

/// The processes `keep` picks from their /proc folder and command line
/// (Linux).
pub fn pids_where(keep: impl Fn(&Path, &[u8]) -> bool) -> Vec<u32> {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(entry.path().join("cmdline")).ok()?;
            keep(&entry.path(), &cmdline).then_some(pid)
        })
        .collect()
}

/// Whether an app started with `data_dir` is still running.
pub fn app_running(data_dir: &Path) -> bool {
    !app_pids(data_dir).is_empty()
}

impl Driver {
    /// Quits the app as the tray's Quit does (SIGTERM takes the same path:
    /// the engine finishes its writes, the window state is saved), waits
    /// for it to be gone so the next launch is a real second start, then
    /// ends the session.
    pub async fn quit(&self, client: Client) -> anyhow::Result<()> {
        for pid in app_pids(&self.data_dir) {
            let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        let deadline = Instant::now() + WAIT;
        while app_running(&self.data_dir) {
            if Instant::now() > deadline {
                bail!("the app is still running {WAIT:?} after it was asked to quit");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The app is gone; the driver may complain about it.
        let _ = client.close().await;
        Ok(())
    }

    /// Whether the app started with this driver's data directory runs.
    pub fn app_running(&self) -> bool {
        app_running(&self.data_dir)
    }
}

/// Saves the page as it is in the light and the dark theme
/// (`<name>-light.png`, `<name>-dark.png`), then puts the operator's
/// theme back.
pub async fn screenshots(client: &Client, name: &str) -> anyhow::Result<()> {
    let before = client.execute("return document.documentElement.dataset.theme || 'system'", vec![]).await?;
    for theme in ["light", "dark"] {
        client.execute("document.documentElement.dataset.theme = arguments[0]", vec![theme.into()]).await?;
        // Let the page repaint in its new colours.
        tokio::time::sleep(Duration::from_millis(150)).await;
        screenshot(client, &format!("{name}-{theme}")).await?;
    }
    client.execute("document.documentElement.dataset.theme = arguments[0]", vec![before]).await?;
    Ok(())
}

/// Waits until `check` holds (polled every 100 ms), or fails with `what`.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while !check() {
        if started.elapsed() > WAIT {
            bail!("{what} did not happen within {WAIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(started.elapsed())
}

/// Types `text` into the (emptied) input at `css`.
pub async fn fill(client: &Client, css: &str, text: &str) -> anyhow::Result<()> {
    let input = find(client, css).await?;
    input.clear().await?;
    input.send_keys(text).await.with_context(|| format!("typing into {css}"))?;
    Ok(())
}

impl Driver {
    /// Closes the app's window as a window manager does when the operator
    /// clicks its close button: a `WM_DELETE_WINDOW` request to the X
    /// window of the app's process. (WebDriver's "close window" is not
    /// that: it tears the page down and ends the session.)
    pub fn close_window_like_a_user(&self) -> anyhow::Result<()> {
        use x11rb::connection::Connection;
        use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};

        let pids = app_pids(&self.data_dir);
        let (conn, screen) = x11rb::connect(None).context("connecting to the X display")?;
        let root = conn.setup().roots[screen].root;
        let atom = |name: &[u8]| -> anyhow::Result<u32> { Ok(conn.intern_atom(false, name)?.reply()?.atom) };
        let (protocols, delete, net_wm_pid) =
            (atom(b"WM_PROTOCOLS")?, atom(b"WM_DELETE_WINDOW")?, atom(b"_NET_WM_PID")?);
        let mut closed = 0;
        for window in conn.query_tree(root)?.reply()?.children {
            let pid = conn.get_property(false, window, net_wm_pid, AtomEnum::CARDINAL, 0, 1)?.reply()?;
            let Some(pid) = pid.value32().and_then(|mut v| v.next()) else { continue };
            let accepts = conn.get_property(false, window, protocols, AtomEnum::ATOM, 0, 32)?.reply()?;
            if !pids.contains(&pid) || !accepts.value32().is_some_and(|mut v| v.any(|a| a == delete)) {
                continue;
            }
            let event = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
            conn.send_event(false, window, EventMask::NO_EVENT, event)?;
            closed += 1;
        }
        conn.flush()?;
        anyhow::ensure!(closed > 0, "no window of the app accepts WM_DELETE_WINDOW");
        Ok(())
    }
}

/// RADIUS mode's real parts for one test: PostgreSQL, FreeRADIUS on it
/// (clients on 127.0.0.0/8 with `nas_secret`), and a simulated router in
/// RADIUS mode whose subscribers log in through that FreeRADIUS.
pub struct RadiusLab {
    pub postgres: headend_simlab::PostgresServer,
    pub freeradius: headend_simlab::FreeRadiusServer,
    pub sim: headend_simlab::SimRouterHandle,
}

impl RadiusLab {
    pub async fn start(nas_secret: &str) -> anyhow::Result<Self> {
        use headend_simlab::{
            FreeRadiusConfig, FreeRadiusServer, PostgresServer, SimConfig, SimRadius, SimRouter, UserStore,
        };
        let postgres = PostgresServer::start().await?;
        let freeradius = FreeRadiusServer::start(FreeRadiusConfig {
            users: UserStore::Sql(postgres.sql_backend("radius")),
            clients: vec![("127.0.0.0/8".parse()?, nas_secret.to_owned())],
        })
        .await?;
        let radius = SimRadius {
            auth: freeradius.auth_addr(),
            accounting: freeradius.acct_addr(),
            secret: nas_secret.to_owned(),
            nas_identifier: "tower-a".into(),
            interim: None,
        };
        let sim = SimRouter::start(SimConfig { radius: Some(radius), tls: false, rest: false, ..SimConfig::default() })
            .await?;
        Ok(Self { postgres, freeradius, sim })
    }

    /// The simulated router's API port, as `router add --port` takes it.
    pub fn api_port(&self) -> String {
        self.sim.api_port().to_string()
    }

    /// Its `/radius incoming` port.
    pub fn coa_port(&self) -> anyhow::Result<String> {
        Ok(self.sim.coa_addr().context("radius mode has a CoA port")?.port().to_string())
    }

    /// FreeRADIUS's authentication address, `HOST:PORT`.
    pub fn server(&self) -> String {
        self.freeradius.auth_addr().to_string()
    }
}
