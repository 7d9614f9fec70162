//! Huawei MA5600T / MA5800: which commands each operation sends, in which
//! mode. The session rests in `(config)#`; operations on one port enter
//! `interface gpon F/S` and always `quit` back, also when they fail.

pub mod commands;
pub mod parse;

use crate::cli::{Cli, query, run_best_effort, run_ok};
use crate::driver::AuthorizeFailure;
use crate::error::OltError;
use crate::terminal::Mode;
use crate::types::{AuthorizeRequest, AutofindOnu, Onu, OnuRef, OpticalReading, PonPort, PortOptical};

/// After login: privileged mode, no interactive hints, no pager, config mode.
pub(crate) async fn prepare<C: Cli>(cli: &mut C, mode: &Mode) -> Result<(), OltError> {
    if *mode == Mode::User {
        run_ok(cli, "enable").await?;
    }
    run_best_effort(cli, "undo smart").await?;
    run_best_effort(cli, "scroll").await?;
    run_best_effort(cli, "screen-length 0 temporary").await?;
    let reply = cli.run("config").await?;
    if reply.prompt.mode != Mode::Config {
        return Err(OltError::Refused {
            command: "config".into(),
            message: format!("expected the (config)# prompt, got {}", reply.prompt),
        });
    }
    Ok(())
}

pub(crate) async fn autofind<C: Cli>(cli: &mut C) -> Result<Vec<AutofindOnu>, OltError> {
    let reply = cli.run(commands::AUTOFIND).await?;
    // "Failure: The automatically found ONTs do not exist" is an empty list.
    if crate::text::says_nothing_to_show(&reply.text) {
        return Ok(Vec::new());
    }
    if let Some(message) = crate::text::refusal(&reply.text) {
        return Err(OltError::Refused { command: commands::AUTOFIND.into(), message });
    }
    parse::autofind(&reply.text).map_err(|source| OltError::Parse { command: commands::AUTOFIND.into(), source })
}

pub(crate) async fn onus<C: Cli>(cli: &mut C, port: Option<PonPort>) -> Result<Vec<Onu>, OltError> {
    match port {
        Some(p) => {
            let cmd = commands::summary(p);
            let reply = cli.run(&cmd).await?;
            if is_empty_port(&reply.text) {
                return Ok(Vec::new());
            }
            refused(&cmd, &reply.text)?;
            parse::ont_summary(&reply.text).map_err(|source| OltError::Parse { command: cmd, source })
        }
        None => {
            let reply = cli.run(commands::INFO_ALL).await?;
            if is_empty_port(&reply.text) {
                return Ok(Vec::new());
            }
            refused(commands::INFO_ALL, &reply.text)?;
            parse::ont_info(&reply.text)
                .map_err(|source| OltError::Parse { command: commands::INFO_ALL.into(), source })
        }
    }
}

/// `Failure: There is no ONT available`, `Failure: The ONT does not exist`
/// (what `display ont info 0 all` says with none registered) and the
/// like: a port or frame with nothing.
fn is_empty_port(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("no ont available") || lower.contains("there is no ont") || lower.contains("ont does not exist")
}

fn refused(command: &str, text: &str) -> Result<(), OltError> {
    match crate::text::refusal(text) {
        Some(message) => Err(OltError::Refused { command: command.to_owned(), message }),
        None => Ok(()),
    }
}

/// Runs `body` inside `interface gpon F/S` and quits back either way.
macro_rules! in_interface {
    ($cli:expr, $port:expr, $body:expr) => {{
        run_ok($cli, &commands::interface($port)).await?;
        let result = $body;
        let back = run_ok($cli, "quit").await;
        let value = result?;
        back?;
        Ok(value)
    }};
}

pub(crate) async fn optical<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<OpticalReading, OltError> {
    in_interface!(cli, onu.port, {
        let cmd = commands::optical(onu);
        let reply = cli.run(&cmd).await;
        match reply {
            // "Failure: The ONT is not online": no reading, not an error.
            Ok(r) if r.text.to_ascii_lowercase().contains("not online") => Ok(OpticalReading::default()),
            Ok(r) => refused(&cmd, &r.text)
                .and_then(|()| parse::optical_ont(&r.text).map_err(|source| OltError::Parse { command: cmd, source })),
            Err(e) => Err(e),
        }
    })
}

pub(crate) async fn optical_port<C: Cli>(cli: &mut C, port: PonPort) -> Result<Vec<PortOptical>, OltError> {
    in_interface!(cli, port, {
        let cmd = commands::optical_port(port);
        query(cli, &cmd, parse::optical_port).await.map(|rows| {
            rows.into_iter()
                .map(|(id, reading)| PortOptical { onu: OnuRef::new(port, id), reading })
                .collect::<Vec<_>>()
        })
    })
}

pub(crate) async fn authorize<C: Cli>(cli: &mut C, req: &AuthorizeRequest) -> Result<OnuRef, AuthorizeFailure> {
    let add = commands::ont_add(req).map_err(AuthorizeFailure::nothing_left)?;
    run_ok(cli, &commands::interface(req.port)).await.map_err(AuthorizeFailure::nothing_left)?;
    let added = query(cli, &add, parse::ont_added).await;
    let back = run_ok(cli, "quit").await;
    let id = added.map_err(|e| AuthorizeFailure::at_register(e, req, req.onu_id))?;
    // Registered: whatever fails from here leaves an ONT without its
    // service, which the caller removes.
    back.map_err(|e| AuthorizeFailure::left(e, req, Some(id)))?;
    let onu = OnuRef::new(req.port, id);
    if let Some(vlan) = req.vlan {
        let sp = commands::service_port(onu, vlan, req.profile.gemport);
        run_ok(cli, &sp).await.map_err(|e| AuthorizeFailure::left(e, req, Some(id)))?;
    }
    Ok(onu)
}

pub(crate) async fn deregister<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
    // Service ports first: the OLT refuses to delete an ONT that has some.
    // "Failure: ... no service virtual port" when there is none is fine.
    match run_ok(cli, &commands::undo_service_ports(onu)).await {
        Ok(_) | Err(OltError::Refused { .. }) => {}
        Err(e) => return Err(e),
    }
    in_interface!(cli, onu.port, run_ok(cli, &commands::ont_delete(onu)).await.map(drop))
}

pub(crate) async fn reboot<C: Cli>(cli: &mut C, onu: OnuRef) -> Result<(), OltError> {
    in_interface!(cli, onu.port, run_ok(cli, &commands::ont_reset(onu)).await.map(drop))
}
