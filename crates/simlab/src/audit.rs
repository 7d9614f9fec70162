//! Does a simulated router hold what the database says it should? The
//! check the crash tests and the crash and chaos benchmarks share
//! (feature `audit`).
//!
//! What the router should hold is `headend_core::provision::desired`'s
//! answer for the database's services, plans and policy: the one
//! definition of the rules, so the audit does not restate them. What the
//! router holds is read straight from the simulator's menus, not through
//! the engine's reading and diff, so a fault there shows up here.
//!
//! Checked per service: its PPP secret (present or absent, enabled or
//! disabled, password, profile, marker), its live session (gone when the
//! service must be kicked), a static address in exactly the right
//! Headend address-list; per plan: its profile's rate-limit. Anything
//! twice on the router (a secret or profile name, a marker, an
//! address-list entry) is a duplicate. Not checked: simple queues' rates
//! and the session addresses of an address-list suspension.

use std::collections::{BTreeMap, BTreeSet};

use headend_core::plan::RateLimit;
use headend_core::provision::desired::{self, DesiredAccess, DesiredRouter, SecretWant, ServiceSpec};
use headend_core::provision::marker::{Installation, Mark, Marker, Ownership};
use headend_core::provision::policy::{ALLOWED_LIST, SUSPENDED_LIST};
use headend_core::{RouterId, ServiceId};
use headend_routeros::Attributes;
use headend_secrets::SubscriberCipher;
use headend_store::{Store, StoreError};
use jiff::Timestamp;

use crate::SimRouterHandle;

/// What the database says one router should hold, and the services whose
/// data could not be read back (a PPPoE password that no longer
/// decrypts).
#[derive(Debug, Clone)]
pub struct Expected {
    /// The router's desired state.
    pub desired: DesiredRouter,
    /// The database: only its marks count as Headend's.
    pub installation: Installation,
    /// Services of the router left out of `desired` because their data is
    /// unreadable.
    pub unreadable: Vec<ServiceId>,
}

/// What the database says `router` should hold at `now`.
pub async fn expected(
    store: &Store,
    cipher: &SubscriberCipher,
    router: RouterId,
    now: Timestamp,
) -> Result<Expected, StoreError> {
    let policy = store.isp_policy().await?;
    let mode = store.router_suspension(router).await?.unwrap_or(policy.suspension);
    let plans = store.plans().await?.into_iter().map(|p| (p.id, p)).collect();
    let known = store.all_services().await?.into_iter().map(|s| s.id).collect();
    let mut unreadable = Vec::new();
    let mut specs = Vec::new();
    for row in store.provisioning_rows(router).await? {
        let password = match row.password.as_deref().map(|blob| cipher.decrypt(blob)) {
            None => None,
            Some(Ok(password)) => Some(password),
            Some(Err(_)) => {
                unreadable.push(row.service.id);
                continue;
            }
        };
        specs.push(ServiceSpec { service: row.service, password, adopt: row.adopt });
    }
    let desired = desired::for_router(&policy, mode, &plans, &specs, known, now);
    let installation = Installation::new(&store.installation_id().await?)
        .map_err(|e| StoreError::Corrupt { table: "meta", detail: e.to_string() })?;
    Ok(Expected { desired, installation, unreadable })
}

/// Where a router and its desired state disagree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RouterAudit {
    /// Services whose objects on the router are not what they should be.
    pub services_differing: BTreeSet<ServiceId>,
    /// Plans' profiles missing or with another rate-limit, by name.
    pub profiles_differing: BTreeSet<String>,
    /// Objects present twice: a secret or profile name, a marker, an
    /// address-list entry.
    pub duplicates: Vec<String>,
    /// One line per disagreement, for people.
    pub problems: Vec<String>,
}

impl RouterAudit {
    /// Whether the router holds exactly what it should.
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.services_differing.is_empty() && self.profiles_differing.is_empty() && self.duplicates.is_empty()
    }

    fn service(&mut self, id: ServiceId, problem: String) {
        self.services_differing.insert(id);
        self.problems.push(format!("service {id}: {problem}"));
    }
}

/// The object's marker if this installation wrote it (a legacy or
/// another installation's mark is not a converged one).
fn marker(item: &Attributes, installation: &Installation) -> Option<Marker> {
    match Mark::ownership(item.get_str("comment"), installation) {
        Ownership::Ours(marker) => Some(marker),
        _ => None,
    }
}

fn flag(item: &Attributes, name: &str) -> bool {
    item.get_str(name) == Some("true")
}

/// Every value of `key` seen more than once among `items`.
fn twice<'a, K: Ord + std::fmt::Debug>(
    items: &'a [Attributes],
    what: &str,
    key: impl Fn(&'a Attributes) -> Option<K>,
) -> Vec<String> {
    let mut counts: BTreeMap<K, usize> = BTreeMap::new();
    for item in items {
        if let Some(k) = key(item) {
            *counts.entry(k).or_default() += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n > 1).map(|(k, n)| format!("{what} {k:?} {n} times")).collect()
}

/// Compares what `sim` holds now with what it should hold.
#[must_use]
pub fn audit(sim: &SimRouterHandle, expected: &Expected) -> RouterAudit {
    let desired = &expected.desired;
    let marker = |item: &Attributes| marker(item, &expected.installation);
    let secrets = sim.secrets();
    let sessions = sim.active_sessions();
    let profiles = sim.items("/ppp/profile").unwrap_or_default();
    let addresses: Vec<Attributes> = sim
        .items("/ip/firewall/address-list")
        .unwrap_or_default()
        .into_iter()
        .filter(|e| matches!(e.get_str("list"), Some(ALLOWED_LIST | SUSPENDED_LIST)))
        .collect();
    let mut out = RouterAudit::default();
    out.duplicates.extend(twice(&secrets, "PPP secret name", |s| s.get_str("name")));
    out.duplicates
        .extend(twice(&secrets, "PPP secret marker", |s| marker(s).map(|m| m.comment(&expected.installation))));
    out.duplicates.extend(twice(&profiles, "PPP profile name", |p| p.get_str("name")));
    out.duplicates.extend(twice(&addresses, "address-list entry", |e| Some((e.get_str("list"), e.get_str("address")))));
    out.problems.extend(out.duplicates.iter().cloned());

    for (plan, want) in &desired.profiles {
        let ours: Vec<&Attributes> = profiles.iter().filter(|p| marker(p) == Some(Marker::Plan(*plan))).collect();
        let right = ours.iter().any(|p| {
            p.get_str("name") == Some(want.name.as_str())
                && p.get_str("rate-limit").map(RateLimit::parse_routeros) == Some(Ok(want.rate_limit))
        });
        if !right {
            out.profiles_differing.insert(want.name.clone());
            out.problems.push(format!("profile {}: not on the router with rate-limit {}", want.name, want.rate_limit));
        }
    }

    for (&id, want) in &desired.services {
        let mine = Some(Marker::Service(id));
        let ours: Vec<&Attributes> = secrets.iter().filter(|s| marker(s) == mine).collect();
        let listed: Vec<&Attributes> = addresses.iter().filter(|e| marker(e) == mine).collect();
        match &want.access {
            DesiredAccess::Pppoe { username, password, profile, secret, kick, .. } => {
                match (secret, ours.as_slice()) {
                    (SecretWant::Absent, []) | (SecretWant::Disabled, []) => {}
                    (SecretWant::Absent, _) => out.service(id, format!("secret {username} should be gone")),
                    (SecretWant::Enabled, []) => out.service(id, format!("secret {username} is missing")),
                    (SecretWant::Enabled | SecretWant::Disabled, [s]) => {
                        let disabled = *secret == SecretWant::Disabled;
                        if s.get_str("name") != Some(username.as_str()) {
                            out.service(id, format!("secret is named {:?}, not {username}", s.get_str("name")));
                        }
                        if flag(s, "disabled") != disabled {
                            out.service(id, format!("secret {username} should be disabled={disabled}"));
                        }
                        if s.get_str("profile") != Some(profile.as_str()) {
                            out.service(id, format!("secret {username} should have profile {profile}"));
                        }
                        if let Some(password) = password
                            && s.get_str("password") != Some(password.expose())
                        {
                            out.service(id, format!("secret {username} has another password"));
                        }
                    }
                    (_, many) => out.service(id, format!("{} secrets carry its marker", many.len())),
                }
                if *kick && sessions.iter().any(|s| s.get_str("name") == Some(username.as_str())) {
                    out.service(id, format!("{username} should have been kicked"));
                }
                if !listed.is_empty() {
                    out.service(id, "a PPPoE service has a static address-list entry".into());
                }
            }
            DesiredAccess::Static { address, list, .. } => {
                if !ours.is_empty() {
                    out.service(id, "a static service has a PPP secret".into());
                }
                let address = address.to_string();
                let in_list =
                    |e: &Attributes| e.get_str("address") == Some(address.as_str()) && e.get_str("list") == *list;
                let found = listed.iter().filter(|e| in_list(e)).count();
                if found != listed.len() || found != usize::from(list.is_some()) {
                    out.service(id, format!("{address} should be in {}", list.unwrap_or("no Headend address-list")));
                }
            }
        }
    }

    // Marked objects of services this router must not carry.
    for item in secrets.iter().chain(&addresses) {
        if let Some(Marker::Service(id)) = marker(item)
            && !desired.services.contains_key(&id)
            && desired.known_services.contains(&id)
        {
            out.service(id, "its objects are still on a router it is not on".into());
        }
    }
    out
}
