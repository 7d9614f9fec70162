//! GPON OLTs in the inventory, their ONUs' link states, what a plan tells
//! an OLT when it registers a subscriber's ONU, and the events zero-touch
//! provisioning raises.
//!
//! The OLT protocol itself (SSH, vendor dialects, parsers) is
//! `headend-olt`; these are the inventory's words for the same things, so
//! the store and the console need not depend on a transport. The vendor is
//! the exception: [`OltVendor`] is the one vendor type, which the drivers
//! and the simulator use too.

use std::fmt;
use std::str::FromStr;

use crate::event::Notice;
use crate::geo::GeoPoint;
use crate::ids::{OdpId, OltId, PopId, ServiceId};

/// Which command dialect an OLT speaks: the inventory stores it (by
/// [`OltVendor::as_str`]), `headend-olt`'s drivers pick their commands by
/// it, and `headend-simlab` says which ones it emulates.
///
/// The one vendor type lives here, not in `headend-olt`, because this crate
/// is pure and depends on none of ours: the drivers, the simulator and the
/// store can all use it without a cycle, and the store and the console need
/// not link an SSH stack to name a vendor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OltVendor {
    /// Huawei MA5600T / MA5603T / MA5608T / MA5800 (SmartAX, `display ...`).
    Huawei,
    /// ZTE C300 / C320 (ZXAN, `gpon-olt_1/1/1`).
    Zte,
    /// ZTE C600 / C620 / C650 (TITAN, `gpon_olt-1/1/1`, `show pon onu uncfg`).
    ZteTitan,
    /// VSOL V1600G series (GPON; ONU commands inside `interface gpon 0/n`).
    Vsol,
}

impl OltVendor {
    pub const ALL: [OltVendor; 4] = [OltVendor::Huawei, OltVendor::Zte, OltVendor::ZteTitan, OltVendor::Vsol];

    /// The name [`FromStr`] accepts back: stored in the database, and what
    /// `headend olt add --vendor` and the console's OLT form take.
    pub fn as_str(self) -> &'static str {
        match self {
            OltVendor::Huawei => "huawei",
            OltVendor::Zte => "zte",
            OltVendor::ZteTitan => "zte-c600",
            OltVendor::Vsol => "vsol",
        }
    }
}

impl fmt::Display for OltVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown OLT vendor {0:?}: use huawei, zte, zte-c600 or vsol")]
pub struct UnknownOltVendor(pub String);

impl FromStr for OltVendor {
    type Err = UnknownOltVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OltVendor::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| UnknownOltVendor(s.to_owned()))
    }
}

/// An OLT as the operator configured it. Its password is not here: it
/// lives in the OS keyring under the OLT's id.
#[derive(Debug, Clone, PartialEq)]
pub struct Olt {
    pub id: OltId,
    pub name: String,
    pub vendor: OltVendor,
    /// A host name or an IP address literal.
    pub host: String,
    /// The SSH port.
    pub port: u16,
    pub username: String,
    /// The SSH host key's SHA-256 fingerprint (`SHA256:...`), pinned on
    /// the first connection; a different key is refused. Not a secret.
    pub host_key: Option<String>,
    pub pop: Option<PopId>,
    pub location: Option<GeoPoint>,
}

/// An optical distribution point: a splitter box ONUs hang from.
#[derive(Debug, Clone, PartialEq)]
pub struct Odp {
    pub id: OdpId,
    pub name: String,
    pub pop: Option<PopId>,
    pub location: Option<GeoPoint>,
    /// Splitter outputs, when known.
    pub capacity: Option<u16>,
}

/// What the OLT says about an ONU's link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OnuState {
    Online,
    /// Offline with no better reason given.
    Offline,
    /// Loss of signal: a fibre problem.
    Los,
    /// The ONU said it was losing power (a power cut at the customer's).
    DyingGasp,
    /// Registered but not working yet (ranging, syncing its configuration).
    Other,
}

impl OnuState {
    pub const ALL: [OnuState; 5] =
        [OnuState::Online, OnuState::Offline, OnuState::Los, OnuState::DyingGasp, OnuState::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            OnuState::Online => "online",
            OnuState::Offline => "offline",
            OnuState::Los => "los",
            OnuState::DyingGasp => "dying-gasp",
            OnuState::Other => "other",
        }
    }

    pub fn is_online(self) -> bool {
        self == OnuState::Online
    }
}

impl fmt::Display for OnuState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ONU state {0:?}: use online, offline, los, dying-gasp or other")]
pub struct UnknownOnuState(pub String);

impl FromStr for OnuState {
    type Err = UnknownOnuState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OnuState::ALL.into_iter().find(|st| st.as_str() == s).ok_or_else(|| UnknownOnuState(s.to_owned()))
    }
}

/// What a plan tells the OLT when a subscriber's ONU is registered. The
/// two profile names mean, per vendor:
/// - Huawei and VSOL: the line and the service profile (a number is a
///   profile id, anything else its name);
/// - ZTE: the T-CONT (bandwidth) profile and the ONU type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OltProfile {
    pub line: Option<String>,
    pub service: Option<String>,
    /// The subscriber VLAN; a service may override it.
    pub vlan: Option<u16>,
}

impl OltProfile {
    pub fn is_empty(&self) -> bool {
        self.line.is_none() && self.service.is_none() && self.vlan.is_none()
    }
}

/// What registering an ONU for a service starts from, wherever it is done
/// (the Authorize dialog, `headend olt authorize --service`, zero-touch):
/// the plan's OLT profile, the service's own VLAN before the plan's, and
/// the service's ONU description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeDefaults {
    pub profile: OltProfile,
    pub description: String,
}

impl AuthorizeDefaults {
    pub fn for_service(
        service: ServiceId,
        customer: &str,
        plan_profile: Option<OltProfile>,
        service_vlan: Option<u16>,
    ) -> Self {
        let mut profile = plan_profile.unwrap_or_default();
        if service_vlan.is_some() {
            profile.vlan = service_vlan;
        }
        Self { profile, description: onu_description(service, customer) }
    }
}

/// Whether `vlan` is a customer VLAN an OLT accepts (1 to 4094).
pub fn valid_vlan(vlan: u16) -> bool {
    (1..=4094).contains(&vlan)
}

/// Longest ONU description written to an OLT: ZTE's `name` takes 32
/// characters; Huawei and VSOL take more, but one rule for all keeps the
/// OLTs alike.
pub const DESCRIPTION_MAX: usize = 32;

/// The description an ONU registered for a service gets on the OLT:
/// `svc<id>-<customer>`, in the characters every vendor's CLI takes
/// unquoted (ASCII letters, digits, `-`, `_`, `.`), at most
/// [`DESCRIPTION_MAX`] long. Accents are dropped to their letter where it is
/// plain (`José` → `Jose`), other characters become `_`.
pub fn onu_description(service: ServiceId, customer: &str) -> String {
    let mut out = format!("svc{service}");
    let mut name = String::new();
    for c in customer.trim().chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '.') {
            name.push(c);
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    let name = name.trim_end_matches('_');
    if !name.is_empty() {
        out.push('-');
        out.push_str(name);
    }
    out.chars().take(DESCRIPTION_MAX).collect::<String>().trim_end_matches('_').to_owned()
}

/// The plain letter of a Latin letter with a diacritic, else `c`.
fn fold_accent(c: char) -> char {
    const FROM: &str = "ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ";
    const TO: &str = "AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy";
    FROM.chars().position(|f| f == c).and_then(|i| TO.chars().nth(i)).unwrap_or(c)
}

/// Zero-touch provisioning registered a service's ONU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnuAuthorized {
    pub service: ServiceId,
    pub olt: OltId,
    pub serial: String,
    /// `frame/slot/port`.
    pub port: String,
    /// The ONU's id on the port.
    pub onu_index: u32,
}

/// Zero-touch provisioning gave up registering a service's ONU after its
/// last retry (or the request cannot be made at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnuAuthorizeFailed {
    pub service: ServiceId,
    pub olt: Option<OltId>,
    pub serial: String,
    pub error: String,
}

impl OnuAuthorizeFailed {
    /// The notification, naming the service and the OLT as the operator
    /// knows them.
    pub fn notice(&self, service_label: &str, olt_name: Option<&str>) -> Notice {
        let on = olt_name.map(|n| format!(" on {n}")).unwrap_or_default();
        Notice {
            title: format!("ONU not registered: {service_label}"),
            body: crate::event::cut(&format!("{}{on}: {}", self.serial, self.error.trim())),
        }
    }
}

/// An OLT presented an SSH host key other than the pinned one: Headend
/// stops talking to it until the operator looks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostKeyChanged {
    pub olt: OltId,
    pub name: String,
    pub pinned: String,
    pub presented: String,
}

impl HostKeyChanged {
    pub fn notice(&self) -> Notice {
        Notice {
            title: format!("OLT {}: SSH host key changed", self.name),
            body: "Headend stopped connecting to it. If the OLT's control board was replaced, pin the new key; \
                   otherwise someone may be intercepting the connection."
                .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_defaults_take_the_services_vlan_before_the_plans() {
        let plan = OltProfile { line: Some("20".into()), service: Some("30".into()), vlan: Some(100) };
        let own = AuthorizeDefaults::for_service(ServiceId(7), "José Lima", Some(plan.clone()), Some(200));
        assert_eq!(own.profile, OltProfile { vlan: Some(200), ..plan.clone() });
        assert_eq!(own.description, "svc7-Jose_Lima");
        let plans = AuthorizeDefaults::for_service(ServiceId(7), "Ana", Some(plan.clone()), None);
        assert_eq!(plans.profile.vlan, Some(100));
        let none = AuthorizeDefaults::for_service(ServiceId(7), "Ana", None, None);
        assert!(none.profile.is_empty());
    }

    #[test]
    fn names_round_trip() {
        for v in OltVendor::ALL {
            assert_eq!(v.as_str().parse(), Ok(v));
        }
        for s in OnuState::ALL {
            assert_eq!(s.as_str().parse(), Ok(s));
        }
        assert!("fiberhome".parse::<OltVendor>().is_err());
        assert!("up".parse::<OnuState>().is_err());
    }

    #[test]
    fn descriptions_are_safe_on_every_cli() {
        let cases = [
            (7, "Maria Lopez", "svc7-Maria_Lopez"),
            (42, "José Núñez \"El Flaco\"?", "svc42-Jose_Nunez_El_Flaco"),
            (3, "  ", "svc3"),
            (3, "日本", "svc3"),
            (123_456, "A very long customer name that goes on and on", "svc123456-A_very_long_customer_n"),
            (9, "O'Brien & Sons, Ltd.", "svc9-O_Brien_Sons_Ltd."),
        ];
        for (id, name, want) in cases {
            let got = onu_description(ServiceId(id), name);
            assert_eq!(got, want, "{name:?}");
            assert!(got.len() <= DESCRIPTION_MAX);
            assert!(got.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')), "{got}");
        }
    }

    #[test]
    fn vlans() {
        assert!(!valid_vlan(0));
        assert!(valid_vlan(1));
        assert!(valid_vlan(4094));
        assert!(!valid_vlan(4095));
    }

    #[test]
    fn failure_notice_names_serial_and_olt() {
        let f = OnuAuthorizeFailed {
            service: ServiceId(4),
            olt: Some(OltId(1)),
            serial: "HWTC0B086EA9".into(),
            error: "the OLT refused \"ont add\": Failure: SN already exists\n".into(),
        };
        let n = f.notice("ana (Ana Silva)", Some("olt-north"));
        assert_eq!(n.title, "ONU not registered: ana (Ana Silva)");
        assert_eq!(n.body, "HWTC0B086EA9 on olt-north: the OLT refused \"ont add\": Failure: SN already exists");
    }
}
