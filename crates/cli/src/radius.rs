//! `headend radius set | show | test | status`: FreeRADIUS's database that
//! RADIUS-mode routers' users are synced to, a service's test login and a
//! server's Status-Server; and, under `router`, `set-backend` and
//! `radius-setup`.

use std::net::IpAddr;

use headend_core::ServiceId;
use headend_core::activity::Actor;
use headend_core::router::{Backend, Router};
use headend_secrets::Secret;
use headend_workflows::Workflows;
use headend_workflows::radius::{BackendInput, RadiusInput, RadiusOverview};
use serde::Serialize;

use crate::input::read_password;
use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Point Headend at FreeRADIUS's database; its password is read from standard input into the keyring.
    Set {
        /// postgres://USER@HOST:PORT/DB or mysql://USER@HOST:PORT/DB (MariaDB too), without the password.
        #[arg(long)]
        url: String,
        /// Read the database password from standard input.
        #[arg(long)]
        password_stdin: bool,
        /// The RADIUS server routers send requests to, HOST[:1812] (for `router radius-setup`, `radius test`).
        #[arg(long)]
        server: Option<String>,
        /// Create FreeRADIUS's tables in an empty database.
        #[arg(long)]
        create_schema: bool,
    },
    /// The database: reachable, FreeRADIUS's schema, users Headend manages and rows it leaves alone.
    Show,
    /// Log a service in with PAP, as its router would: accept or reject, and the reply's attributes.
    Test {
        /// The service's id.
        service: i64,
        /// The RADIUS server, HOST[:1812]; the one `radius set --server` gave by default.
        #[arg(long)]
        server: Option<String>,
        /// Read the shared secret from standard input.
        #[arg(long)]
        secret_stdin: bool,
    },
    /// Import FreeRADIUS's accounting into the services' session history now (the app and the agent do it every minute).
    ImportAccounting,
    /// Whether a RADIUS server answers (Status-Server, RFC 5997).
    Status {
        /// The RADIUS server, HOST[:1812]; the one `radius set --server` gave by default.
        #[arg(long)]
        server: Option<String>,
        /// Read the shared secret from standard input.
        #[arg(long)]
        secret_stdin: bool,
    },
}

#[derive(Serialize)]
struct OverviewJson {
    url: String,
    server: Option<String>,
    reachable: bool,
    error: Option<String>,
    schema_version: Option<&'static str>,
    missing_tables: Vec<&'static str>,
    users_managed: u64,
    users_unmanaged: u64,
    unmanaged_group_rows: u64,
    radius_routers: Vec<String>,
}

fn overview_json(o: &RadiusOverview) -> OverviewJson {
    let reach = o.reach.as_ref().ok();
    OverviewJson {
        url: o.settings.url.to_string(),
        server: o.settings.server.map(|s| s.to_string()),
        reachable: reach.is_some(),
        error: o.reach.as_ref().err().cloned(),
        schema_version: reach.and_then(|r| r.schema.version),
        missing_tables: reach.map(|r| r.schema.missing.clone()).unwrap_or_default(),
        users_managed: reach.map_or(0, |r| r.users.managed),
        users_unmanaged: reach.map_or(0, |r| r.users.unmanaged),
        unmanaged_group_rows: reach.map_or(0, |r| r.users.unmanaged_group_rows),
        radius_routers: o.routers.clone(),
    }
}

fn secret_from_stdin(given: bool, what: &str, command: &str) -> anyhow::Result<Secret> {
    if !given {
        anyhow::bail!(
            "the {what} is read from standard input: add --{}-stdin",
            what.rsplit(' ').next().unwrap_or(what)
        );
    }
    Ok(Secret::new(read_password(&capitalized(what), command)?))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = async {
        match command {
            Command::Set { url, password_stdin, server, create_schema } => {
                let password = secret_from_stdin(password_stdin, "database password", "radius set")?;
                let overview = w.set_radius(&Actor::Cli, RadiusInput { url, password, server, create_schema }).await?;
                print_overview(globals, &overview)
            }
            Command::Show => match w.radius_overview().await? {
                Some(overview) => print_overview(globals, &overview),
                None if globals.json => output::json(&serde_json::Value::Null),
                None => Ok(output::line("RADIUS is not set up: `headend radius set --url … --password-stdin`")?),
            },
            Command::Test { service, server, secret_stdin } => {
                let server = w.radius_server(server.as_deref()).await?;
                let secret = secret_from_stdin(secret_stdin, "shared secret", "radius test")?;
                let login = w.radius_test_login(ServiceId(service), server, &secret).await?;
                if globals.json {
                    let attributes: serde_json::Map<String, serde_json::Value> =
                        login.attributes.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
                    return output::json(&serde_json::json!({
                        "user": login.user,
                        "result": if login.accepted { "accept" } else { "reject" },
                        "attributes": attributes,
                        "ms": login.took.as_millis(),
                    }));
                }
                let verdict = if login.accepted { "accept" } else { "reject" };
                output::line(format!("{}: {verdict} ({} ms, {server})", login.user, login.took.as_millis()))?;
                for (name, value) in &login.attributes {
                    output::line(format!("  {name} = {value}"))?;
                }
                Ok(())
            }
            Command::ImportAccounting => {
                let run = w.import_accounting_now().await?;
                if globals.json {
                    return output::json(&serde_json::json!({
                        "read": run.read,
                        "reread": run.reread,
                        "recorded": run.recorded,
                        "unknown_users": run.unknown_users,
                        "stopped": run.stopped,
                        "cursor": run.cursor,
                    }));
                }
                Ok(output::line(format!(
                    "{} new accounting row(s) and {} open session(s) read; {} session(s) recorded, {} of users that are \
                     no service skipped",
                    run.read, run.reread, run.recorded, run.unknown_users
                ))?)
            }
            Command::Status { server, secret_stdin } => {
                let server = w.radius_server(server.as_deref()).await?;
                let secret = secret_from_stdin(secret_stdin, "shared secret", "radius status")?;
                let status = w.radius_status(server, &secret).await?;
                if globals.json {
                    return output::json(&serde_json::json!({
                        "server": status.server.to_string(),
                        "answer": status.answer,
                        "ms": status.took.as_millis(),
                    }));
                }
                Ok(output::line(format!(
                    "{}: up ({} in {} ms)",
                    status.server,
                    status.answer,
                    status.took.as_millis()
                ))?)
            }
        }
    }
    .await;
    w.store().close().await;
    result
}

fn print_overview(globals: &Globals, overview: &RadiusOverview) -> anyhow::Result<()> {
    let o = overview_json(overview);
    if globals.json {
        return output::json(&o);
    }
    output::line(format!("Database:        {}", o.url))?;
    output::line(format!("RADIUS server:   {}", o.server.as_deref().unwrap_or("not set")))?;
    match &o.error {
        Some(error) => output::line(format!("Reachable:       no: {error}"))?,
        None => {
            output::line(format!("Reachable:       yes, FreeRADIUS {} schema", o.schema_version.unwrap_or("?")))?;
            if !o.missing_tables.is_empty() {
                output::line(format!("Missing tables:  {}", o.missing_tables.join(", ")))?;
            }
            output::line(format!("Users managed:   {}", o.users_managed))?;
            output::line(format!(
                "Left alone:      {} other user(s), {} row(s) of other groups",
                o.users_unmanaged, o.unmanaged_group_rows
            ))?;
        }
    }
    let routers = if o.radius_routers.is_empty() { "none".to_owned() } else { o.radius_routers.join(", ") };
    output::line(format!("RADIUS routers:  {routers}"))?;
    Ok(())
}

/// `router set-backend ROUTER api|radius`.
#[derive(Debug, clap::Args)]
pub struct SetBackendArgs {
    /// The router's name.
    name: String,
    /// api (the router's own /ppp/secret) or radius (FreeRADIUS's database).
    backend: String,
    /// The address the router's RADIUS requests come from (default: the router's address).
    #[arg(long)]
    nas_address: Option<IpAddr>,
    /// The router's /radius incoming port (default 3799).
    #[arg(long)]
    coa_port: Option<u16>,
    /// Read the router's RADIUS shared secret from standard input (needed the first time).
    #[arg(long)]
    secret_stdin: bool,
}

pub async fn set_backend(globals: &Globals, w: &Workflows, args: SetBackendArgs) -> anyhow::Result<()> {
    let router = crate::router::find(w.store(), &args.name).await?;
    let input = match args.backend.as_str() {
        "api" => BackendInput::Api,
        "radius" => BackendInput::Radius {
            nas_address: args.nas_address,
            coa_port: args.coa_port,
            secret: if args.secret_stdin {
                Some(Secret::new(read_password("Shared secret", "router set-backend")?))
            } else {
                None
            },
        },
        other => anyhow::bail!("unknown backend {other:?}: use api or radius"),
    };
    let router = w.set_router_backend(&Actor::Cli, router.id, input).await?;
    print_backend(globals, &router)
}

fn print_backend(globals: &Globals, router: &Router) -> anyhow::Result<()> {
    let nas = router.backend.nas();
    if globals.json {
        return output::json(&serde_json::json!({
            "router": router.name,
            "backend": router.backend.as_str(),
            "nas_address": nas.map(|n| n.address.to_string()),
            "coa_port": nas.map(|n| n.coa_port),
        }));
    }
    match router.backend {
        Backend::Api => output::line(format!("{}: PPPoE users on the router (/ppp/secret)", router.name))?,
        Backend::Radius(nas) => output::line(format!(
            "{}: PPPoE users in FreeRADIUS; NAS {}, CoA port {}. The next sweep moves them: FreeRADIUS first, then the \
             router's secrets go.",
            router.name, nas.address, nas.coa_port
        ))?,
    }
    Ok(())
}

/// `router radius-setup ROUTER [--apply]`: what the router needs, in
/// RouterOS's terminal syntax, and what it lacks, read from it; with
/// `--apply`, the writes made first, and a non-zero exit when something
/// applying should have fixed is still wrong.
pub async fn setup(globals: &Globals, w: &Workflows, name: &str, apply: bool) -> anyhow::Result<()> {
    let router = crate::router::find(w.store(), name).await?;
    let setup = w.router_radius_setup(&Actor::Cli, router.id, apply).await?;
    let issues: Vec<String> = match &setup.issues {
        Ok(issues) => issues.iter().map(ToString::to_string).collect(),
        Err(_) => Vec::new(),
    };
    if globals.json {
        output::json(&serde_json::json!({
            "router": setup.router.name,
            "commands": setup.commands,
            "read": setup.issues.is_ok(),
            "unreadable": setup.issues.as_ref().err(),
            "issues": issues,
            "applied": setup.applied.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }))?;
    } else {
        let name = output::safe(&setup.router.name);
        output::line(format!("# On {name}, in a terminal (the secret is the one given to `router set-backend`):"))?;
        for command in &setup.commands {
            output::line(command)?;
        }
        output::line(
            "# FreeRADIUS knows the router from its `nas` row (Headend writes it), read at start with \
             `read_clients = yes`: restart FreeRADIUS after adding a router.",
        )?;
        output::line("")?;
        for fix in &setup.applied {
            output::line(format!("Applied: {fix}"))?;
        }
        match &setup.issues {
            Err(why) => output::line(format!("Not checked: {why}"))?,
            Ok(found) if found.is_empty() => output::line(format!("{name} is set up for RADIUS."))?,
            Ok(_) => {
                for issue in &issues {
                    output::line(format!("Warning: {issue}"))?;
                }
                if !apply {
                    output::line(format!("`headend router radius-setup {name} --apply` fixes what it can."))?;
                }
            }
        }
    }
    match &setup.issues {
        Ok(found) if apply && found.iter().any(|i| i.fixable()) => {
            anyhow::bail!("{} is still not set up for RADIUS", router.name)
        }
        _ => Ok(()),
    }
}
