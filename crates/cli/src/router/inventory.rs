//! `headend router add | list | remove`: the inventory in the database, the
//! passwords in the OS keyring (never in the database, never printed).

use std::collections::BTreeMap;
use std::str::FromStr;

use anyhow::Context;
use headend_core::PopId;
use headend_core::activity::Actor;
use headend_core::geo::GeoPoint;
use headend_core::router::{API_SSL_SETUP, PLAIN_API_WARNING, Router, Transport};
use headend_store::Store;
use headend_workflows::Workflows;
use headend_workflows::routers::RouterInput;
use serde::Serialize;

use super::find;
use crate::Globals;
use crate::input::read_password;
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

    /// How to reach it: api-tls (certificate pinned on first use), rest, or api (unencrypted).
    #[arg(long, value_name = "T", default_value_t = Transport::DEFAULT, value_parser = Transport::from_str,
          long_help = transport_help())]
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

fn transport_help() -> String {
    format!(
        "How to reach it: api-tls (the binary API over TLS, the certificate pinned on the first connection), rest \
         (HTTPS, pinned the same way), or api.\n\nWith api, {PLAIN_API_WARNING}.\n\nThe api-ssl service of a \
         RouterOS router has no certificate out of the box. To make one, run on the router:\n\n{API_SSL_SETUP}"
    )
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
    /// A certificate presented instead of the pinned one, refused until `headend router pin`.
    presented_tls_pin: Option<String>,
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
            presented_tls_pin: router.presented_tls_pin.clone(),
        }
    }
}

async fn pop_names(store: &Store) -> anyhow::Result<BTreeMap<PopId, String>> {
    Ok(store.pops().await?.into_iter().map(|p| (p.id, p.name)).collect())
}

pub async fn add(globals: &Globals, w: &Workflows, args: AddArgs) -> anyhow::Result<()> {
    let password = tokio::task::spawn_blocking(|| read_password("Router password", "router add"))
        .await
        .context("reading standard input stopped unexpectedly")??;
    let input = RouterInput {
        name: args.name,
        host: args.host,
        port: args.port,
        transport: args.transport,
        username: args.user,
        pop: args.pop,
        location: args.location,
    };
    let router = w.add_router(&Actor::Cli, input, password).await?;
    if globals.json {
        output::json(&RouterJson::new(&router, &pop_names(w.store()).await?))?;
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
        match router.transport {
            Transport::Api => eprintln!("headend: warning: {PLAIN_API_WARNING}."),
            Transport::ApiTls => output::line(format!(
                "If its api-ssl service has no certificate yet, make one on the router:\n{API_SSL_SETUP}"
            ))?,
            Transport::Rest => {}
        }
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

pub async fn remove(globals: &Globals, w: &Workflows, name: &str) -> anyhow::Result<()> {
    let router = find(w.store(), name).await?;
    let removed = w.remove_router(&Actor::Cli, router.id).await?;
    if let Some(err) = &removed.password_kept {
        eprintln!(
            "headend: warning: router {} removed, but its password could not be deleted from the keyring: {err}",
            output::safe(&router.name),
        );
    }
    let deleted = removed.password_kept.is_none();
    if globals.json {
        output::json(&Removed { id: router.id.0, name: router.name, password_deleted: deleted })?;
    } else {
        output::line(format!(
            "Removed router {} (id {}){}.",
            output::safe(&router.name),
            router.id,
            if deleted { " and its password" } else { "" }
        ))?;
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct PinnedJson {
    id: i64,
    name: String,
    certificate: String,
    previous: Option<String>,
}

/// Trusts the certificate the router presents now, after its certificate
/// changed; with `expected`, only if it is still that one.
pub async fn pin(globals: &Globals, w: &Workflows, name: &str, expected: Option<&str>) -> anyhow::Result<()> {
    let router = find(w.store(), name).await?;
    let pinned = w.pin_router_certificate(&Actor::Cli, router.id, expected).await?;
    if globals.json {
        return output::json(&PinnedJson {
            id: router.id.0,
            name: router.name,
            certificate: pinned.pin,
            previous: pinned.previous,
        });
    }
    output::line(format!(
        "Router {}: certificate {} trusted (was {}); Headend connects to it again.",
        output::safe(&router.name),
        pinned.pin,
        pinned.previous.as_deref().unwrap_or("none")
    ))?;
    Ok(())
}
