//! ZTE C300/C320 (ZXAN) and C600 (TITAN): which commands each operation
//! sends. The session rests at `#`; configuration runs between
//! `configure terminal` and `end`, and a failure in between still sends
//! `end` (a half-done registration is reported, for the caller to remove
//! on another session).

pub mod commands;
pub mod parse;

use std::collections::BTreeSet;

pub use commands::Family;

use crate::cli::{Cli, lowest_free, query, run_best_effort, run_ok};
use crate::driver::AuthorizeFailure;
use crate::error::OltError;
use crate::terminal::Mode;
use crate::types::{AuthorizeRequest, AutofindOnu, Onu, OnuRef, OpticalReading, PonPort, PortOptical};

/// ZTE numbers ONUs 1 to 128 on a GPON port.
const MAX_ONU_ID: u32 = 128;

pub(crate) async fn prepare<C: Cli>(cli: &mut C, mode: &Mode) -> Result<(), OltError> {
    if *mode == Mode::User {
        run_ok(cli, "enable").await?;
    }
    run_best_effort(cli, "terminal length 0").await
}

pub(crate) async fn autofind<C: Cli>(cli: &mut C, f: Family) -> Result<Vec<AutofindOnu>, OltError> {
    let cmd = f.uncfg();
    let reply = cli.run(cmd).await?;
    // `%Code 32310-GPONSRV : No related information to show.` means none.
    if crate::text::says_nothing_to_show(&reply.text) {
        return Ok(Vec::new());
    }
    refused(cmd, &reply.text)?;
    parse::uncfg(&reply.text).map_err(|source| OltError::Parse { command: cmd.into(), source })
}

fn refused(command: &str, text: &str) -> Result<(), OltError> {
    match crate::text::refusal(text) {
        Some(message) => Err(OltError::Refused { command: command.to_owned(), message }),
        None => Ok(()),
    }
}

/// A query whose "nothing to show" is an empty list.
async fn rows<C: Cli, T>(
    cli: &mut C,
    cmd: &str,
    parse: impl FnOnce(&str) -> Result<Vec<T>, crate::error::ParseError>,
) -> Result<Vec<T>, OltError> {
    let reply = cli.run(cmd).await?;
    if crate::text::says_nothing_to_show(&reply.text) {
        return Ok(Vec::new());
    }
    refused(cmd, &reply.text)?;
    parse(&reply.text).map_err(|source| OltError::Parse { command: cmd.to_owned(), source })
}

pub(crate) async fn onus<C: Cli>(cli: &mut C, f: Family, port: Option<PonPort>) -> Result<Vec<Onu>, OltError> {
    let states = rows(cli, &f.state(port), parse::onu_state).await?;
    let ports: BTreeSet<PonPort> = match port {
        Some(p) => BTreeSet::from([p]),
        None => states.iter().map(|s| s.onu.port).collect(),
    };
    let mut base = Vec::new();
    for p in ports {
        base.extend(rows(cli, &f.baseinfo(p), parse::baseinfo).await?);
    }
    Ok(states
        .into_iter()
        .map(|s| {
            let b = base.iter().find(|b| b.onu == s.onu);
            Onu {
                onu: s.onu,
                serial: b.and_then(|b| b.serial.clone()),
                equipment_id: b.and_then(|b| b.onu_type.clone()),
                description: None,
                state: s.state,
                last_up: None,
                last_down: None,
                last_down_cause: None,
            }
        })
        .collect())
}

pub(crate) async fn optical<C: Cli>(cli: &mut C, f: Family, onu: OnuRef) -> Result<OpticalReading, OltError> {
    let levels = query(cli, &f.attenuation(onu), parse::attenuation).await?;
    let module = query(cli, &f.remote_pon(onu), parse::remote_onu_pon).await?;
    if levels.onu_rx.is_none() && levels.onu_tx.is_none() && levels.olt_rx.is_none() {
        // A dark ONU: the `down` line may still print the port's own
        // transmit level, which says nothing about this ONU. An offline
        // ONU has no readings at all (the trait's contract).
        return Ok(OpticalReading::default());
    }
    Ok(OpticalReading {
        onu_rx: levels.onu_rx.or(module.onu_rx),
        onu_tx: levels.onu_tx.or(module.onu_tx),
        olt_rx: levels.olt_rx,
        olt_tx: levels.olt_tx,
        temperature: module.temperature,
        voltage: module.voltage,
        bias_current: module.bias_current,
        distance: None,
    })
}

pub(crate) async fn optical_port<C: Cli>(cli: &mut C, f: Family, port: PonPort) -> Result<Vec<PortOptical>, OltError> {
    let rx = rows(cli, &f.onu_rx(port), parse::onu_rx).await?;
    Ok(rx
        .into_iter()
        .map(|(onu, onu_rx)| PortOptical { onu, reading: OpticalReading { onu_rx, ..OpticalReading::default() } })
        .collect())
}

/// Sends `cmds` in order; on a failure sends `end` so the session is back
/// at `#`, and returns the index of the command that failed with the error.
async fn config<C: Cli>(cli: &mut C, cmds: &[String]) -> Result<(), (usize, OltError)> {
    for (i, cmd) in cmds.iter().enumerate() {
        if let Err(e) = run_ok(cli, cmd).await {
            if !matches!(e, OltError::Closed(_) | OltError::Timeout { .. }) {
                let _ = cli.run("end").await;
            }
            return Err((i, e));
        }
    }
    Ok(())
}

pub(crate) async fn authorize<C: Cli>(
    cli: &mut C,
    f: Family,
    req: &AuthorizeRequest,
) -> Result<OnuRef, AuthorizeFailure> {
    // Check the request before anything is sent.
    f.authorize(req, 1).map_err(AuthorizeFailure::nothing_left)?;
    let id = match req.onu_id {
        Some(id) => id,
        None => {
            let used =
                rows(cli, &f.state(Some(req.port)), parse::onu_state).await.map_err(AuthorizeFailure::nothing_left)?;
            lowest_free(used.iter().map(|s| s.onu.id), MAX_ONU_ID).ok_or_else(|| {
                AuthorizeFailure::nothing_left(OltError::InvalidRequest(format!(
                    "port {} has no free ONU id",
                    req.port
                )))
            })?
        }
    };
    let cmds = f.authorize(req, id).map_err(AuthorizeFailure::nothing_left)?;
    match config(cli, &cmds).await {
        Ok(()) => Ok(OnuRef::new(req.port, id)),
        // Index 2 is `onu N type T sn S`: from it on, the ONU may exist.
        Err((REGISTER, e)) => Err(AuthorizeFailure::at_register(e, req, Some(id))),
        Err((i, e)) if i > REGISTER => Err(AuthorizeFailure::left(e, req, Some(id))),
        Err((_, e)) => Err(AuthorizeFailure::nothing_left(e)),
    }
}

/// Where `onu N type T sn S` is in [`Family::authorize`]'s commands.
const REGISTER: usize = 2;

pub(crate) async fn deregister<C: Cli>(cli: &mut C, f: Family, onu: OnuRef) -> Result<(), OltError> {
    config(cli, &f.deregister(onu)).await.map_err(|(_, e)| e)
}

pub(crate) async fn reboot<C: Cli>(cli: &mut C, f: Family, onu: OnuRef) -> Result<(), OltError> {
    config(cli, &f.reboot(onu)).await.map_err(|(_, e)| e)
}
