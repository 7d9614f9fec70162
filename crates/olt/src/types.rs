//! The words every vendor module shares: ports, ONUs, serial numbers,
//! readings with their units. Plain data, no IO; vendors convert their text
//! into these and back into their own command syntax.

use std::fmt;
use std::str::FromStr;

use jiff::civil::DateTime;
use jiff::tz::Offset;

/// A PON port as `frame/slot/port` (Huawei `0/1/0`, ZTE `1/1/1` as
/// rack/shelf… `shelf/slot/port`). VSOL names its ports `0/n`: those are
/// `frame 0, slot 0, port n` and print as `0/n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PonPort {
    pub frame: u16,
    pub slot: u16,
    pub port: u16,
}

impl PonPort {
    pub fn new(frame: u16, slot: u16, port: u16) -> Self {
        PonPort { frame, slot, port }
    }

    /// A VSOL port `0/n`.
    pub fn vsol(port: u16) -> Self {
        PonPort { frame: 0, slot: 0, port }
    }
}

impl fmt::Display for PonPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.frame, self.slot, self.port)
    }
}

/// The text was not `f/s/p` or `s/p`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a PON port: {0:?} (expected frame/slot/port, e.g. 0/1/0)")]
pub struct BadPort(pub String);

impl FromStr for PonPort {
    type Err = BadPort;

    /// `0/1/0`, `0/ 1/0` (Huawei pads the slot), or `0/1` (VSOL).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').map(str::trim).collect();
        let num = |p: &str| p.parse::<u16>().map_err(|_| BadPort(s.to_owned()));
        match parts.as_slice() {
            [f, sl, p] => Ok(PonPort::new(num(f)?, num(sl)?, num(p)?)),
            [sl, p] => Ok(PonPort::new(0, num(sl)?, num(p)?)),
            _ => Err(BadPort(s.to_owned())),
        }
    }
}

/// One registered ONU: its port and its id on that port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OnuRef {
    pub port: PonPort,
    pub id: u32,
}

impl OnuRef {
    pub fn new(port: PonPort, id: u32) -> Self {
        OnuRef { port, id }
    }
}

impl fmt::Display for OnuRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.port, self.id)
    }
}

/// A GPON serial number in its usual printed form: four vendor letters and
/// eight hex digits (`HWTC0B086EA9`). Huawei prints and wants the 16-hex
/// form (`485754430B086EA9`); [`SerialNumber::hex16`] gives it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SerialNumber(String);

/// The text was not a GPON serial number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a GPON serial number: {0:?} (expected e.g. HWTC0B086EA9 or 485754430B086EA9)")]
pub struct BadSerial(pub String);

impl SerialNumber {
    /// `HWTC0B086EA9`, `hwtc0b086ea9`, `485754430B086EA9` or
    /// `HWTC-0B086EA9`; stored as `HWTC0B086EA9`.
    pub fn parse(s: &str) -> Result<Self, BadSerial> {
        let t = s.trim();
        let bad = || BadSerial(s.to_owned());
        let compact: String = t.chars().filter(|c| *c != '-').collect();
        if !compact.is_ascii() {
            return Err(bad());
        }
        if compact.len() == 16 && compact.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut vendor = String::with_capacity(4);
            for i in 0..4 {
                let byte = u8::from_str_radix(compact.get(i * 2..i * 2 + 2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
                if !byte.is_ascii_alphanumeric() {
                    return Err(bad());
                }
                vendor.push(char::from(byte).to_ascii_uppercase());
            }
            let rest = compact.get(8..).ok_or_else(bad)?.to_ascii_uppercase();
            return Ok(SerialNumber(format!("{vendor}{rest}")));
        }
        if compact.len() == 12 {
            let (vendor, rest) = compact.split_at(4);
            if vendor.chars().all(|c| c.is_ascii_alphanumeric()) && rest.chars().all(|c| c.is_ascii_hexdigit()) {
                return Ok(SerialNumber(format!("{}{}", vendor.to_ascii_uppercase(), rest.to_ascii_uppercase())));
            }
        }
        Err(bad())
    }

    /// `HWTC0B086EA9`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The four vendor letters (`HWTC`, `ZTEG`, `GPON`, …).
    pub fn vendor_id(&self) -> &str {
        self.0.get(..4).unwrap_or("")
    }

    /// `485754430B086EA9`: the vendor letters as hex, then the rest.
    pub fn hex16(&self) -> String {
        let mut out = String::with_capacity(16);
        for b in self.vendor_id().bytes() {
            out.push_str(&format!("{b:02X}"));
        }
        out.push_str(self.0.get(4..).unwrap_or(""));
        out
    }
}

impl fmt::Display for SerialNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SerialNumber {
    type Err = BadSerial;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SerialNumber::parse(s)
    }
}

/// A time printed by the OLT on its own clock. Huawei adds the offset on
/// newer firmware (`2024-03-12 02:33:42-04:00`); older firmware and ZTE do
/// not, so the offset is optional and the caller decides what zone the OLT
/// is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceTime {
    pub civil: DateTime,
    pub offset: Option<Offset>,
}

impl DeviceTime {
    /// The instant, when the OLT said its offset.
    pub fn timestamp(&self) -> Option<jiff::Timestamp> {
        let offset = self.offset?;
        offset.to_timestamp(self.civil).ok()
    }
}

/// What the OLT says about an ONU's link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunState {
    Online,
    /// Offline, the OLT gave no better reason.
    Offline,
    /// Loss of signal: a fibre problem.
    Los,
    /// The ONU said it was losing power: a power cut at the customer's.
    DyingGasp,
    /// Registered but not (yet) working: ranging, syncing its MIB, …
    Other(String),
}

/// An ONU the OLT sees on a port but that is not registered.
#[derive(Debug, Clone, PartialEq)]
pub struct AutofindOnu {
    pub port: PonPort,
    pub serial: SerialNumber,
    /// `HWTC`, `ZTEG`, … (from the OLT when it says, else the serial).
    pub vendor_id: String,
    /// The model the ONU reports (`EG8145V5`, `F670LV9.0`), when the OLT says.
    pub equipment_id: Option<String>,
    pub software_version: Option<String>,
    /// When the OLT first saw it, when it says.
    pub found_at: Option<DeviceTime>,
    /// The id ZTE C300/C320 and VSOL propose (`gpon-onu_1/1/1:3`); not
    /// reserved, just a hint.
    pub proposed_id: Option<u32>,
}

/// A registered ONU.
#[derive(Debug, Clone, PartialEq)]
pub struct Onu {
    pub onu: OnuRef,
    pub serial: Option<SerialNumber>,
    /// The ONU type or model the OLT lists (`EG8145X6-10`, `F670L`, `V411`).
    pub equipment_id: Option<String>,
    pub description: Option<String>,
    pub state: RunState,
    pub last_up: Option<DeviceTime>,
    pub last_down: Option<DeviceTime>,
    /// The OLT's words for the last going-down (`LOSi/LOBi`, `dying-gasp`).
    pub last_down_cause: Option<String>,
}

macro_rules! unit {
    ($(#[$doc:meta])* $name:ident, $suffix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
        pub struct $name(pub f64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.0, $suffix)
            }
        }
    };
}

unit!(
    /// Optical power in dBm.
    Dbm,
    "dBm"
);
unit!(
    /// Temperature in degrees Celsius.
    Celsius,
    "°C"
);
unit!(
    /// Supply voltage in volts.
    Volts,
    "V"
);
unit!(
    /// Laser bias current in milliamperes.
    MilliAmps,
    "mA"
);
unit!(
    /// Fibre distance in metres.
    Meters,
    "m"
);

/// Optical readings of one ONU. Every field is `None` when the OLT printed
/// `-`, `N/A`, a zero the vendor uses for "no reading", or did not give it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpticalReading {
    /// What the ONU receives from the OLT.
    pub onu_rx: Option<Dbm>,
    /// What the ONU transmits.
    pub onu_tx: Option<Dbm>,
    /// What the OLT receives from this ONU.
    pub olt_rx: Option<Dbm>,
    /// What the OLT transmits on the port (ZTE reports it per ONU).
    pub olt_tx: Option<Dbm>,
    pub temperature: Option<Celsius>,
    pub voltage: Option<Volts>,
    pub bias_current: Option<MilliAmps>,
    pub distance: Option<Meters>,
}

impl OpticalReading {
    /// True when the OLT gave no reading at all (an offline ONU).
    pub fn is_empty(&self) -> bool {
        *self == OpticalReading::default()
    }
}

/// One ONU's readings in a bulk read of a port.
#[derive(Debug, Clone, PartialEq)]
pub struct PortOptical {
    pub onu: OnuRef,
    pub reading: OpticalReading,
}

/// A profile named or numbered, as the OLT knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileRef {
    Id(u32),
    Name(String),
}

/// How to register an ONU. Which fields a vendor needs:
/// - Huawei: `line` and `service` (`ont-lineprofile-*`, `ont-srvprofile-*`);
///   `gemport` for the service-port when a VLAN is given.
/// - ZTE: `onu_type` (`onu N type T sn S`) and `tcont_profile`.
/// - VSOL: `onu_type` (the ONU profile of `onu add N profile P sn S`),
///   `line` and `service` by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnuProfile {
    pub line: Option<ProfileRef>,
    pub service: Option<ProfileRef>,
    pub onu_type: Option<String>,
    pub tcont_profile: Option<String>,
    /// GEM port index the service uses (1 unless the profiles say otherwise).
    pub gemport: u16,
}

impl Default for OnuProfile {
    fn default() -> Self {
        OnuProfile { line: None, service: None, onu_type: None, tcont_profile: None, gemport: 1 }
    }
}

/// A customer VLAN, 1 to 4094.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vlan(u16);

impl Vlan {
    pub fn new(id: u16) -> Option<Vlan> {
        (1..=4094).contains(&id).then_some(Vlan(id))
    }

    pub fn id(self) -> u16 {
        self.0
    }
}

impl fmt::Display for Vlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Register the ONU with this serial on this port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizeRequest {
    pub port: PonPort,
    pub serial: SerialNumber,
    /// The id to give it; `None` lets the OLT (Huawei) or the driver (the
    /// lowest free id, ZTE and VSOL) choose.
    pub onu_id: Option<u32>,
    pub profile: OnuProfile,
    pub vlan: Option<Vlan>,
    /// Printable ASCII, no `"` or `?` (the CLI would take `?` as a help
    /// request). ZTE and VSOL take one word: spaces become `_`.
    pub description: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_with_huawei_padding_and_vsol_short_form() {
        assert_eq!("0/ 2/0".parse::<PonPort>(), Ok(PonPort::new(0, 2, 0)));
        assert_eq!("1/1/16".parse::<PonPort>(), Ok(PonPort::new(1, 1, 16)));
        assert_eq!("0/3".parse::<PonPort>(), Ok(PonPort::vsol(3)));
        assert!("0/1/x".parse::<PonPort>().is_err());
        assert!("1".parse::<PonPort>().is_err());
    }

    #[test]
    fn serials_in_both_forms_are_one_value() {
        let a = SerialNumber::parse("485754430B086EA9").unwrap();
        let b = SerialNumber::parse("hwtc0b086ea9").unwrap();
        let c = SerialNumber::parse("HWTC-0B086EA9").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(a.as_str(), "HWTC0B086EA9");
        assert_eq!(a.hex16(), "485754430B086EA9");
        assert_eq!(a.vendor_id(), "HWTC");
    }

    #[test]
    fn serials_that_are_not() {
        for bad in [
            "",
            "HWTC",
            "HWTC0B086EAZ",
            "0000000000000000",
            "ZTEG1234567",
            "日本語日本語日本語日本",
            "ZT\u{fb}\u{9f}rror 99",
            "ZTXé1234567",
            "ñññññ1234",
        ] {
            assert!(SerialNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn vlan_bounds() {
        assert!(Vlan::new(0).is_none());
        assert!(Vlan::new(4095).is_none());
        assert_eq!(Vlan::new(100).map(Vlan::id), Some(100));
    }
}
