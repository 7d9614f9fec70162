//! `headend import router-secrets ROUTER [--plan-map FILE] [--dry-run]`:
//! the PPP secrets already on a router become customers and services that
//! Headend adopts. The next sweep marks each secret as Headend's and fixes
//! its profile; nothing is removed or renamed.
//!
//! Choices: the customer is named after the secret's comment (or its user
//! name when it has none); an enabled secret becomes an active service, a
//! disabled one a suspended service; no due date is set (the operator sets
//! it, or records a payment). A secret whose password the API user cannot
//! read is refused rather than imported without one: a service without a
//! password would be cut off by the next sweep.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, bail};
use headend_core::PlanId;
use headend_core::activity::Actor;
use headend_core::provision::marker::Marker;
use headend_core::provision::{Password, validate_username};
use headend_core::service::{Access, ServiceStatus};
use headend_fleet::Connector;
use headend_routeros::ops::RouterApi;
use headend_store::ImportService;
use serde::Serialize;

use crate::open::{open_cipher, open_secrets, open_store};
use crate::{Globals, output};

/// A secret as read from the router.
#[derive(Debug, Clone)]
struct RouterSecret {
    name: String,
    password: Option<Password>,
    service: String,
    profile: String,
    disabled: bool,
    comment: Option<String>,
}

/// A secret that becomes a service.
#[derive(Debug, Clone, PartialEq)]
struct Adopted {
    username: String,
    customer: String,
    plan: PlanId,
    status: ServiceStatus,
}

/// What the router's secrets come to.
#[derive(Debug, Default)]
struct Adoption {
    services: Vec<(Adopted, Password)>,
    /// Secrets left alone, and why.
    skipped: Vec<(String, String)>,
    /// Secrets that stop the import, and why.
    errors: Vec<(String, String)>,
}

/// Reads a plan map: `PROFILE,PLAN` per line; blank lines and `#`
/// comments are ignored. Errors carry their line number.
fn parse_plan_map(text: &str) -> Result<Vec<(String, String)>, Vec<String>> {
    let mut pairs = Vec::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        match line.split_once(',') {
            Some((profile, plan)) if !profile.trim().is_empty() && !plan.trim().is_empty() => {
                pairs.push((profile.trim().to_owned(), plan.trim().to_owned()));
            }
            _ => errors.push(format!("line {}: expected PROFILE,PLAN, got {line:?}", i + 1)),
        }
    }
    if errors.is_empty() { Ok(pairs) } else { Err(errors) }
}

/// Decides each secret's fate: a plain function of what the router holds,
/// which plan each profile means, and which user names are services
/// already.
fn adopt(
    secrets: Vec<RouterSecret>,
    plan_for: &dyn Fn(&str) -> Option<PlanId>,
    is_service: &dyn Fn(&str) -> bool,
) -> Adoption {
    let mut out = Adoption::default();
    for s in secrets {
        if Marker::in_comment(s.comment.as_deref()).is_some() {
            out.skipped.push((s.name, "already managed by Headend".into()));
            continue;
        }
        if is_service(&s.name) {
            out.skipped.push((s.name, "already a service on this router".into()));
            continue;
        }
        if !matches!(s.service.as_str(), "pppoe" | "any" | "") {
            out.skipped.push((s.name.clone(), format!("a {} secret, not PPPoE", s.service)));
            continue;
        }
        if let Err(e) = validate_username(&s.name) {
            out.errors.push((s.name, e.to_string()));
            continue;
        }
        let Some(password) = s.password else {
            out.errors.push((s.name, "its password cannot be read: give the API user the `sensitive` policy".into()));
            continue;
        };
        let Some(plan) = plan_for(&s.profile) else {
            out.errors.push((
                s.name,
                format!("profile {:?} has no plan: map it with --plan-map (`{},PLAN`)", s.profile, s.profile),
            ));
            continue;
        };
        let customer = s
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| c.chars().take(100).collect())
            .unwrap_or_else(|| s.name.clone());
        let status = if s.disabled { ServiceStatus::Suspended } else { ServiceStatus::Active };
        out.services.push((Adopted { username: s.name, customer, plan, status }, password));
    }
    out
}

#[derive(Serialize)]
struct Report<'a> {
    router: &'a str,
    dry_run: bool,
    imported: bool,
    services: Vec<ServiceJson<'a>>,
    skipped: Vec<Reason<'a>>,
    errors: Vec<Reason<'a>>,
}

#[derive(Serialize)]
struct ServiceJson<'a> {
    id: Option<i64>,
    username: &'a str,
    customer: &'a str,
    plan: &'a str,
    status: &'static str,
}

#[derive(Serialize)]
struct Reason<'a> {
    secret: &'a str,
    reason: &'a str,
}

pub async fn run(globals: &Globals, router_name: &str, plan_map: Option<&Path>, dry_run: bool) -> anyhow::Result<()> {
    let map = match plan_map {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            parse_plan_map(&text).map_err(|errors| anyhow::anyhow!("{}: {}", path.display(), errors.join("; ")))?
        }
        None => Vec::new(),
    };
    let store = open_store(globals).await?;
    let router = store
        .router_by_name(router_name)
        .await?
        .with_context(|| format!("no router named {router_name:?}; see `headend router list`"))?;
    let plans = store.plans().await?;
    let plan_names: HashMap<&str, PlanId> = plans.iter().map(|p| (p.name.as_str(), p.id)).collect();
    let mut by_profile: HashMap<String, PlanId> = plans.iter().map(|p| (p.profile.clone(), p.id)).collect();
    for (profile, plan) in &map {
        let id =
            plan_names.get(plan.as_str()).with_context(|| format!("the plan map names an unknown plan {plan:?}"))?;
        by_profile.insert(profile.clone(), *id);
    }

    let secrets = open_secrets(&store).await?;
    let link = Connector::new(store.clone(), secrets).connect(&router).await?;
    let listed = link.ppp_secrets().await.with_context(|| format!("reading the secrets of {router_name}"))?;
    link.close();
    let text = |v: &headend_routeros::Value| v.to_string_lossy_cp1252().into_owned();
    let listed: Vec<RouterSecret> = listed
        .into_iter()
        .map(|s| RouterSecret {
            name: text(&s.name),
            password: s.password.map(|p| Password::new(text(p.expose()))),
            service: text(&s.service),
            profile: text(&s.profile),
            disabled: s.disabled,
            comment: s.comment.as_ref().map(text),
        })
        .collect();
    let mut existing = std::collections::HashSet::new();
    for s in &listed {
        if store.pppoe_user(router.id, &s.name).await?.is_some() {
            existing.insert(s.name.clone());
        }
    }
    let adoption = adopt(listed, &|profile| by_profile.get(profile).copied(), &|name| existing.contains(name));

    let plan_name = |id: PlanId| plans.iter().find(|p| p.id == id).map_or("?", |p| p.name.as_str());
    let mut report = Report {
        router: router_name,
        dry_run,
        imported: false,
        services: adoption
            .services
            .iter()
            .map(|(a, _)| ServiceJson {
                id: None,
                username: &a.username,
                customer: &a.customer,
                plan: plan_name(a.plan),
                status: a.status.as_str(),
            })
            .collect(),
        skipped: adoption.skipped.iter().map(|(s, r)| Reason { secret: s, reason: r }).collect(),
        errors: adoption.errors.iter().map(|(s, r)| Reason { secret: s, reason: r }).collect(),
    };
    if !adoption.errors.is_empty() || dry_run {
        print(globals, &report)?;
        if !adoption.errors.is_empty() {
            bail!("{} secret(s) cannot be imported; nothing was imported", adoption.errors.len());
        }
        return Ok(());
    }
    let cipher = open_cipher(&store).await?;
    let rows: Vec<ImportService> = adoption
        .services
        .iter()
        .map(|(a, password)| ImportService {
            customer_name: a.customer.clone(),
            customer_phone: None,
            router: router.id,
            plan: a.plan,
            access: Access::Pppoe { username: a.username.clone() },
            password: Some(cipher.encrypt(password)),
            status: a.status,
            next_billing_date: None,
            adopt: true,
        })
        .collect();
    let ids = store.import_services(&rows, jiff::Timestamp::now(), &Actor::Cli).await?;
    for (row, id) in report.services.iter_mut().zip(ids) {
        row.id = Some(id.0);
    }
    report.imported = true;
    store.close().await;
    print(globals, &report)
}

fn print(globals: &Globals, report: &Report<'_>) -> anyhow::Result<()> {
    if globals.json {
        return output::json(report);
    }
    for s in &report.services {
        output::line(format!(
            "{} {} for {} ({}, plan {})",
            match s.id {
                Some(id) => format!("service {id}:"),
                None => "would adopt".to_owned(),
            },
            output::safe(s.username),
            output::safe(s.customer),
            s.status,
            output::safe(s.plan),
        ))?;
    }
    for r in &report.skipped {
        output::line(format!("skipped {}: {}", output::safe(r.secret), r.reason))?;
    }
    for r in &report.errors {
        eprintln!("{}: {}", output::safe(r.secret), output::safe(r.reason));
    }
    if report.errors.is_empty() {
        output::line(format!(
            "{} {} secret(s) of {}{}",
            if report.imported { "Adopted" } else { "Would adopt" },
            report.services.len(),
            output::safe(report.router),
            if report.imported { "; the next sweep marks them as Headend's" } else { " (dry run: nothing written)" },
        ))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str, profile: &str, disabled: bool, comment: Option<&str>) -> RouterSecret {
        RouterSecret {
            name: name.into(),
            password: Some(Password::new("pw")),
            service: "pppoe".into(),
            profile: profile.into(),
            disabled,
            comment: comment.map(Into::into),
        }
    }

    #[test]
    fn plan_maps_are_lines_of_profile_and_plan() {
        assert_eq!(
            parse_plan_map("# old profiles\n10M, Home 10\n\n20M,Home 20 # fast\n"),
            Ok(vec![("10M".into(), "Home 10".into()), ("20M".into(), "Home 20".into())])
        );
        assert_eq!(
            parse_plan_map("10M\n,x\n"),
            Err(vec![
                "line 1: expected PROFILE,PLAN, got \"10M\"".into(),
                "line 2: expected PROFILE,PLAN, got \",x\"".into(),
            ])
        );
    }

    #[test]
    fn each_secret_is_adopted_skipped_or_refused_with_its_reason() {
        let mut no_password = secret("nopw", "10M", false, None);
        no_password.password = None;
        let mut l2tp = secret("vpn", "10M", false, None);
        l2tp.service = "l2tp".into();
        let secrets = vec![
            secret("ana", "10M", false, Some("Ana Souza")),
            secret("bob", "10M", true, None),
            secret("mine", "10M", false, Some("headend:svc=4")),
            secret("known", "10M", false, None),
            secret("odd", "5M", false, None),
            no_password,
            l2tp,
        ];
        let out = adopt(secrets, &|p| (p == "10M").then_some(PlanId(1)), &|n| n == "known");
        let adopted: Vec<Adopted> = out.services.into_iter().map(|(a, _)| a).collect();
        assert_eq!(
            adopted,
            [
                Adopted {
                    username: "ana".into(),
                    customer: "Ana Souza".into(),
                    plan: PlanId(1),
                    status: ServiceStatus::Active
                },
                Adopted {
                    username: "bob".into(),
                    customer: "bob".into(),
                    plan: PlanId(1),
                    status: ServiceStatus::Suspended
                },
            ]
        );
        let skipped: Vec<&str> = out.skipped.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(skipped, ["mine", "known", "vpn"]);
        let errors: Vec<&str> = out.errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(errors, ["odd", "nopw"]);
        assert!(out.errors[0].1.contains("--plan-map"));
        assert!(out.errors[1].1.contains("sensitive"));
    }
}
