//! VSOL V1600G: which commands each operation sends. The session rests in
//! `(config)#`; every ONU command runs inside `interface gpon 0/n`, left
//! with `exit` also when it fails. VSOL has no command for all ports at
//! once, so operations without a port walk ports 1 to `ports`.

pub mod commands;
pub mod parse;

use crate::cli::{Cli, lowest_free, run_best_effort, run_ok};
use crate::driver::AuthorizeFailure;
use crate::error::{OltError, ParseError};
use crate::terminal::Mode;
use crate::types::{AuthorizeRequest, AutofindOnu, Onu, OnuRef, OpticalReading, PonPort, PortOptical, RunState};

/// VSOL numbers ONUs 1 to 128 on a GPON port.
const MAX_ONU_ID: u32 = 128;

pub(crate) async fn prepare<C: Cli>(cli: &mut C, mode: &Mode) -> Result<(), OltError> {
    if *mode == Mode::User {
        run_ok(cli, "enable").await?;
    }
    run_best_effort(cli, "terminal length 0").await?;
    let reply = cli.run("configure terminal").await?;
    if reply.prompt.mode != Mode::Config {
        return Err(OltError::Refused {
            command: "configure terminal".into(),
            message: format!("expected the (config)# prompt, got {}", reply.prompt),
        });
    }
    Ok(())
}

/// Runs `body` inside `interface gpon 0/n` and exits either way.
macro_rules! in_port {
    ($cli:expr, $port:expr, $body:expr) => {{
        run_ok($cli, &commands::interface($port)).await?;
        let result = $body;
        let back = run_ok($cli, "exit").await;
        let value = result?;
        back?;
        Ok(value)
    }};
}

async fn table<C: Cli, T>(
    cli: &mut C,
    cmd: &str,
    parse: impl FnOnce(&str) -> Result<Vec<T>, ParseError>,
) -> Result<Vec<T>, OltError> {
    let reply = cli.run(cmd).await?;
    if crate::text::says_nothing_to_show(&reply.text) {
        return Ok(Vec::new());
    }
    if let Some(message) = crate::text::refusal(&reply.text) {
        return Err(OltError::Refused { command: cmd.into(), message });
    }
    parse(&reply.text).map_err(|source| OltError::Parse { command: cmd.into(), source })
}

pub(crate) async fn autofind<C: Cli>(cli: &mut C, ports: u16) -> Result<Vec<AutofindOnu>, OltError> {
    let mut found = Vec::new();
    for n in 1..=ports {
        let port = PonPort::vsol(n);
        let rows: Result<Vec<AutofindOnu>, OltError> =
            in_port!(cli, port, table(cli, commands::AUTOFIND, parse::autofind).await);
        found.extend(rows?.into_iter().map(|mut a| {
            a.port = port;
            a
        }));
    }
    Ok(found)
}

async fn onus_on<C: Cli>(cli: &mut C, port: PonPort) -> Result<Vec<Onu>, OltError> {
    in_port!(cli, port, {
        let info = table(cli, commands::INFO, parse::onu_info).await;
        match info {
            Ok(info) => table(cli, commands::STATE, parse::onu_state).await.map(|states| {
                info.into_iter()
                    .map(|i| {
                        let id = i.onu.id;
                        let state = states
                            .iter()
                            .find(|s| s.onu.id == id)
                            .map_or(RunState::Other("unknown".into()), |s| s.state.clone());
                        Onu {
                            onu: OnuRef::new(port, id),
                            serial: i.serial,
                            equipment_id: i.model,
                            description: None,
                            state,
                            last_up: None,
                            last_down: None,
                            last_down_cause: None,
                        }
                    })
                    .collect::<Vec<_>>()
            }),
            Err(e) => Err(e),
        }
    })
}

pub(crate) async fn onus<C: Cli>(cli: &mut C, ports: u16, port: Option<PonPort>) -> Result<Vec<Onu>, OltError> {
    match port {
        Some(p) => onus_on(cli, p).await,
        None => {
            let mut all = Vec::new();
            for n in 1..=ports {
                all.extend(onus_on(cli, PonPort::vsol(n)).await?);
            }
            Ok(all)
        }
    }
}

async fn optical_in_port<C: Cli>(cli: &mut C, id: u32) -> Result<OpticalReading, OltError> {
    let cmd = commands::optical(id);
    let reply = cli.run(&cmd).await?;
    if let Some(message) = crate::text::refusal(&reply.text) {
        return Err(OltError::Refused { command: cmd, message });
    }
    parse::optical(&reply.text).map_err(|source| OltError::Parse { command: cmd, source })
}

pub(crate) async fn optical<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<OpticalReading, OltError> {
    in_port!(cli, onu.port, optical_in_port(cli, onu.id).await)
}

pub(crate) async fn optical_port<C: Cli>(cli: &mut C, port: PonPort) -> Result<Vec<PortOptical>, OltError> {
    in_port!(cli, port, {
        let mut out = Vec::new();
        let mut failed = None;
        match table(cli, commands::STATE, parse::onu_state).await {
            Ok(states) => {
                for s in states {
                    let onu = OnuRef::new(port, s.onu.id);
                    if s.state != RunState::Online {
                        out.push(PortOptical { onu, reading: OpticalReading::default() });
                        continue;
                    }
                    match optical_in_port(cli, s.onu.id).await {
                        Ok(reading) => out.push(PortOptical { onu, reading }),
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
            }
            Err(e) => failed = Some(e),
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    })
}

pub(crate) async fn authorize<C: Cli>(cli: &mut C, req: &AuthorizeRequest) -> Result<OnuRef, AuthorizeFailure> {
    commands::authorize(req, 1).map_err(AuthorizeFailure::nothing_left)?;
    run_ok(cli, &commands::interface(req.port)).await.map_err(AuthorizeFailure::nothing_left)?;
    let registered = match free_id(cli, req).await {
        Ok(id) => register(cli, req, id).await.map(|()| id),
        Err(e) => Err(AuthorizeFailure::nothing_left(e)),
    };
    let back = run_ok(cli, "exit").await;
    let id = registered?;
    back.map_err(|e| AuthorizeFailure::left(e, req, Some(id)))?;
    Ok(OnuRef::new(req.port, id))
}

/// The request's id, or the lowest free one on the port (in the port).
async fn free_id<C: Cli>(cli: &mut C, req: &AuthorizeRequest) -> Result<u32, OltError> {
    match req.onu_id {
        Some(id) => Ok(id),
        None => {
            let used = table(cli, commands::INFO, parse::onu_info).await?;
            lowest_free(used.iter().map(|i| i.onu.id), MAX_ONU_ID)
                .ok_or_else(|| OltError::InvalidRequest(format!("port {} has no free ONU id", req.port)))
        }
    }
}

/// `onu add` first (index 0), then its settings.
async fn register<C: Cli>(cli: &mut C, req: &AuthorizeRequest, id: u32) -> Result<(), AuthorizeFailure> {
    let cmds = commands::authorize(req, id).map_err(AuthorizeFailure::nothing_left)?;
    for (i, cmd) in cmds.iter().enumerate() {
        if let Err(e) = run_ok(cli, cmd).await {
            return Err(if i == 0 {
                AuthorizeFailure::at_register(e, req, Some(id))
            } else {
                AuthorizeFailure::left(e, req, Some(id))
            });
        }
    }
    Ok(())
}

pub(crate) async fn deregister<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
    in_port!(cli, onu.port, run_ok(cli, &commands::delete(onu.id)).await.map(drop))
}

pub(crate) async fn reboot<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
    in_port!(cli, onu.port, run_ok(cli, &commands::reboot(onu.id)).await.map(drop))
}
