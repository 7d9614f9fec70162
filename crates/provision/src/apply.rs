//! Turning the reconciler's [`Step`]s into RouterOS writes and sending them
//! phase by phase: profiles, then secrets, lists and queues, then kicks.
//! Within a phase every write goes out at once (pipelined); a refused write
//! does not stop the others.

use std::time::{Duration, Instant};

use headend_core::plan::SessionLimits;
use headend_core::provision::diff::{ObjectKind, ProvisionPlan, REMOTE_ADDRESS, Step};
use headend_core::provision::marker::{Installation, Marker};
use headend_routeros::Attributes;
use headend_routeros::client::{ClientError, Password};
use headend_routeros::ops::{
    Change, ItemId, Menu, NewAddressListEntry, NewPppSecret, PppProfileSpec, PppSecretUpdate, RouterApi,
};

use crate::dialect::Dialect;
use crate::lease::RouterLease;

/// A plan's timeouts and pool as profile properties; what is `None` is
/// left out (and unset by its own step).
fn session_properties(session: &SessionLimits) -> PppProfileSpec {
    PppProfileSpec {
        session_timeout: session.session_timeout.map(|t| t.to_string().into()),
        idle_timeout: session.idle_timeout.map(|t| t.to_string().into()),
        remote_address: session.address_pool.as_ref().map(|p| p.as_str().into()),
        ..PppProfileSpec::default()
    }
}

/// The RouterOS write for one step; new objects are marked as
/// `installation`'s.
pub fn change(step: &Step, dialect: Dialect, installation: &Installation) -> Change {
    let id = |id: &str| ItemId::new(id.to_owned());
    match step {
        Step::AddProfile { plan, name, rate_limit, session } => PppProfileSpec {
            name: Some(name.as_str().into()),
            rate_limit: Some(dialect.rate_limit(rate_limit).into()),
            comment: Some(Marker::Plan(*plan).comment(installation).into()),
            ..session_properties(session)
        }
        .into_add(),
        Step::SetProfile { id: item, name, rate_limit, session, .. } => PppProfileSpec {
            name: Some(name.as_str().into()),
            rate_limit: Some(dialect.rate_limit(rate_limit).into()),
            ..session_properties(session)
        }
        .into_update(id(item)),
        Step::UnsetProfile { id: item, property, .. } => Change::unset(Menu::PppProfile, id(item), property),
        Step::AddSecret { service, name, password, profile, address, disabled } => {
            let mut secret = NewPppSecret::pppoe(name.as_str(), Password::new(password.expose()))
                .profile(profile.as_str())
                .comment(Marker::Service(*service).comment(installation));
            if let Some(address) = address {
                secret = secret.remote_address(address.to_string());
            }
            secret.disabled = *disabled;
            secret.into_change()
        }
        Step::SetSecret { id: item, changes, .. } => PppSecretUpdate {
            name: changes.name.as_deref().map(Into::into),
            password: changes.password.as_ref().map(|p| Password::new(p.expose())),
            profile: changes.profile.as_deref().map(Into::into),
            remote_address: changes.address.map(|a| a.to_string().into()),
            comment: changes.comment.as_deref().map(Into::into),
            disabled: changes.disabled,
            ..PppSecretUpdate::default()
        }
        .into_change(id(item)),
        Step::EnableSecret { id: item, .. } => Change::set_disabled(Menu::PppSecret, id(item), false),
        Step::DisableSecret { id: item, .. } => Change::set_disabled(Menu::PppSecret, id(item), true),
        Step::UnsetSecretAddress { id: item, .. } => Change::unset(Menu::PppSecret, id(item), REMOTE_ADDRESS),
        Step::RemoveSecret { id: item, .. } => Change::remove(Menu::PppSecret, id(item)),
        Step::Kick { id: item, .. } => Change::remove(Menu::PppActive, id(item)),
        Step::AddAddress { service, list, address } => NewAddressListEntry {
            list: list.as_str().into(),
            address: address.to_string().into(),
            timeout: None,
            comment: Some(Marker::Service(*service).comment(installation).into()),
        }
        .into_change(),
        Step::RemoveAddress { id: item, .. } => Change::remove(Menu::AddressList, id(item)),
        Step::AddQueue { service, name, target, max_limit } => {
            let mut attrs = queue_attrs(name, *target, max_limit);
            attrs.push("comment", Marker::Service(*service).comment(installation));
            Change::add(Menu::SimpleQueue, attrs)
        }
        Step::SetQueue { id: item, name, target, max_limit, .. } => {
            Change::set(Menu::SimpleQueue, id(item), queue_attrs(name, *target, max_limit))
        }
        Step::RemoveQueue { id: item, .. } => Change::remove(Menu::SimpleQueue, id(item)),
        Step::Claim { kind, id: item, comment, .. } => {
            let menu = match kind {
                ObjectKind::Profile => Menu::PppProfile,
                ObjectKind::Secret => Menu::PppSecret,
                ObjectKind::Address => Menu::AddressList,
                ObjectKind::Queue => Menu::SimpleQueue,
            };
            let mut attrs = Attributes::new();
            attrs.push("comment", comment.as_str());
            Change::set(menu, id(item), attrs)
        }
    }
}

fn queue_attrs(
    name: &str,
    target: std::net::IpAddr,
    max_limit: &headend_core::plan::Pair<headend_core::plan::Rate>,
) -> Attributes {
    let mut attrs = Attributes::new();
    attrs.push("name", name);
    let prefix = if target.is_ipv4() { 32 } else { 128 };
    attrs.push("target", format!("{target}/{prefix}"));
    attrs.push("max-limit", format!("{}/{}", max_limit.upload, max_limit.download));
    attrs
}

/// What became of one step.
#[derive(Debug)]
pub struct StepOutcome {
    pub result: Result<(), ClientError>,
    /// From sending the step's phase to its answer.
    pub took: Duration,
}

/// Sends `steps` (a subset of `plan`, in its order) phase by phase and
/// returns one outcome per step, in the same order: `None` for a step not
/// sent because the router's lease, renewed before each phase, was lost.
pub async fn apply(
    api: &impl RouterApi,
    dialect: Dialect,
    plan: &ProvisionPlan,
    steps: &[usize],
    installation: &Installation,
    lease: &RouterLease<'_>,
) -> Vec<Option<StepOutcome>> {
    let mut outcomes: Vec<Option<StepOutcome>> = steps.iter().map(|_| None).collect();
    for phase in 0..=2u8 {
        let in_phase: Vec<usize> = (0..steps.len()).filter(|&i| plan.steps[steps[i]].phase() == phase).collect();
        if in_phase.is_empty() {
            continue;
        }
        if !lease.renew().await {
            break;
        }
        let changes = in_phase.iter().map(|&i| change(&plan.steps[steps[i]], dialect, installation)).collect();
        let started = Instant::now();
        let results = api.apply(changes).await;
        let took = started.elapsed();
        let mut results = results.into_iter();
        for &i in &in_phase {
            let result = results.next().unwrap_or_else(|| {
                Err(ClientError::UnexpectedReply("the router sent no result for this write".into()))
            });
            outcomes[i] = Some(StepOutcome { result: result.map(drop), took });
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use headend_core::ServiceId;
    use headend_core::provision::Password as SubscriberPassword;
    use headend_core::provision::diff::SecretChanges;

    use super::*;

    fn here() -> Installation {
        Installation::new("5f3a9c0e1b2d4a67").unwrap()
    }

    fn words(step: &Step) -> Vec<String> {
        let command = change(step, Dialect::V7, &here()).to_command();
        let text = |v: &headend_routeros::Value| String::from_utf8_lossy(v.as_bytes()).into_owned();
        std::iter::once(text(command.path()))
            .chain(command.attributes().iter().map(|(k, v)| format!("={}={}", text(k), text(v))))
            .collect()
    }

    #[test]
    fn secret_writes() {
        let add = Step::AddSecret {
            service: ServiceId(4),
            name: "ana".into(),
            password: SubscriberPassword::new("pw"),
            profile: "hd-1-home".into(),
            address: None,
            disabled: false,
        };
        assert_eq!(
            words(&add),
            [
                "/ppp/secret/add",
                "=name=ana",
                "=password=pw",
                "=service=pppoe",
                "=profile=hd-1-home",
                "=comment=headend:svc=4@5f3a9c0e1b2d4a67"
            ]
        );
        let set = Step::SetSecret {
            service: ServiceId(4),
            id: "*7".into(),
            name: "ana".into(),
            changes: SecretChanges { profile: Some("hd-2".into()), disabled: Some(false), ..SecretChanges::default() },
        };
        assert_eq!(words(&set), ["/ppp/secret/set", "=.id=*7", "=profile=hd-2", "=disabled=no"]);
        let kick = Step::Kick { service: ServiceId(4), id: "*A".into(), name: "ana".into() };
        assert_eq!(words(&kick), ["/ppp/active/remove", "=.id=*A"]);
        let claim = Step::Claim {
            marker: Marker::Service(ServiceId(4)),
            kind: ObjectKind::Secret,
            id: "*7".into(),
            name: "ana".into(),
            comment: "Ana headend:svc=4@5f3a9c0e1b2d4a67".into(),
        };
        assert_eq!(words(&claim), ["/ppp/secret/set", "=.id=*7", "=comment=Ana headend:svc=4@5f3a9c0e1b2d4a67"]);
    }

    #[test]
    fn queue_and_list_writes() {
        let q = Step::AddQueue {
            service: ServiceId(9),
            name: "hd-svc-9".into(),
            target: "10.0.0.9".parse().unwrap(),
            max_limit: headend_core::plan::Pair::parse("10M/20M").unwrap(),
        };
        assert_eq!(
            words(&q),
            [
                "/queue/simple/add",
                "=name=hd-svc-9",
                "=target=10.0.0.9/32",
                "=max-limit=10M/20M",
                "=comment=headend:svc=9@5f3a9c0e1b2d4a67"
            ]
        );
        let a = Step::AddAddress {
            service: ServiceId(9),
            list: "headend-allowed".into(),
            address: "10.0.0.9".parse().unwrap(),
        };
        assert_eq!(
            words(&a),
            [
                "/ip/firewall/address-list/add",
                "=list=headend-allowed",
                "=address=10.0.0.9",
                "=comment=headend:svc=9@5f3a9c0e1b2d4a67"
            ]
        );
    }
}
