//! `headend service add`: one service without a CSV file.

use std::net::IpAddr;
use std::str::FromStr;

use anyhow::{Context, bail};
use headend_core::activity::Subject;
use headend_core::provision::{Password, validate_password, validate_username};
use headend_core::service::{Access, ServiceStatus};
use headend_store::{NewCustomer, NewService, Store, StoreError};
use jiff::civil::Date;

use super::{ServiceJson, find, parse_date};
use crate::input::{non_empty, read_password};
use crate::open::open_cipher;
use crate::{Globals, activity, output};

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("access").required(true).args(["pppoe", "ip"])))]
pub struct AddArgs {
    /// The customer's name; an existing customer with this name and phone is reused.
    #[arg(long, value_name = "NAME")]
    customer: String,
    /// The customer's phone.
    #[arg(long, value_name = "PHONE")]
    phone: Option<String>,
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
    /// pending, active, suspended, inactive or terminated.
    #[arg(long, default_value = "active", value_parser = ServiceStatus::from_str)]
    status: ServiceStatus,
    /// The next billing date, YYYY-MM-DD.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    due: Option<Date>,
    /// Days of grace after the due date (default: the ISP's).
    #[arg(long, value_name = "DAYS")]
    grace: Option<u16>,
}

pub async fn add(globals: &Globals, store: &Store, args: AddArgs) -> anyhow::Result<()> {
    let customer_name = non_empty("--customer", &args.customer)?.to_owned();
    let phone = args.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned);
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
            let user = user.trim().to_owned();
            validate_username(&user).with_context(|| format!("bad user name {user:?}"))?;
            if store.pppoe_user(router.id, &user).await?.is_some() {
                return Err(StoreError::DuplicateUser { user, router: router.name }.into());
            }
            let password = tokio::task::spawn_blocking(|| read_password("PPPoE password", "service add"))
                .await
                .context("reading standard input stopped unexpectedly")??;
            validate_password(&password)?;
            (Access::Pppoe { username: user }, Some(Password::new(password)))
        }
        (None, Some(address)) => (Access::StaticIp { address }, None),
        _ => bail!("give either --pppoe USER --password-stdin or --ip ADDR"),
    };
    // Before anything is written: a password needs the keyring's key.
    let sealed = match &password {
        Some(password) => Some(open_cipher(store).await?.encrypt(password)),
        None => None,
    };
    drop(password);

    let customer = match store.customer_by_name_and_phone(&customer_name, phone.as_deref()).await? {
        Some(id) => id,
        None => {
            let new = NewCustomer { name: customer_name.clone(), phone: phone.clone(), email: None, address: None };
            let id = store.add_customer(&new).await?;
            activity::log(store, Subject::Customer(id), "customer added", customer_name.clone()).await;
            id
        }
    };
    let new = NewService {
        customer,
        router: router.id,
        plan: plan.id,
        access,
        status: args.status,
        next_billing_date: args.due,
        grace_days: args.grace,
        password: sealed,
        adopt: false,
    };
    let id = store.add_service(&new).await?;
    let service = find(store, id).await?;
    let json = ServiceJson::new(&service);
    activity::log(
        store,
        Subject::Service(id),
        "service added",
        format!(
            "{} {} for {} on {}, plan {}, {}",
            json.r#type,
            json.login(),
            customer_name,
            router.name,
            plan.name,
            service.status
        ),
    )
    .await;
    if globals.json {
        return output::json(&json);
    }
    output::line(format!(
        "Added service {id}: {} {} for {} on {}, plan {}, {}{}.",
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
