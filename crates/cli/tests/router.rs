//! The real `headend` binary against simulated routers started here, with a
//! temporary data directory and the real keyring (`cargo xtask test` runs
//! the tests in a D-Bus session with an unlocked throwaway GNOME Keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use headend_routeros::Value;
use headend_routeros::client::{Client, ConnectOptions};
use headend_routeros::ops::{NewPppSecret, RouterApi};
use headend_secrets::{SecretKey, SecretStore};
use headend_simlab::{SimConfig, SimRouter};
use serde_json::Value as Json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

/// How long a streamed line may take.
const LINE_TIMEOUT: Duration = Duration::from_secs(20);

const PASSWORD: &str = "Tr0ub4dor&3-cli";

struct Out {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Json {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?} / {}", self.stdout, self.stderr))
    }

    fn ok(self) -> Self {
        assert!(self.success, "headend failed: {}", self.stderr);
        self
    }

    /// A failure with one clear line on stderr containing `needle`.
    fn clear_error(&self, needle: &str) {
        assert!(!self.success, "expected a failure, got: {}", self.stdout);
        let err = self.stderr.trim_end();
        assert_eq!(err.lines().count(), 1, "one line expected: {err:?}");
        assert!(err.starts_with("headend: "), "{err:?}");
        assert!(err.contains(needle), "{err:?} lacks {needle:?}");
        assert!(!err.contains("panicked"), "{err:?}");
        assert!(!err.contains(PASSWORD), "a password in an error: {err:?}");
    }
}

/// A temporary data directory; the keyring entries of the routers the CLI
/// added are deleted at the end.
struct Lab {
    dir: tempfile::TempDir,
    secrets: SecretStore,
    ids: Vec<i64>,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // The CLI keeps passwords under the database's installation id:
        // create the database first to learn it.
        let store = headend_store::Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let scope = store.installation_id().await.unwrap();
        store.close().await;
        let secrets = SecretStore::open().expect("these tests need a keyring: run them with cargo xtask test");
        Self { dir, secrets: secrets.scoped(&scope), ids: Vec::new() }
    }

    fn headend(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_headend"));
        cmd.arg("--data-dir").arg(self.dir.path()).kill_on_drop(true);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Out {
        self.run_with_input(args, None).await
    }

    async fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Out {
        let mut child = self
            .headend()
            .args(args)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            // A child that refuses its arguments exits without reading.
            let _ = stdin.write_all(input.as_bytes()).await;
        }
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .expect("headend did not finish in a minute")
            .unwrap();
        Out {
            success: out.status.success(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        }
    }

    /// `headend router add NAME` on 127.0.0.1, the password on stdin; over
    /// plain API (the simulators' `api_port`) unless `extra` says otherwise.
    async fn add(&mut self, name: &str, port: u16, extra: &[&str], password: &str) -> Out {
        let port = port.to_string();
        let plain: &[&str] = if extra.contains(&"--transport") { &[] } else { &["--transport", "api"] };
        let mut args = vec![
            "--json",
            "router",
            "add",
            name,
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            "admin",
            "--password-stdin",
        ];
        args.extend_from_slice(plain);
        args.extend_from_slice(extra);
        let out = self.run_with_input(&args, Some(password)).await;
        if out.success {
            self.ids.push(out.json()["id"].as_i64().unwrap());
        }
        out
    }

    fn stored_password(&self, id: i64) -> Option<String> {
        self.secrets.get(&SecretKey::router(id)).unwrap().map(|s| s.expose().to_owned())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for id in &self.ids {
            let _ = self.secrets.delete(&SecretKey::router(id));
        }
    }
}

/// Every byte of the database files.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("headend.sqlite3") {
            all.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    all
}

async fn next_json(lines: &mut Lines<BufReader<ChildStdout>>) -> Json {
    let line = tokio::time::timeout(LINE_TIMEOUT, lines.next_line())
        .await
        .expect("no line in time")
        .unwrap()
        .expect("the output ended");
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line:?}"))
}

fn spawn_streaming(cmd: &mut Command) -> (Child, Lines<BufReader<ChildStdout>>) {
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

/// Ctrl-C: the command stops cleanly, with success.
async fn interrupt(child: &mut Child) {
    let pid = child.id().expect("still running").to_string();
    let sent = Command::new("kill").args(["-INT", &pid]).status().await.unwrap();
    assert!(sent.success());
    let status = tokio::time::timeout(LINE_TIMEOUT, child.wait()).await.expect("no exit after Ctrl-C").unwrap();
    assert!(status.success(), "{status}");
}

fn sim_config(identity: &str, secrets: usize, active: usize) -> SimConfig {
    SimConfig {
        identity: identity.into(),
        password: PASSWORD.into(),
        secrets,
        active_sessions: active,
        ..SimConfig::default()
    }
}

#[tokio::test]
async fn add_list_probe_secrets_sessions_and_remove() {
    let sim = SimRouter::start(sim_config("edge-1", 12, 5)).await.unwrap();
    // A customer whose name and comment were typed on an old Windows box.
    let direct =
        Client::connect(ConnectOptions::new("127.0.0.1", "admin", PASSWORD).port(sim.api_port())).await.unwrap();
    direct
        .add_ppp_secret(
            NewPppSecret::pppoe(Value::from(&b"jos\xe9"[..]), "x").comment(Value::from(&b"Jos\xe9 Mu\xf1oz"[..])),
        )
        .await
        .unwrap();
    direct.close();

    let mut lab = Lab::new().await;
    let out = lab
        .add("edge-1", sim.api_port(), &["--location", "-1.2921,36.8219", "--pop", "Tower A"], &format!("{PASSWORD}\n"))
        .await
        .ok();
    assert!(!out.stdout.contains(PASSWORD) && !out.stderr.contains(PASSWORD));
    let added = out.json();
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["pop"], "Tower A");
    assert_eq!(added["port"], sim.api_port());

    // The password is in the keyring (without the newline), not in the database.
    assert_eq!(lab.stored_password(id).as_deref(), Some(PASSWORD));
    let db = database_bytes(lab.dir.path());
    assert!(!db.is_empty());
    assert!(!db.windows(PASSWORD.len()).any(|w| w == PASSWORD.as_bytes()), "the password is in the database");

    let list = lab.run(&["router", "list", "--json"]).await.ok().json();
    let routers = list.as_array().unwrap();
    assert_eq!(routers.len(), 1);
    assert_eq!(routers[0]["name"], "edge-1");
    assert_eq!(routers[0]["transport"], "api");
    assert_eq!(routers[0]["location"]["lat"], -1.2921);
    let text = lab.run(&["router", "list"]).await.ok().stdout;
    assert!(text.starts_with("ID  NAME"), "{text}");
    assert!(text.contains("edge-1") && text.contains("Tower A") && text.contains("-1.2921,36.8219"), "{text}");

    let health = lab.run(&["router", "probe", "edge-1", "--json"]).await.ok().json();
    assert_eq!(health["identity"], "edge-1");
    assert_eq!(health["version"], "7.18.2 (stable)");
    assert_eq!(health["ppp_secrets"], 13);
    assert_eq!(health["active_sessions"], 5);
    assert!(health["uptime_s"].is_u64() && health["cpu_load"].is_u64() && health["free_memory"].is_u64(), "{health}");
    let text = lab.run(&["router", "probe", "edge-1"]).await.ok().stdout;
    assert!(text.contains("Identity:        edge-1") && text.contains("PPP secrets:     13"), "{text}");
    assert!(text.contains("Active sessions: 5"), "{text}");

    let secrets = lab.run(&["router", "secrets", "edge-1", "--json"]).await.ok().json();
    let secrets = secrets.as_array().unwrap();
    assert_eq!(secrets.len(), 13);
    assert_eq!(secrets[0]["name"], "user00001");
    assert_eq!(secrets[0]["profile"], "default");
    assert!(secrets.iter().all(|s| s.get("password").is_none()), "PPP passwords are never printed");
    let jose = secrets.iter().find(|s| s["name"] == "josé").expect("the cp1252 name, decoded");
    assert_eq!(jose["comment"], "José Muñoz");
    let text = lab.run(&["router", "secrets", "edge-1"]).await.ok().stdout;
    assert!(text.contains("José Muñoz") && !text.contains("pass1"), "{text}");

    let sessions = lab.run(&["router", "sessions", "edge-1", "--json"]).await.ok().json();
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 5);
    let first = &sessions[0];
    assert!(first["id"].as_str().unwrap().starts_with('*'), "{first}");
    assert!(first["name"].as_str().unwrap().starts_with("user"), "{first}");
    assert_eq!(first["service"], "pppoe");
    assert!(first["address"].is_string() && first["caller_id"].is_string(), "{first}");
    let text = lab.run(&["router", "sessions", "edge-1"]).await.ok().stdout;
    assert_eq!(text.lines().count(), 6, "a header and 5 sessions: {text}");

    let removed = lab.run(&["router", "remove", "edge-1", "--json"]).await.ok().json();
    assert_eq!(removed["password_deleted"], true);
    assert_eq!(lab.stored_password(id), None, "the keyring entry is gone");
    assert_eq!(lab.run(&["router", "list", "--json"]).await.ok().json(), serde_json::json!([]));
    lab.run(&["router", "probe", "edge-1"]).await.clear_error("no router named \"edge-1\"");
}

#[tokio::test]
async fn watch_prints_sessions_as_they_come_and_go() {
    let sim = SimRouter::start(sim_config("edge-w", 10, 2)).await.unwrap();
    let mut lab = Lab::new().await;
    lab.add("edge-w", sim.api_port(), &[], PASSWORD).await.ok();

    let (mut child, mut lines) =
        spawn_streaming(lab.headend().args(["router", "sessions", "edge-w", "--watch", "--json"]));
    let mut present = Vec::new();
    loop {
        let event = next_json(&mut lines).await;
        match event["event"].as_str() {
            Some("session") => present.push(event["name"].as_str().unwrap().to_owned()),
            Some("synced") => {
                assert_eq!(event["sessions"], 2);
                break;
            }
            other => panic!("unexpected {other:?}: {event}"),
        }
    }
    assert_eq!(present, ["user00001", "user00002"]);

    // A subscriber dials in...
    let id = sim.connect_session("user00007").expect("user00007 can dial in");
    let up = next_json(&mut lines).await;
    assert_eq!(up["event"], "up", "{up}");
    assert_eq!(up["name"], "user00007");
    assert_eq!(up["id"], id.as_str());
    assert!(up["address"].is_string() && up["at"].is_string(), "{up}");

    // ...and one hangs up.
    assert!(sim.disconnect_session("user00001"));
    let gone = next_json(&mut lines).await;
    assert_eq!(gone["event"], "gone", "{gone}");
    assert_eq!(gone["name"], "user00001");

    assert!(child.try_wait().unwrap().is_none(), "the watch goes on until stopped");
    interrupt(&mut child).await;
}

#[tokio::test]
async fn a_wrong_password_is_a_clear_error() {
    let sim = SimRouter::start(sim_config("edge-p", 1, 0)).await.unwrap();
    let mut lab = Lab::new().await;
    lab.add("edge-p", sim.api_port(), &[], "not-the-password").await.ok();
    let out = lab.run(&["router", "probe", "edge-p"]).await;
    out.clear_error("edge-p: login refused by the router");
    assert!(!out.stderr.contains("not-the-password"));
    lab.run(&["router", "secrets", "edge-p", "--json"]).await.clear_error("login refused");
}

#[tokio::test]
async fn a_duplicate_name_is_a_clear_error_and_changes_nothing() {
    let sim = SimRouter::start(sim_config("edge-d", 1, 0)).await.unwrap();
    let mut lab = Lab::new().await;
    let first = lab.add("edge-d", sim.api_port(), &["--pop", "Tower B"], PASSWORD).await.ok().json();
    let id = first["id"].as_i64().unwrap();
    let again = lab.add("edge-d", sim.api_port(), &["--pop", "Cabinet 9"], "another-password").await;
    again.clear_error("a router named \"edge-d\" already exists");

    assert_eq!(lab.stored_password(id).as_deref(), Some(PASSWORD), "the first router's password is untouched");
    assert_eq!(lab.run(&["router", "list", "--json"]).await.ok().json().as_array().unwrap().len(), 1);
    let status = lab.run(&["status", "--json"]).await.ok().json();
    assert_eq!(
        (status["routers"].as_i64(), status["pops"].as_i64()),
        (Some(1), Some(1)),
        "no POP left behind: {status}"
    );
}

#[tokio::test]
async fn simulate_prints_ports_that_answer_probes() {
    let mut lab = Lab::new().await;
    let (mut sim, mut lines) = spawn_streaming(lab.headend().args([
        "simulate",
        "--routers",
        "2",
        "--secrets-per-router",
        "7",
        "--active-per-router",
        "3",
        "--json",
    ]));
    let first = next_json(&mut lines).await;
    let second = next_json(&mut lines).await;
    assert_eq!((first["name"].as_str(), second["name"].as_str()), (Some("sim-1"), Some("sim-2")));
    assert_eq!(second["host"], "127.0.0.1");
    let port = |key: &str| u16::try_from(second[key].as_u64().unwrap_or_else(|| panic!("no {key}: {second}"))).unwrap();
    let (api, tls, rest) = (port("api_port"), port("api_tls_port"), port("rest_port"));

    lab.add("plain", api, &[], "admin").await.ok();
    let health = lab.run(&["router", "probe", "plain", "--json"]).await.ok().json();
    assert_eq!(health["identity"], "sim-2");
    assert_eq!((health["ppp_secrets"].as_u64(), health["active_sessions"].as_u64()), (Some(7), Some(3)));

    // API-TLS: the certificate is pinned on first use.
    lab.add("secure", tls, &["--transport", "api-tls"], "admin").await.ok();
    let health = lab.run(&["router", "probe", "secure", "--json"]).await.ok().json();
    assert_eq!(health["identity"], "sim-2");
    let list = lab.run(&["router", "list", "--json"]).await.ok().json();
    let secure = list.as_array().unwrap().iter().find(|r| r["name"] == "secure").unwrap().clone();
    assert_eq!(secure["tls_pin"].as_str().map(str::len), Some(64), "{secure}");

    // REST over HTTPS, same certificate.
    lab.add("web", rest, &["--transport", "rest"], "admin").await.ok();
    let health = lab.run(&["router", "probe", "web", "--json"]).await.ok().json();
    assert_eq!((health["identity"].as_str(), health["ppp_secrets"].as_u64()), (Some("sim-2"), Some(7)));

    interrupt(&mut sim).await;
    lab.run(&["router", "probe", "plain"]).await.clear_error("plain: cannot connect to 127.0.0.1");
}

#[tokio::test]
async fn bad_input_is_refused_clearly_before_anything_is_stored() {
    let lab = Lab::new().await;
    let add = ["router", "add", "r1", "--host", "127.0.0.1", "--user", "admin", "--password-stdin"];
    lab.run_with_input(&add, Some("")).await.clear_error("no password on standard input");
    lab.run_with_input(&add, Some("\n")).await.clear_error("no password on standard input");
    let no_flag = lab.run_with_input(&add[..add.len() - 1], Some(PASSWORD)).await;
    assert!(!no_flag.success && no_flag.stderr.contains("--password-stdin"), "{}", no_flag.stderr);
    let bad_place = lab.run_with_input(&[&add[..], &["--location", "95,10"]].concat(), Some(PASSWORD)).await;
    assert!(!bad_place.success && bad_place.stderr.contains("latitude 95 is outside"), "{}", bad_place.stderr);
    let bad_transport = lab.run_with_input(&[&add[..], &["--transport", "ssh"]].concat(), Some(PASSWORD)).await;
    assert!(
        !bad_transport.success && bad_transport.stderr.contains("use api, api-tls or rest"),
        "{}",
        bad_transport.stderr
    );
    assert_eq!(lab.run(&["router", "list", "--json"]).await.ok().json(), serde_json::json!([]));

    lab.run(&["router", "sessions", "nowhere", "--watch"]).await.clear_error("no router named \"nowhere\"");
    lab.run(&["router", "remove", "nowhere"]).await.clear_error("no router named \"nowhere\"");

    let faults = lab.run(&["simulate", "--faults", "latency=20ms,explode"]).await;
    assert!(!faults.success && faults.stderr.contains("unknown fault \"explode\""), "{}", faults.stderr);
    lab.run(&["simulate", "--secrets-per-router", "2", "--active-per-router", "3"])
        .await
        .clear_error("--active-per-router (3) cannot be more than --secrets-per-router (2)");
}

#[tokio::test]
async fn api_tls_is_the_default_and_a_changed_certificate_waits_for_router_pin() {
    let sim = SimRouter::start(SimConfig { tls: true, ..sim_config("edge-t", 3, 0) }).await.unwrap();
    let mut lab = Lab::new().await;
    let tls = sim.api_tls_port().unwrap();
    let added = lab.add("edge-t", tls, &["--transport", "api-tls"], PASSWORD).await.ok().json();
    assert_eq!(added["transport"], "api-tls");
    lab.run(&["router", "probe", "edge-t"]).await.ok();
    let first = sim.certificate_pin().unwrap().to_string();

    let swapped = sim.rotate_certificate().unwrap().to_string();
    let refused = lab.run(&["router", "probe", "edge-t"]).await;
    refused.clear_error("headend router pin edge-t");
    assert!(refused.stderr.contains(&swapped) && refused.stderr.contains(&first), "{}", refused.stderr);
    let list = lab.run(&["router", "list", "--json"]).await.ok().json();
    assert_eq!(list[0]["tls_pin"].as_str(), Some(first.as_str()), "never re-pinned by a connection");
    assert_eq!(list[0]["presented_tls_pin"].as_str(), Some(swapped.as_str()));

    lab.run(&["router", "pin", "edge-t", "--expect", &first]).await.clear_error("now presents another certificate");
    let pinned = lab.run(&["router", "pin", "edge-t", "--expect", &swapped, "--json"]).await.ok().json();
    assert_eq!((pinned["certificate"].as_str(), pinned["previous"].as_str()), (Some(&*swapped), Some(&*first)));
    lab.run(&["router", "probe", "edge-t"]).await.ok();
    lab.run(&["router", "pin", "edge-t"]).await.clear_error("has presented no other certificate");
}

#[tokio::test]
async fn without_a_transport_a_router_is_added_over_api_tls_and_told_how_to_make_its_certificate() {
    let lab = Lab::new().await;
    // Nothing listens there, as on a router whose api-ssl service is off.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port().to_string();
    let add =
        ["router", "add", "edge-n", "--host", "127.0.0.1", "--port", &port, "--user", "admin", "--password-stdin"];
    let out = lab.run_with_input(&add, Some(PASSWORD)).await.ok();
    assert!(out.stdout.contains("over api-tls"), "{}", out.stdout);
    assert!(out.stdout.contains("/ip service set api-ssl certificate=headend-api"), "{}", out.stdout);
    // The error says what to do on the router.
    let probe = lab.run(&["router", "probe", "edge-n"]).await;
    assert!(!probe.success);
    assert!(probe.stderr.contains("/certificate add name=headend-api"), "{}", probe.stderr);

    let plain = ["router", "add", "edge-p", "--host", "127.0.0.1", "--port", &port, "--transport", "api"];
    let out =
        lab.run_with_input(&[&plain[..], &["--user", "admin", "--password-stdin"]].concat(), Some(PASSWORD)).await;
    let out = out.ok();
    assert!(out.stderr.contains("warning: plain API sends the router's password"), "{}", out.stderr);
}

#[tokio::test]
async fn a_password_typed_at_a_terminal_is_not_shown() {
    let mut lab = Lab::new().await;
    // `script` gives the command a real terminal; what it prints is what
    // the operator's screen would show.
    let line = format!(
        "{} --data-dir {} router add typed --host 127.0.0.1 --transport api --user admin --password-stdin --json",
        env!("CARGO_BIN_EXE_headend"),
        lab.dir.path().display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("script(1), from util-linux");
    let mut stdin = child.stdin.take().unwrap();
    // Typed once the prompt is up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stdin.write_all(b"Typed-S3cret\n").await.unwrap();
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.unwrap().unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("Router password:"), "{screen}");
    assert!(!screen.contains("Typed-S3cret"), "the password was echoed: {screen}");
    let added = lab.run(&["router", "list", "--json"]).await.ok().json();
    let id = added[0]["id"].as_i64().unwrap();
    lab.ids.push(id);
    assert_eq!(lab.stored_password(id).as_deref(), Some("Typed-S3cret"));
}
