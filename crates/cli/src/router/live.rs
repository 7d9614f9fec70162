//! `headend router probe | secrets | sessions [--watch]`: what a router
//! holds right now, read through the engine's connector.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, bail};
use headend_fleet::RouterLink;
use headend_routeros::ops::{ActiveEvent, PppActive, PppSecret, RouterApi};
use serde::Serialize;

use super::connect;
use crate::{Globals, output, shutdown};
use headend_store::Store;

/// How long a clean `/cancel` of the watch may take before we just leave.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize)]
struct ProbeJson {
    router: String,
    identity: String,
    version: String,
    board: String,
    uptime_s: Option<u64>,
    /// Percent.
    cpu_load: Option<u8>,
    free_memory: Option<u64>,
    total_memory: Option<u64>,
    ppp_secrets: u64,
    active_sessions: u64,
}

pub async fn probe(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let (router, client) = connect(store, name).await?;
    let health = headend_fleet::probe(&client).await;
    client.close();
    let health = health.with_context(|| format!("{}: reading its health", router.name))?;
    let report = ProbeJson {
        router: router.name.clone(),
        identity: health.identity,
        version: health.version,
        board: health.board,
        uptime_s: health.uptime.map(|u| u.as_secs()),
        cpu_load: health.cpu_load,
        free_memory: health.free_memory,
        total_memory: health.total_memory,
        ppp_secrets: health.ppp_secrets,
        active_sessions: health.active_sessions,
    };
    if globals.json {
        return output::json(&report);
    }
    let memory = match (report.free_memory, report.total_memory) {
        (Some(free), Some(total)) => format!("{} free of {}", output::bytes(free), output::bytes(total)),
        (Some(free), None) => format!("{} free", output::bytes(free)),
        _ => "-".into(),
    };
    let lines = [
        (
            "Router",
            format!(
                "{} ({}:{}, {})",
                output::safe(&router.name),
                output::safe(&router.host),
                router.port,
                router.transport
            ),
        ),
        ("Identity", output::safe(&report.identity)),
        ("Version", output::safe(&report.version)),
        ("Board", output::safe(&report.board)),
        ("Uptime", output::or_dash(health.uptime.map(output::duration))),
        ("CPU load", output::or_dash(report.cpu_load.map(|c| format!("{c}%")))),
        ("Memory", memory),
        ("PPP secrets", report.ppp_secrets.to_string()),
        ("Active sessions", report.active_sessions.to_string()),
    ];
    for (label, value) in lines {
        output::line(format!("{:<17}{value}", format!("{label}:")))?;
    }
    Ok(())
}

/// A PPP secret as printed: everything but its password.
#[derive(Debug, Serialize)]
struct SecretJson {
    id: String,
    name: String,
    service: String,
    profile: String,
    local_address: Option<String>,
    remote_address: Option<String>,
    disabled: bool,
    comment: Option<String>,
}

impl From<&PppSecret> for SecretJson {
    fn from(s: &PppSecret) -> Self {
        Self {
            id: s.id.as_value().to_string_lossy_cp1252().into_owned(),
            name: output::text(&s.name),
            service: output::text(&s.service),
            profile: output::text(&s.profile),
            local_address: s.local_address.as_ref().map(output::text),
            remote_address: s.remote_address.as_ref().map(output::text),
            disabled: s.disabled,
            comment: s.comment.as_ref().map(output::text),
        }
    }
}

pub async fn secrets(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let (router, client) = connect(store, name).await?;
    let secrets = client.ppp_secrets().await;
    client.close();
    let secrets = secrets.with_context(|| format!("{}: reading its PPP secrets", router.name))?;
    let rows: Vec<SecretJson> = secrets.iter().map(SecretJson::from).collect();
    if globals.json {
        return output::json(&rows);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            vec![
                output::safe(&s.id),
                output::safe(&s.name),
                output::safe(&s.service),
                output::safe(&s.profile),
                output::or_dash(s.remote_address.as_deref().map(output::safe)),
                if s.disabled { "yes" } else { "no" }.into(),
                output::or_dash(s.comment.as_deref().map(output::safe)),
            ]
        })
        .collect();
    output::table(&["ID", "NAME", "SERVICE", "PROFILE", "REMOTE ADDRESS", "DISABLED", "COMMENT"], &cells)?;
    eprintln!("{} secret(s) on {}.", rows.len(), output::safe(&router.name));
    Ok(())
}

/// An active session as printed.
#[derive(Debug, Serialize)]
struct SessionJson {
    id: String,
    name: String,
    service: String,
    caller_id: String,
    address: Option<String>,
    uptime_s: Option<u64>,
    session_id: Option<String>,
    bytes_in: Option<u64>,
    bytes_out: Option<u64>,
}

impl From<&PppActive> for SessionJson {
    fn from(s: &PppActive) -> Self {
        Self {
            id: s.id.as_value().to_string_lossy_cp1252().into_owned(),
            name: output::text(&s.name),
            service: output::text(&s.service),
            caller_id: output::text(&s.caller_id),
            address: s.address.as_ref().map(output::text),
            uptime_s: s.uptime.map(|u| u.as_secs()),
            session_id: s.session_id.as_ref().map(output::text),
            bytes_in: s.bytes_in,
            bytes_out: s.bytes_out,
        }
    }
}

fn session_cells(s: &PppActive) -> Vec<String> {
    vec![
        output::shown(s.id.as_value()),
        output::shown(&s.name),
        output::shown(&s.service),
        output::shown(&s.caller_id),
        output::or_dash(s.address.as_ref().map(output::shown)),
        output::or_dash(s.uptime.map(output::duration)),
        output::or_dash(s.bytes_in.map(output::bytes)),
        output::or_dash(s.bytes_out.map(output::bytes)),
    ]
}

const SESSION_HEADERS: [&str; 8] = ["ID", "NAME", "SERVICE", "CALLER ID", "ADDRESS", "UPTIME", "IN", "OUT"];

pub async fn sessions(globals: &Globals, store: &Store, name: &str, watch: bool) -> anyhow::Result<()> {
    let (router, client) = connect(store, name).await?;
    let result = if watch {
        watch_sessions(globals, &router.name, &client).await
    } else {
        list_sessions(globals, &router.name, &client).await
    };
    client.close();
    result
}

async fn list_sessions(globals: &Globals, name: &str, client: &RouterLink) -> anyhow::Result<()> {
    let sessions = client.ppp_active().await.with_context(|| format!("{name}: reading its active sessions"))?;
    if globals.json {
        let rows: Vec<SessionJson> = sessions.iter().map(SessionJson::from).collect();
        return output::json(&rows);
    }
    let cells: Vec<Vec<String>> = sessions.iter().map(session_cells).collect();
    output::table(&SESSION_HEADERS, &cells)?;
    eprintln!("{} active session(s) on {}.", sessions.len(), output::safe(name));
    Ok(())
}

/// One line of `sessions --watch --json`.
#[derive(Debug, Serialize)]
struct WatchEvent {
    /// `session` (present when the watch started), `synced` (all of those
    /// printed), then `up` (a new session), `changed`, `gone`.
    event: &'static str,
    at: String,
    #[serde(flatten)]
    session: Option<SessionJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sessions: Option<usize>,
    /// For `gone`: the session's id and user.
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl WatchEvent {
    fn new(event: &'static str) -> Self {
        Self { event, at: jiff::Timestamp::now().to_string(), session: None, sessions: None, id: None, name: None }
    }

    fn session(event: &'static str, s: &PppActive) -> Self {
        Self { session: Some(SessionJson::from(s)), ..Self::new(event) }
    }
}

fn clock() -> String {
    jiff::ZonedDateTime::now().strftime("%H:%M:%S").to_string()
}

/// The sessions now, then each change as the router reports it until
/// Ctrl-C: streamed by `listen` on the binary API, found by polling over
/// REST (which has no streams).
async fn watch_sessions(globals: &Globals, name: &str, client: &RouterLink) -> anyhow::Result<()> {
    // Listen first, then read: nothing that happens in between is missed.
    let mut changes = client.watch_ppp_active().await.with_context(|| format!("{name}: following its sessions"))?;
    let current = client.ppp_active().await.with_context(|| format!("{name}: reading its active sessions"))?;
    if globals.json {
        for s in &current {
            output::json(&WatchEvent::session("session", s))?;
        }
        output::json(&WatchEvent { sessions: Some(current.len()), ..WatchEvent::new("synced") })?;
    } else {
        let cells: Vec<Vec<String>> = current.iter().map(session_cells).collect();
        output::table(&SESSION_HEADERS, &cells)?;
        eprintln!(
            "{} active session(s) on {}; watching for changes, Ctrl-C to stop.",
            current.len(),
            output::safe(name)
        );
    }
    let mut known: HashMap<String, PppActive> = current.into_iter().map(|s| (s.id.to_string(), s)).collect();

    let stop = shutdown::requested();
    tokio::pin!(stop);
    loop {
        let event = tokio::select! {
            signal = &mut stop => {
                signal.context("waiting for Ctrl-C")?;
                break;
            }
            event = changes.next() => event,
        };
        match event {
            None => bail!("{name}: the router ended the session stream"),
            Some(Err(err)) => return Err(err).with_context(|| format!("{name}: following its sessions")),
            Some(Ok(ActiveEvent::Up(session))) => {
                let key = session.id.to_string();
                let kind = match known.get(&key) {
                    // Already printed (it changed between listen and print).
                    Some(old) if *old == *session => continue,
                    Some(_) => "changed",
                    None => "up",
                };
                if globals.json {
                    output::json(&WatchEvent::session(kind, &session))?;
                } else {
                    let mark = if kind == "up" { "+" } else { "~" };
                    output::line(format!("{} {mark} {}", clock(), session_cells(&session).join("  ")))?;
                }
                known.insert(key, *session);
            }
            Some(Ok(ActiveEvent::Gone(id))) => {
                // Unknown: it ended before the first read; nothing to say.
                let Some(old) = known.remove(&id.to_string()) else { continue };
                if globals.json {
                    output::json(&WatchEvent {
                        id: Some(output::text(id.as_value())),
                        name: Some(output::text(&old.name)),
                        ..WatchEvent::new("gone")
                    })?;
                } else {
                    output::line(format!(
                        "{} - {}  {}",
                        clock(),
                        output::shown(id.as_value()),
                        output::shown(&old.name)
                    ))?;
                }
            }
        }
    }
    if tokio::time::timeout(CANCEL_GRACE, changes.cancel()).await.is_err() {
        tracing::debug!("the router did not confirm the cancel in time");
    }
    Ok(())
}
