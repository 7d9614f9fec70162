//! `headend router add | list | remove`: the inventory in the database, the
//! passwords in the OS keyring (never in the database, never printed).

use std::collections::BTreeMap;
use std::str::FromStr;

use anyhow::{Context, bail};
use headend_core::activity::Subject;
use headend_core::geo::GeoPoint;
use headend_core::router::{Router, Transport};
use headend_core::{PopId, RouterId};
use headend_secrets::SecretKey;
use headend_store::{NewRouter, Store};
use serde::Serialize;

use super::{find, open_secrets};
use crate::Globals;
use crate::input::{non_empty, read_password};
use crate::inventory::{PopChoice, keep_password};
use crate::output;

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the router, unique in the inventory.
    name: String,

    /// Its address or host name.
    #[arg(long, value_name = "H")]
    host: String,

    /// The API port [default: 8728 for api, 8729 for api-tls, 443 for rest].
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u16).range(1..))]
    port: Option<u16>,

    /// How to reach it: api, api-tls (certificate pinned on first use) or rest.
    #[arg(long, value_name = "T", default_value = "api", value_parser = Transport::from_str)]
    transport: Transport,

    /// The RouterOS user Headend logs in as.
    #[arg(long, value_name = "U")]
    user: String,

    /// Read the password from standard input (required: a password is never an argument).
    #[arg(long, required = true)]
    password_stdin: bool,

    /// Site coordinates in decimal degrees, for the map: LAT,LON (e.g. -1.2921,36.8219).
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true, value_parser = GeoPoint::from_str)]
    location: Option<GeoPoint>,

    /// The point of presence it stands in; created if new.
    #[arg(long, value_name = "NAME")]
    pop: Option<String>,
}

/// A router as `list` and `add` print it.
#[derive(Debug, Serialize)]
struct RouterJson {
    id: i64,
    name: String,
    host: String,
    port: u16,
    transport: &'static str,
    user: String,
    pop: Option<String>,
    location: Option<Location>,
    /// The pinned TLS certificate fingerprint (not a secret).
    tls_pin: Option<String>,
}

#[derive(Debug, Serialize)]
struct Location {
    lat: f64,
    lon: f64,
}

impl RouterJson {
    fn new(router: &Router, pops: &BTreeMap<PopId, String>) -> Self {
        Self {
            id: router.id.0,
            name: router.name.clone(),
            host: router.host.clone(),
            port: router.port,
            transport: router.transport.as_str(),
            user: router.username.clone(),
            pop: router.pop.and_then(|id| pops.get(&id).cloned()),
            location: router.location.map(|l| Location { lat: l.lat(), lon: l.lon() }),
            tls_pin: router.tls_pin.clone(),
        }
    }
}

async fn log(store: &Store, id: RouterId, action: &str, detail: String) {
    crate::activity::log(store, Subject::Router(id), action, detail).await;
}

async fn pop_names(store: &Store) -> anyhow::Result<BTreeMap<PopId, String>> {
    Ok(store.pops().await?.into_iter().map(|p| (p.id, p.name)).collect())
}

pub async fn add(globals: &Globals, store: &Store, args: AddArgs) -> anyhow::Result<()> {
    let name = non_empty("the router's name", &args.name)?.to_owned();
    let host = non_empty("--host", &args.host)?.to_owned();
    let user = non_empty("--user", &args.user)?.to_owned();
    let pop_name = args.pop.as_deref().map(|p| non_empty("--pop", p)).transpose()?;
    let password = tokio::task::spawn_blocking(|| read_password("Router password", "router add"))
        .await
        .context("reading standard input stopped unexpectedly")??;
    if store.router_by_name(&name).await?.is_some() {
        bail!("a router named {name:?} already exists");
    }
    // Before anything is written: without a keyring there is nothing to add.
    let secrets = open_secrets(store).await?;

    let pop = PopChoice::find_or_add(store, pop_name).await?;
    let new = NewRouter {
        name: name.clone(),
        host,
        port: args.port.unwrap_or(args.transport.default_port()),
        transport: args.transport,
        username: user,
        pop: pop.id,
        location: args.location,
    };
    let id = match store.add_router(&new).await {
        Ok(id) => id,
        Err(err) => {
            pop.undo(store, "router").await;
            return Err(err.into());
        }
    };
    if let Err(err) = keep_password(secrets, SecretKey::router(id), password).await {
        // Nothing half-added: no router without its password.
        let undone = store.remove_router(id).await;
        pop.undo(store, "router").await;
        return Err(match undone {
            Ok(()) => err.context("cannot keep the password in the keyring, so the router was not added"),
            Err(undo) => err.context(format!(
                "cannot keep the password in the keyring, and taking the router out again failed ({undo}); \
                 run `headend router remove {name}`"
            )),
        });
    }
    log(store, id, "router added", format!("{} at {}:{} over {}", new.name, new.host, new.port, new.transport)).await;

    let router = store.router(id).await?.context("the router vanished right after it was added")?;
    if globals.json {
        output::json(&RouterJson::new(&router, &pop_names(store).await?))?;
    } else {
        output::line(format!(
            "Added router {} (id {}): {}:{} over {}, user {}; password kept in the keyring.",
            output::safe(&router.name),
            router.id,
            output::safe(&router.host),
            router.port,
            router.transport,
            output::safe(&router.username),
        ))?;
    }
    Ok(())
}

pub async fn list(globals: &Globals, store: &Store) -> anyhow::Result<()> {
    let routers = store.routers().await?;
    let pops = pop_names(store).await?;
    let rows: Vec<RouterJson> = routers.iter().map(|r| RouterJson::new(r, &pops)).collect();
    if globals.json {
        return output::json(&rows);
    }
    if rows.is_empty() {
        eprintln!("No routers yet: add one with `headend router add NAME --host H --user U --password-stdin`.");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                output::safe(&r.name),
                format!("{}:{}", output::safe(&r.host), r.port),
                r.transport.to_owned(),
                output::safe(&r.user),
                output::or_dash(r.pop.as_deref().map(output::safe)),
                output::or_dash(r.location.as_ref().map(|l| format!("{},{}", l.lat, l.lon))),
                output::or_dash(r.tls_pin.as_ref().map(|p| p.chars().take(16).collect())),
            ]
        })
        .collect();
    Ok(output::table(&["ID", "NAME", "ADDRESS", "TRANSPORT", "USER", "POP", "LOCATION", "TLS PIN"], &cells)?)
}

#[derive(Debug, Serialize)]
struct Removed {
    id: i64,
    name: String,
    password_deleted: bool,
}

pub async fn remove(globals: &Globals, store: &Store, name: &str) -> anyhow::Result<()> {
    let router = find(store, name).await?;
    // Opened first, but a keyring that does not open does not keep the
    // router in the inventory: it is said below.
    let secrets = open_secrets(store).await;
    store.remove_router(router.id).await?;
    log(store, router.id, "router removed", router.name.clone()).await;
    let key = SecretKey::router(router.id);
    let deleted = match secrets {
        Ok(secrets) => tokio::task::spawn_blocking(move || secrets.delete(&key))
            .await
            .map_err(anyhow::Error::from)
            .and_then(|r| r.map_err(anyhow::Error::from)),
        Err(err) => Err(err),
    };
    if let Err(err) = &deleted {
        eprintln!(
            "headend: warning: router {} removed, but its password could not be deleted from the keyring: {}",
            output::safe(&router.name),
            crate::one_line(err)
        );
    }
    if globals.json {
        output::json(&Removed { id: router.id.0, name: router.name, password_deleted: deleted.is_ok() })?;
    } else {
        output::line(format!(
            "Removed router {} (id {}){}.",
            output::safe(&router.name),
            router.id,
            if deleted.is_ok() { " and its password" } else { "" }
        ))?;
    }
    Ok(())
}
