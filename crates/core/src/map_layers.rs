//! What a marker on the network map says: the state of a router, an OLT or
//! a customer's service, as one word the map colours. The inputs are what
//! the engines last saw; nothing here reads them.

use crate::olt::OnuState;
use crate::optical::{RxBand, Thresholds};
use crate::service::ServiceStatus;

/// A marker's colour, worst first within each kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MarkerState {
    /// A device that does not answer.
    Down,
    /// An OLT with critical signal alerts or ONUs in loss of signal.
    Alert,
    /// A customer whose ONU lost the fibre.
    Los,
    /// A customer whose ONU's signal is in the warning or critical band.
    Weak,
    /// Up, with something to look at: failed provisioning actions, or
    /// signal warnings on an OLT.
    Degraded,
    Suspended,
    /// A PPPoE customer with no session now, or an ONU that is off.
    Offline,
    /// Not seen yet (connecting, never reached, a service not yet active).
    Unknown,
    /// A PPPoE customer with a live session.
    Online,
    /// A static-IP customer: active, with no session to show.
    Active,
    Up,
}

impl MarkerState {
    /// The CSS class suffix and the word in filters.
    pub fn as_str(self) -> &'static str {
        match self {
            MarkerState::Down => "down",
            MarkerState::Alert => "alert",
            MarkerState::Los => "los",
            MarkerState::Weak => "weak",
            MarkerState::Degraded => "degraded",
            MarkerState::Suspended => "suspended",
            MarkerState::Offline => "offline",
            MarkerState::Unknown => "unknown",
            MarkerState::Online => "online",
            MarkerState::Active => "active",
            MarkerState::Up => "up",
        }
    }

    /// What the popup says.
    pub fn label(self) -> &'static str {
        match self {
            MarkerState::Down => "Down",
            MarkerState::Alert => "Signal alerts",
            MarkerState::Los => "ONU in loss of signal",
            MarkerState::Weak => "Weak ONU signal",
            MarkerState::Degraded => "Up, needs a look",
            MarkerState::Suspended => "Suspended",
            MarkerState::Offline => "Offline",
            MarkerState::Unknown => "Not seen yet",
            MarkerState::Online => "Online now",
            MarkerState::Active => "Active",
            MarkerState::Up => "Up",
        }
    }
}

/// What the engine last knew of a router.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouterSeen {
    Connecting,
    Up,
    Down,
}

/// A router: down, degraded when provisioning actions on it failed, up.
pub fn router_state(seen: RouterSeen, failed_actions: u32) -> MarkerState {
    match seen {
        RouterSeen::Connecting => MarkerState::Unknown,
        RouterSeen::Down => MarkerState::Down,
        RouterSeen::Up if failed_actions > 0 => MarkerState::Degraded,
        RouterSeen::Up => MarkerState::Up,
    }
}

/// What the OLT engine last knew of an OLT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OltSeen {
    pub reached: bool,
    pub failing: bool,
    pub critical_alerts: u32,
    pub los_alerts: u32,
    pub warnings: u32,
}

/// An OLT: down while its commands fail, alert with critical or LOS
/// alerts, degraded with warnings.
pub fn olt_state(seen: OltSeen) -> MarkerState {
    if seen.failing {
        MarkerState::Down
    } else if !seen.reached {
        MarkerState::Unknown
    } else if seen.critical_alerts > 0 || seen.los_alerts > 0 {
        MarkerState::Alert
    } else if seen.warnings > 0 {
        MarkerState::Degraded
    } else {
        MarkerState::Up
    }
}

/// A customer's ONU as the last sweep saw it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OnuSeen {
    pub state: OnuState,
    /// The ONU's received power, dBm.
    pub rx: Option<f64>,
}

/// A customer's service on the map. A suspended service is suspended
/// whatever its line does; otherwise the fibre speaks first (an ONU in LOS,
/// then a weak signal, since the operator must go there), then the
/// session. `online` is `None` for a service without sessions (static IP).
pub fn customer_state(
    status: ServiceStatus,
    online: Option<bool>,
    onu: Option<OnuSeen>,
    thresholds: &Thresholds,
) -> MarkerState {
    match status {
        ServiceStatus::Suspended => return MarkerState::Suspended,
        ServiceStatus::Pending => return MarkerState::Unknown,
        ServiceStatus::Inactive | ServiceStatus::Terminated => return MarkerState::Offline,
        ServiceStatus::Active => {}
    }
    if let Some(onu) = onu {
        match onu.state {
            OnuState::Los => return MarkerState::Los,
            OnuState::Online if onu.rx.is_some_and(|rx| thresholds.band(rx) != RxBand::Good) => {
                return MarkerState::Weak;
            }
            OnuState::Offline | OnuState::DyingGasp if online != Some(true) => return MarkerState::Offline,
            _ => {}
        }
    }
    match online {
        Some(true) => MarkerState::Online,
        Some(false) => MarkerState::Offline,
        None => MarkerState::Active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn onu(state: OnuState, rx: f64) -> Option<OnuSeen> {
        Some(OnuSeen { state, rx: Some(rx) })
    }

    #[test]
    fn customers() {
        let t = Thresholds::default();
        use ServiceStatus::*;
        let cases = [
            (Active, Some(true), None, MarkerState::Online),
            (Active, Some(false), None, MarkerState::Offline),
            (Active, None, None, MarkerState::Active),
            (Suspended, Some(true), onu(OnuState::Los, -40.0), MarkerState::Suspended),
            (Pending, Some(false), None, MarkerState::Unknown),
            (Terminated, None, None, MarkerState::Offline),
            (Active, Some(false), onu(OnuState::Los, -40.0), MarkerState::Los),
            (Active, Some(true), onu(OnuState::Online, -28.0), MarkerState::Weak),
            (Active, Some(true), onu(OnuState::Online, -7.0), MarkerState::Weak),
            (Active, Some(true), onu(OnuState::Online, -20.0), MarkerState::Online),
            (Active, None, onu(OnuState::DyingGasp, -20.0), MarkerState::Offline),
            // A session outlives a stale ONU listing.
            (Active, Some(true), onu(OnuState::Offline, -20.0), MarkerState::Online),
            (Active, Some(false), onu(OnuState::Other, -20.0), MarkerState::Offline),
        ];
        for (status, online, seen, want) in cases {
            assert_eq!(customer_state(status, online, seen, &t), want, "{status:?} {online:?} {seen:?}");
        }
    }

    #[test]
    fn routers_and_olts() {
        assert_eq!(router_state(RouterSeen::Up, 0), MarkerState::Up);
        assert_eq!(router_state(RouterSeen::Up, 2), MarkerState::Degraded);
        assert_eq!(router_state(RouterSeen::Down, 2), MarkerState::Down);
        assert_eq!(router_state(RouterSeen::Connecting, 0), MarkerState::Unknown);
        let up = OltSeen { reached: true, ..OltSeen::default() };
        assert_eq!(olt_state(up), MarkerState::Up);
        assert_eq!(olt_state(OltSeen::default()), MarkerState::Unknown);
        assert_eq!(olt_state(OltSeen { failing: true, ..up }), MarkerState::Down);
        assert_eq!(olt_state(OltSeen { los_alerts: 1, warnings: 3, ..up }), MarkerState::Alert);
        assert_eq!(olt_state(OltSeen { warnings: 3, ..up }), MarkerState::Degraded);
    }

    #[test]
    fn worst_first() {
        assert!(MarkerState::Down < MarkerState::Degraded && MarkerState::Los < MarkerState::Online);
    }
}
