//! `headend policy show | set`: the ISP-wide provisioning rules (time zone
//! of "today", grace days, suspension mode, static-IP queues, attempts
//! before a failure waits for the operator), and `policy router NAME MODE`,
//! a router's own suspension mode.

use anyhow::Context;
use headend_core::activity::{ActivityEntry, Actor, Subject};
use headend_core::provision::policy::{IspPolicy, SuspensionMode};
use serde::Serialize;

use crate::open::open_store;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The rules in force.
    Show,
    /// Change some rules; every router is swept with the new ones.
    Set {
        /// IANA time zone that decides when a day ends, e.g. America/Sao_Paulo.
        #[arg(long)]
        time_zone: Option<String>,
        /// Days after the due date before a service is cut off (per-service overrides stay).
        #[arg(long)]
        grace_days: Option<u16>,
        /// What suspension does on the router: disable (and kick), remove, or address-list.
        #[arg(long)]
        suspension: Option<SuspensionMode>,
        /// Give static-IP services a simple queue with their plan's rate.
        #[arg(long)]
        static_queues: Option<bool>,
        /// Failed attempts of a router write before it waits for a manual retry.
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
        max_attempts: Option<u32>,
    },
    /// Give one router its own suspension mode, or `default` for the ISP's.
    Router {
        /// The router's name.
        name: String,
        /// disable, remove, address-list or default.
        mode: String,
    },
}

#[derive(Serialize)]
struct PolicyJson {
    time_zone: String,
    grace_days: u16,
    suspension: &'static str,
    static_queues: bool,
    max_attempts: u32,
}

fn json(policy: &IspPolicy) -> PolicyJson {
    PolicyJson {
        time_zone: policy.time_zone.iana_name().unwrap_or("UTC").to_owned(),
        grace_days: policy.grace_days,
        suspension: policy.suspension.as_str(),
        static_queues: policy.static_queues,
        max_attempts: policy.max_attempts,
    }
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let store = open_store(globals).await?;
    let result = async {
        match command {
            Command::Show => print(globals, &store.isp_policy().await?),
            Command::Set { time_zone, grace_days, suspension, static_queues, max_attempts } => {
                let mut policy = store.isp_policy().await?;
                if let Some(zone) = time_zone {
                    policy.time_zone = jiff::tz::TimeZone::get(&zone).with_context(|| {
                        format!("unknown time zone {zone:?}: use an IANA name such as America/Sao_Paulo")
                    })?;
                }
                policy.grace_days = grace_days.unwrap_or(policy.grace_days);
                policy.suspension = suspension.unwrap_or(policy.suspension);
                policy.static_queues = static_queues.unwrap_or(policy.static_queues);
                policy.max_attempts = max_attempts.unwrap_or(policy.max_attempts);
                store.set_isp_policy(&policy).await?;
                let detail = serde_json::to_string(&json(&policy))?;
                store
                    .log_activity(&ActivityEntry {
                        at: jiff::Timestamp::now(),
                        actor: Actor::Cli,
                        subject: Subject::Policy,
                        action: "policy-set".into(),
                        detail,
                    })
                    .await?;
                print(globals, &policy)
            }
            Command::Router { name, mode } => {
                let router = store
                    .router_by_name(&name)
                    .await?
                    .with_context(|| format!("no router named {name:?}; see `headend router list`"))?;
                let mode = match mode.as_str() {
                    "default" => None,
                    other => Some(other.parse::<SuspensionMode>()?),
                };
                store.set_router_suspension(router.id, mode).await?;
                let shown = mode.map_or("the ISP's default", SuspensionMode::as_str);
                store
                    .log_activity(&ActivityEntry {
                        at: jiff::Timestamp::now(),
                        actor: Actor::Cli,
                        subject: Subject::Router(router.id),
                        action: "suspension-mode".into(),
                        detail: format!("suspension on {name}: {shown}"),
                    })
                    .await?;
                if globals.json {
                    output::json(&serde_json::json!({ "router": name, "suspension": mode.map(SuspensionMode::as_str) }))
                } else {
                    Ok(output::line(format!("{name}: suspension {shown}"))?)
                }
            }
        }
    }
    .await;
    store.close().await;
    result
}

fn print(globals: &Globals, policy: &IspPolicy) -> anyhow::Result<()> {
    let p = json(policy);
    if globals.json {
        return output::json(&p);
    }
    output::line(format!("Time zone:      {}", p.time_zone))?;
    output::line(format!("Grace:          {} day(s)", p.grace_days))?;
    output::line(format!("Suspension:     {}", p.suspension))?;
    output::line(format!("Static queues:  {}", if p.static_queues { "yes" } else { "no" }))?;
    output::line(format!("Max attempts:   {}", p.max_attempts))?;
    Ok(())
}
