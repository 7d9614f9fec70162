//! Adoption: which of the PPP secrets already on a router become services
//! Headend manages, and why the others do not. A plain function of what
//! the router holds, which plan each profile means and which user names
//! are services already; `import router-secrets` and any later console
//! action call it.
//!
//! Choices: the customer is named after the secret's comment (or its user
//! name when it has none); an enabled secret becomes an active service, a
//! disabled one a suspended service. A secret whose password the API user
//! cannot read is refused rather than imported without one: a service
//! without a password would be cut off by the next sweep. A secret that
//! carries any Headend marker is left alone.

use std::net::IpAddr;

use crate::PlanId;
use crate::provision::marker::Mark;
use crate::provision::{Password, validate_username};
use crate::service::ServiceStatus;

/// A secret as read from the router.
#[derive(Debug, Clone)]
pub struct RouterSecret {
    pub name: String,
    pub password: Option<Password>,
    pub service: String,
    pub profile: String,
    /// `remote-address`: the user's fixed address, when it has one.
    pub remote_address: Option<String>,
    pub disabled: bool,
    pub comment: Option<String>,
}

/// A secret that becomes a service.
#[derive(Debug, Clone, PartialEq)]
pub struct Adopted {
    pub username: String,
    pub customer: String,
    pub plan: PlanId,
    pub status: ServiceStatus,
    /// The fixed address it already has (a secret's `remote-address`, a
    /// user's `Framed-IP-Address`); a pool name is not one.
    pub address: Option<IpAddr>,
}

/// What the router's secrets come to.
#[derive(Debug, Default)]
pub struct Adoption {
    pub services: Vec<(Adopted, Password)>,
    /// Secrets left alone, and why.
    pub skipped: Vec<(String, String)>,
    /// Secrets that stop the import, and why.
    pub errors: Vec<(String, String)>,
}

/// Reads a plan map: `PROFILE,PLAN` per line; blank lines and `#`
/// comments are ignored. Errors carry their line number.
pub fn parse_plan_map(text: &str) -> Result<Vec<(String, String)>, Vec<String>> {
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
pub fn adopt(
    secrets: Vec<RouterSecret>,
    plan_for: &dyn Fn(&str) -> Option<PlanId>,
    is_service: &dyn Fn(&str) -> bool,
) -> Adoption {
    let mut out = Adoption::default();
    for s in secrets {
        if Mark::in_comment(s.comment.as_deref()).is_some() {
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
        let address = s.remote_address.as_deref().and_then(|a| a.parse().ok());
        out.services.push((Adopted { username: s.name, customer, plan, status, address }, password));
    }
    out
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
            remote_address: None,
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
                    status: ServiceStatus::Active,
                    address: None,
                },
                Adopted {
                    username: "bob".into(),
                    customer: "bob".into(),
                    plan: PlanId(1),
                    status: ServiceStatus::Suspended,
                    address: None,
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
