//! `headend agent`: the provisioning engine (and the OLT engine: signal
//! sweeps, ONU alerts, zero-touch provisioning) without a window, until
//! SIGTERM or Ctrl-C (the writes in flight finish first). `agent install` makes it
//! an OS service so cutoffs and reconnections happen while nobody is
//! logged in to the console; `agent uninstall` removes it.
//!
//! The desktop app and the agent can run together: a lease in the database
//! keeps them from sweeping the same router at the same time.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use headend_pon::{OltEvent, OltFleet, OltFleetConfig};
use headend_provision::EngineEvent;
use headend_workflows::billing::InvoiceRun;
use headend_workflows::messages::SendRun;
use headend_workflows::sessions::log_history_pass;
use headend_workflows::{Keyring, NoEngine, WorkflowError, Workflows};

use crate::Globals;

#[derive(Debug, clap::Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    command: Option<AgentCommand>,
}

#[derive(Debug, clap::Subcommand)]
enum AgentCommand {
    /// Register the agent as a background service of this user
    /// (systemd on Linux, launchd on macOS) and start it.
    Install {
        /// Print the service definition instead of installing it.
        #[arg(long)]
        print: bool,
    },
    /// Stop the background service and remove it.
    Uninstall,
}

pub async fn run(globals: &Globals, args: AgentArgs) -> anyhow::Result<()> {
    match args.command {
        None => serve(globals).await,
        Some(AgentCommand::Install { print }) => install(globals, print),
        Some(AgentCommand::Uninstall) => uninstall(),
    }
}

async fn serve(globals: &Globals) -> anyhow::Result<()> {
    // Listening first, so a stop asked for during start-up is honoured.
    let mut shutdown = crate::shutdown::Shutdown::listen().context("listening for stop signals")?;
    let (store, provisioner) = super::provisioner(globals, "agent").await?;
    let mut events = provisioner.subscribe();
    let engine = provisioner.clone();
    let running = tokio::spawn(async move { engine.run().await });
    // The OLTs: signal sweeps, alerts and zero-touch provisioning.
    let olts = OltFleet::new(
        store.clone(),
        crate::open::open_secrets(&store).await?,
        OltFleetConfig::new(provisioner.holder().clone()),
    );
    let mut olt_events = olts.subscribe();
    let olt_engine = olts.clone();
    let olts_running = tokio::spawn(async move { olt_engine.run().await });
    // Billing: the invoice run, hourly (the store's sweep requests reach
    // this agent's engine for the services a run's credit reconnects).
    let workflows = Workflows::new(store.clone(), Keyring::lazy(), Arc::new(NoEngine));
    let sender = workflows.clone();
    let invoicing = tokio::spawn(async move { workflows.run_invoices_periodically(report_invoice_run).await });
    // Messages: reminders and the outbox, under the outbox's lease.
    let holder = format!("agent:{}", std::process::id());
    let (stop_messages, stop) = tokio::sync::watch::channel(false);
    let messaging = tokio::spawn(async move {
        let mut told = None;
        sender.run_messages_periodically(&holder, stop, |outcome| report_messages(outcome, &mut told)).await
    });
    // Session history: RADIUS accounting imported, old sessions summed.
    let history_workflows = Workflows::new(store.clone(), Keyring::lazy(), Arc::new(NoEngine));
    let (stop_history, history_stop) = tokio::sync::watch::channel(false);
    let history = tokio::spawn(async move {
        history_workflows.run_session_history_periodically(history_stop, log_history_pass).await
    });
    tracing::info!("agent running");
    eprintln!("headend agent: sweeping; stop with Ctrl-C or SIGTERM");
    loop {
        tokio::select! {
            stop = shutdown.requested() => {
                stop.context("waiting for a stop signal")?;
                break;
            }
            event = events.recv() => match event {
                Ok(event) => report(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => tracing::warn!(missed = n, "engine events missed"),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            event = olt_events.recv() => match event {
                Ok(event) => report_olt(&event),
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => tracing::warn!(missed = n, "OLT events missed"),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
        }
    }
    // A run in flight is one transaction: stopping it rolls it back whole.
    invoicing.abort();
    // Messages being handed to a provider finish and are recorded; the
    // rest of their batch is given back for the next sender.
    let _ = stop_messages.send(true);
    if tokio::time::timeout(MESSAGES_GRACE, messaging).await.is_err() {
        tracing::warn!("messages still being sent after {MESSAGES_GRACE:?}; stopping anyway");
    }
    let _ = stop_history.send(true);
    history.await.context("the session history stopped unexpectedly")?;
    provisioner.shutdown();
    olts.shutdown();
    running.await.context("the engine stopped unexpectedly")?;
    olts_running.await.context("the OLT engine stopped unexpectedly")?;
    store.close().await;
    Ok(())
}

/// How long a stopping agent waits for the messages being handed over.
const MESSAGES_GRACE: std::time::Duration = std::time::Duration::from_secs(40);

fn report_invoice_run(outcome: Result<InvoiceRun, WorkflowError>) {
    match outcome {
        Ok(run) if run.issued.is_empty() => tracing::debug!(date = %run.date, "invoice run: nothing due"),
        Ok(run) => {
            tracing::info!(date = %run.date, issued = run.issued.len(), "invoice run");
            eprintln!("headend agent: {} invoice(s) issued for {}", run.issued.len(), run.date);
        }
        Err(err) => {
            tracing::error!("invoice run failed: {err}");
            eprintln!("headend agent: the invoice run failed: {err}");
        }
    }
}

/// Logs a sending pass; a problem that stays (a provider that cannot be
/// used) is logged once until it changes, not every few seconds.
fn report_messages(outcome: Result<SendRun, WorkflowError>, told: &mut Option<String>) {
    let problem = match outcome {
        Ok(run) => {
            if run.sent + run.retrying > 0 {
                tracing::info!(sent = run.sent, retrying = run.retrying, "messages sent");
            }
            for f in &run.failed {
                tracing::error!(customer = %f.customer_name, channel = %f.channel, error = %f.error, "message failed");
            }
            let unusable: Vec<String> =
                run.unusable.iter().map(|(channel, why)| format!("{channel} cannot be used: {why}")).collect();
            (!unusable.is_empty()).then(|| unusable.join("; "))
        }
        Err(err) => Some(err.to_string()),
    };
    if problem != *told {
        if let Some(text) = &problem {
            tracing::error!("messages are not going out: {text}");
        }
        *told = problem;
    }
}

fn report(event: &EngineEvent) {
    match event {
        EngineEvent::Swept(sweep) if sweep.writes() > 0 => {
            tracing::info!(router = %sweep.router_name, writes = sweep.writes(), "swept");
        }
        EngineEvent::Swept(_) => {}
        EngineEvent::ProvisionFailed(f) => {
            tracing::error!(service = %f.service, router = %f.router, error = %f.error, "provisioning failed");
        }
        EngineEvent::Unreachable { name, error, .. } => tracing::warn!(router = %name, %error, "router unreachable"),
        EngineEvent::SweepFailed { name, error, .. } => tracing::warn!(router = %name, %error, "sweep failed"),
        EngineEvent::LoginRefused { name, error, .. } => {
            tracing::error!(router = %name, %error, "login refused: not retrying until the router is edited");
        }
        EngineEvent::CertificateChanged(c) => {
            tracing::error!(router = %c.name, pinned = %c.pinned, presented = %c.presented, "router certificate changed: not connecting until `headend router pin`");
        }
    }
}

fn report_olt(event: &OltEvent) {
    match event {
        OltEvent::Swept(r) => {
            tracing::debug!(olt = %r.name, onus = r.onus, online = r.online, alerts = r.alerts.len(), took = ?r.took, "OLT swept");
        }
        OltEvent::Alert(a) => {
            let notice = a.notice(None);
            tracing::warn!(olt = %a.olt_name, serial = %a.serial, "{}: {}", notice.title, notice.body);
        }
        OltEvent::Authorized(a) => {
            tracing::info!(service = %a.service, serial = %a.serial, port = %a.port, onu = a.onu_index, "zero-touch: ONU registered");
        }
        OltEvent::AuthorizeFailed(f) => {
            tracing::error!(service = %f.service, serial = %f.serial, error = %f.error, "zero-touch: ONU registration failed");
        }
        OltEvent::HostKeyChanged(c) => {
            tracing::error!(olt = %c.name, pinned = %c.pinned, presented = %c.presented, "OLT host key changed: not connecting until `headend olt pin`");
        }
        OltEvent::LoginRefused { name, error, .. } => {
            tracing::error!(olt = %name, %error, "OLT login refused: not retrying until the agent restarts");
        }
        OltEvent::Unreachable { name, error, .. } => tracing::warn!(olt = %name, %error, "OLT unreachable"),
    }
}

const UNIT: &str = "headend-agent.service";
const LAUNCHD_LABEL: &str = "net.headend.agent";

/// The systemd user unit that runs `exe --data-dir DIR agent`.
fn systemd_unit(exe: &Path, data_dir: &Path) -> String {
    format!(
        "[Unit]\n\
         Description=Headend provisioning engine\n\
         Documentation=man:headend(1)\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         \n\
         [Service]\n\
         ExecStart=\"{exe}\" --data-dir \"{dir}\" agent\n\
         Restart=on-failure\n\
         RestartSec=5\n\
         TimeoutStopSec=60\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        exe = exe.display(),
        dir = data_dir.display(),
    )
}

/// The launchd agent that runs `exe --data-dir DIR agent` at login.
fn launchd_plist(exe: &Path, data_dir: &Path) -> String {
    let escape = |p: &Path| p.display().to_string().replace('&', "&amp;").replace('<', "&lt;");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\"><dict>\n\
         <key>Label</key><string>{LAUNCHD_LABEL}</string>\n\
         <key>ProgramArguments</key><array><string>{exe}</string><string>--data-dir</string><string>{dir}</string><string>agent</string></array>\n\
         <key>RunAtLoad</key><true/>\n\
         <key>KeepAlive</key><true/>\n\
         </dict></plist>\n",
        exe = escape(exe),
        dir = escape(data_dir),
    )
}

fn service_file() -> anyhow::Result<PathBuf> {
    let home = dirs::home_dir().context("no home directory")?;
    if cfg!(target_os = "macos") {
        Ok(home.join("Library/LaunchAgents").join(format!("{LAUNCHD_LABEL}.plist")))
    } else {
        let config = dirs::config_dir().unwrap_or_else(|| home.join(".config"));
        Ok(config.join("systemd/user").join(UNIT))
    }
}

fn install(globals: &Globals, print: bool) -> anyhow::Result<()> {
    if cfg!(windows) {
        anyhow::bail!(
            "on Windows, register the agent as a service as the README describes (sc.exe create HeadendAgent ...)"
        );
    }
    let exe = std::env::current_exe().context("finding this program")?;
    let data_dir = globals.data_dir()?.root().to_path_buf();
    let text = if cfg!(target_os = "macos") { launchd_plist(&exe, &data_dir) } else { systemd_unit(&exe, &data_dir) };
    if print {
        print!("{text}");
        return Ok(());
    }
    let path = service_file()?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    if cfg!(target_os = "macos") {
        command("launchctl", &["load", "-w", &path.display().to_string()])?;
    } else {
        command("systemctl", &["--user", "daemon-reload"])?;
        command("systemctl", &["--user", "enable", "--now", UNIT])?;
        // Without lingering, user services stop at logout and start only
        // at login; with it they run from boot.
        let user = std::env::var("USER").unwrap_or_default();
        if command("loginctl", &["enable-linger", &user]).is_err() {
            eprintln!(
                "headend: to keep the agent running after logout and from boot, run: sudo loginctl enable-linger {user}"
            );
        }
    }
    eprintln!("headend: agent installed ({})", path.display());
    Ok(())
}

fn uninstall() -> anyhow::Result<()> {
    let path = service_file()?;
    if cfg!(target_os = "macos") {
        command("launchctl", &["unload", "-w", &path.display().to_string()]).ok();
    } else if !cfg!(windows) {
        command("systemctl", &["--user", "disable", "--now", UNIT]).ok();
    }
    match std::fs::remove_file(&path) {
        Ok(()) => eprintln!("headend: agent removed"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => eprintln!("headend: the agent was not installed"),
        Err(e) => return Err(e).with_context(|| format!("removing {}", path.display())),
    }
    if !cfg!(target_os = "macos") && !cfg!(windows) {
        command("systemctl", &["--user", "daemon-reload"]).ok();
    }
    Ok(())
}

fn command(program: &str, args: &[&str]) -> anyhow::Result<()> {
    let status =
        std::process::Command::new(program).args(args).status().with_context(|| format!("running {program}"))?;
    anyhow::ensure!(status.success(), "{program} {} failed ({status})", args.join(" "));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unit_runs_this_program_on_this_data_dir() {
        let unit = systemd_unit(Path::new("/usr/bin/headend"), Path::new("/home/op/.local/share/headend"));
        assert!(unit.contains("ExecStart=\"/usr/bin/headend\" --data-dir \"/home/op/.local/share/headend\" agent\n"));
        assert!(unit.contains("Restart=on-failure"));
        assert!(unit.contains("WantedBy=default.target"));
        let plist = launchd_plist(Path::new("/Applications/Headend.app/x"), Path::new("/d&d"));
        assert!(plist.contains("<string>/d&amp;d</string>"));
    }
}
