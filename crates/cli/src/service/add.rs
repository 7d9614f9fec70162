//! `headend service add`: one service without a CSV file.

use std::net::IpAddr;
use std::str::FromStr;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::geo::GeoPoint;
use headend_core::provision::Password;
use headend_core::service::{Access, ServiceStatus};
use headend_workflows::Workflows;
use headend_workflows::services::{CustomerInput, ServiceInput};
use jiff::civil::Date;

use super::{ServiceJson, parse_date};
use crate::input::read_password;
use crate::{Globals, output};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("access").required(true).args(["pppoe", "ip"])))]
pub struct AddArgs {
    /// The customer's name; an existing customer with this name and phone is reused.
    #[arg(long, value_name = "NAME")]
    customer: String,
    /// The customer's phone.
    #[arg(long, value_name = "PHONE")]
    phone: Option<String>,
    /// The customer's street address.
    #[arg(long, value_name = "TEXT")]
    street: Option<String>,
    /// Where the customer is, for the map: LAT,LON in decimal degrees, or a pasted Google Maps or OpenStreetMap link.
    #[arg(long, value_name = "LAT,LON", allow_hyphen_values = true)]
    location: Option<GeoPoint>,
    /// The router's name.
    #[arg(long, value_name = "NAME")]
    router: String,
    /// The plan's name.
    #[arg(long, value_name = "NAME")]
    plan: String,
    /// A PPPoE service with this user name (its password from --password-stdin).
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    pppoe: Option<String>,
    /// Read the PPPoE password from standard input (a password is never an argument).
    #[arg(long, requires = "pppoe")]
    password_stdin: bool,
    /// A static-IP service with this address.
    #[arg(long, value_name = "ADDR")]
    ip: Option<IpAddr>,
    /// A fixed address for the PPPoE user (the router's remote-address, or Framed-IP-Address in RADIUS mode).
    #[arg(long, value_name = "ADDR", requires = "pppoe")]
    address: Option<IpAddr>,
    /// pending, active, suspended, inactive or terminated.
    #[arg(long, default_value = "active", value_parser = ServiceStatus::from_str)]
    status: ServiceStatus,
    /// The next billing date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    due: Option<Date>,
    /// Days of grace after the due date (default: the ISP's).
    #[arg(long, value_name = "DAYS")]
    grace: Option<u32>,
}

pub async fn add(globals: &Globals, w: &Workflows, args: AddArgs) -> anyhow::Result<()> {
    let store = w.store();
    let router = store
        .router_by_name(&args.router)
        .await?
        .with_context(|| format!("no router named {:?}; `headend router list` shows them", args.router))?;
    let plan = store
        .plan_by_name(&args.plan)
        .await?
        .with_context(|| format!("no plan named {:?}; `headend plan list` shows them", args.plan))?;
    let (access, password) = match (&args.pppoe, args.ip) {
        (Some(user), None) => {
            let password = tokio::task::spawn_blocking(|| read_password("PPPoE password", "service add"))
                .await
                .context("reading standard input stopped unexpectedly")??;
            (Access::Pppoe { username: user.trim().to_owned(), address: args.address }, Some(Password::new(password)))
        }
        (None, Some(address)) => (Access::StaticIp { address }, None),
        _ => bail!("give either --pppoe USER --password-stdin or --ip ADDR"),
    };
    let input = ServiceInput {
        customer: CustomerInput {
            name: args.customer,
            phone: args.phone,
            email: None,
            address: args.street,
            location: args.location,
        },
        router: router.id,
        plan: plan.id,
        access,
        password,
        status: args.status,
        next_billing_date: args.due,
        grace_days: args.grace,
    };
    let service = w.add_service(&Actor::Cli, input).await?;
    let json = ServiceJson::new(&service);
    if globals.json {
        return output::json(&json);
    }
    output::line(format!(
        "Added service {}: {} {} for {} on {}, plan {}, {}{}.",
        service.id,
        json.r#type,
        output::safe(&json.login()),
        output::safe(&json.customer),
        output::safe(&json.router),
        output::safe(&json.plan),
        json.status,
        json.next_billing_date.as_ref().map(|d| format!(", due {d}")).unwrap_or_default(),
    ))?;
    Ok(())
}
