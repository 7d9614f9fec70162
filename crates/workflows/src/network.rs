//! The network as the map and the dashboard show it: every located router,
//! OLT, ODP and customer service as a marker coloured by core's
//! `map_layers` rules, and the dashboard's router and OLT counts by the
//! same rules, over the store and what the engines last saw.
//!
//! The engines' live state comes in as plain data ([`EnginesSeen`]), so
//! these are tested without running a fleet.

use std::collections::{HashMap, HashSet};

use headend_core::geo::GeoPoint;
use headend_core::map_layers::{MarkerState, OltSeen, OnuSeen, RouterSeen, customer_state, olt_state, router_state};
use headend_core::optical::Thresholds;
use headend_core::{OltId, PlanId, PopId, RouterId};
use headend_fleet::{LiveSession, RouterState, RouterStatus};
use headend_store::{MapService, OltOverview};

use crate::{WorkflowError, Workflows};

/// What the engines last saw, taken once per view.
#[derive(Debug, Clone, Default)]
pub struct EnginesSeen {
    /// Each router's state; a router missing here is still connecting.
    pub routers: HashMap<RouterId, RouterState>,
    /// PPPoE users online now, by router.
    pub online: HashSet<(RouterId, String)>,
    /// OLTs whose login the OLT engine was refused.
    pub refused_olts: HashSet<OltId>,
}

impl EnginesSeen {
    pub fn new(statuses: Vec<RouterStatus>, sessions: &[LiveSession], refused_olts: HashSet<OltId>) -> Self {
        Self {
            routers: statuses.into_iter().map(|s| (s.router, s.state)).collect(),
            online: sessions.iter().map(|s| (s.router, s.user.clone())).collect(),
            refused_olts,
        }
    }

    fn router(&self, id: RouterId) -> RouterSeen {
        match self.routers.get(&id) {
            Some(RouterState::Up(_)) => RouterSeen::Up,
            Some(RouterState::Down { .. }) => RouterSeen::Down,
            Some(RouterState::Connecting) | None => RouterSeen::Connecting,
        }
    }

    /// An OLT is failing while its commands fail or its login is refused.
    fn olt(&self, o: &OltOverview) -> OltSeen {
        OltSeen {
            reached: o.health.reached_at.is_some(),
            failing: o.health.error.is_some() || self.refused_olts.contains(&o.olt.id),
            critical_alerts: o.criticals,
            los_alerts: o.los_alerts,
            warnings: o.warnings,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerKind {
    Router,
    Olt,
    Odp,
    Customer,
}

impl MarkerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerKind::Router => "router",
            MarkerKind::Olt => "olt",
            MarkerKind::Odp => "odp",
            MarkerKind::Customer => "customer",
        }
    }
}

/// One thing on the map. The id is the router's, OLT's, ODP's or (for a
/// customer) the service's.
#[derive(Debug, Clone, PartialEq)]
pub struct MapMarker {
    pub kind: MarkerKind,
    pub id: i64,
    pub name: String,
    pub at: GeoPoint,
    pub state: MarkerState,
    /// The popup's lines under the name.
    pub lines: Vec<String>,
    /// What the map's filters match on.
    pub router: Option<RouterId>,
    pub plan: Option<PlanId>,
    pub pop: Option<PopId>,
    /// Lower-case text the map's search matches.
    pub search: String,
}

/// A filter's choice: a POP, router or plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkMap {
    pub markers: Vec<MapMarker>,
    /// Drop cables: from an ODP or OLT to a customer.
    pub drop_lines: Vec<(GeoPoint, GeoPoint)>,
    pub pops: Vec<Choice>,
    pub routers: Vec<Choice>,
    pub plans: Vec<Choice>,
    /// Customers with no location yet: the map says how many it cannot show.
    pub unplaced_customers: u32,
}

/// Routers and OLTs by the map's states: the dashboard's health tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkHealth {
    pub routers_up: u32,
    /// Up, with failed provisioning actions.
    pub routers_degraded: u32,
    pub routers_down: u32,
    pub olts_down: u32,
    /// Open ONU signal alerts (warnings and criticals).
    pub olt_alerts: u32,
    pub onus_los: u32,
}

fn customer_marker(s: &MapService, seen: &EnginesSeen, thresholds: &Thresholds) -> MapMarker {
    let session = s.username.as_ref().map(|user| seen.online.contains(&(s.router, user.clone())));
    let onu = s.onu_state.map(|state| OnuSeen { state, rx: s.onu_rx });
    let login = s.username.clone().or_else(|| s.ip_address.clone()).unwrap_or_default();
    let mut lines = vec![format!("{login} · {}", s.plan_name)];
    if let Some(address) = &s.address {
        lines.push(address.clone());
    }
    if let Some(rx) = s.onu_rx {
        lines.push(format!("ONU signal {rx:.1} dBm"));
    }
    let search = format!("{} {login} {}", s.customer_name, s.address.as_deref().unwrap_or("")).to_lowercase();
    MapMarker {
        kind: MarkerKind::Customer,
        id: s.service.0,
        name: s.customer_name.clone(),
        at: s.location,
        state: customer_state(s.status, session, onu, thresholds),
        lines,
        router: Some(s.router),
        plan: Some(s.plan),
        pop: s.pop,
        search,
    }
}

impl Workflows {
    /// Every located router, OLT, ODP and customer service, coloured by
    /// what the engines last saw, with the drop lines and the filters'
    /// choices.
    pub async fn network_map(&self, seen: &EnginesSeen) -> Result<NetworkMap, WorkflowError> {
        let store = &self.store;
        let routers = store.routers().await?;
        let failed = store.failed_actions_by_router().await?;
        let thresholds = store.signal_policy().await?.thresholds;
        let services = store.map_services().await?;
        let mut markers = Vec::with_capacity(services.len() + routers.len());

        for r in &routers {
            let Some(at) = r.location else { continue };
            let failures = failed.get(&r.id).copied().unwrap_or(0);
            let mut lines = vec![format!("{}:{}", r.host, r.port)];
            if let Some(RouterState::Down { error }) = seen.routers.get(&r.id) {
                lines.push(error.clone());
            }
            if failures > 0 {
                lines.push(format!("{failures} failed provisioning action(s)"));
            }
            markers.push(MapMarker {
                kind: MarkerKind::Router,
                id: r.id.0,
                name: r.name.clone(),
                at,
                state: router_state(seen.router(r.id), failures),
                lines,
                router: Some(r.id),
                plan: None,
                pop: r.pop,
                search: r.name.to_lowercase(),
            });
        }
        for o in &store.olt_overviews().await? {
            let Some(at) = o.olt.location else { continue };
            let mut lines = vec![format!("{} ONUs, {} online, {} in LOS", o.onus, o.online, o.los)];
            if let Some(error) = &o.health.error {
                lines.push(error.clone());
            }
            markers.push(MapMarker {
                kind: MarkerKind::Olt,
                id: o.olt.id.0,
                name: o.olt.name.clone(),
                at,
                state: olt_state(seen.olt(o)),
                lines,
                router: None,
                plan: None,
                pop: o.olt.pop,
                search: o.olt.name.to_lowercase(),
            });
        }
        for d in store.odps().await? {
            let Some(at) = d.odp.location else { continue };
            let full = d.odp.capacity.is_some_and(|c| d.onus >= u32::from(c));
            let used = match d.odp.capacity {
                Some(c) => format!("{} of {c} outputs used", d.onus),
                None => format!("{} ONUs", d.onus),
            };
            markers.push(MapMarker {
                kind: MarkerKind::Odp,
                id: d.odp.id.0,
                search: d.odp.name.to_lowercase(),
                name: d.odp.name,
                at,
                state: if full { MarkerState::Degraded } else { MarkerState::Up },
                lines: vec![used],
                router: None,
                plan: None,
                pop: d.odp.pop,
            });
        }
        let mut drop_lines = Vec::new();
        for s in &services {
            markers.push(customer_marker(s, seen, &thresholds));
            if let Some(from) = s.drop_from {
                drop_lines.push((from, s.location));
            }
        }
        Ok(NetworkMap {
            markers,
            drop_lines,
            pops: store.pops().await?.into_iter().map(|p| Choice { id: p.id.0, name: p.name }).collect(),
            routers: routers.into_iter().map(|r| Choice { id: r.id.0, name: r.name }).collect(),
            plans: store.plans().await?.into_iter().map(|p| Choice { id: p.id.0, name: p.name }).collect(),
            unplaced_customers: store.unplaced_customers().await?,
        })
    }

    /// Routers up, needing a look and down, OLTs down, their alerts and
    /// ONUs in LOS, by the map's rules.
    pub async fn network_health(&self, seen: &EnginesSeen) -> Result<NetworkHealth, WorkflowError> {
        let failed = self.store.failed_actions_by_router().await?;
        let mut health = NetworkHealth::default();
        for router in seen.routers.keys() {
            let failures = failed.get(router).copied().unwrap_or(0);
            match router_state(seen.router(*router), failures) {
                MarkerState::Up => health.routers_up += 1,
                MarkerState::Degraded => health.routers_degraded += 1,
                MarkerState::Down => health.routers_down += 1,
                _ => {}
            }
        }
        for olt in self.store.olt_overviews().await? {
            if olt_state(seen.olt(&olt)) == MarkerState::Down {
                health.olts_down += 1;
            }
            health.olt_alerts += olt.warnings + olt.criticals;
            health.onus_los += olt.los;
        }
        Ok(health)
    }
}
