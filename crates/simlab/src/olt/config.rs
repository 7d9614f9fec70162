//! How a simulated OLT behaves: vendor, ports, ONUs, credentials, faults.

use std::fmt;
use std::time::Duration;

use headend_core::olt::OltVendor;

/// A PON port: frame (ZTE: rack), slot and port, printed `0/1/0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PonPort {
    /// Frame (Huawei) or rack (ZTE).
    pub frame: u8,
    /// Slot of the GPON board.
    pub slot: u8,
    /// Port on the board.
    pub port: u8,
}

impl PonPort {
    /// The port `frame/slot/port`.
    #[must_use]
    pub const fn new(frame: u8, slot: u8, port: u8) -> Self {
        Self { frame, slot, port }
    }
}

impl fmt::Display for PonPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.frame, self.slot, self.port)
    }
}

/// Misbehaviour to inject; changeable while the OLT runs
/// ([`SimOltHandle::set_faults`](super::SimOltHandle::set_faults)).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OltFaults {
    /// Accept each TCP connection and close it at once, before the SSH
    /// banner, as an OLT whose management plane is down.
    pub refuse_connections: bool,
    /// Refuse every password, as an OLT whose AAA is down.
    pub refuse_login: bool,
    /// Wait this long before answering each command line.
    pub latency: Duration,
    /// Echo and count command lines, but answer nothing.
    pub stall: bool,
    /// Send half of the next command's reply, then close the connection.
    pub close_mid_reply: bool,
    /// Refuse the commands that turn the pager off (`scroll`, `terminal
    /// length`) as unknown, as firmware without them does: the pager
    /// stays on and must be answered.
    pub ignore_pager_off: bool,
    /// The next command line starting with this text is carried out, then
    /// the connection closes before its reply (a session lost right at a
    /// write the OLT applied). Fires once, then clears itself.
    pub drop_after_command: Option<String>,
}

/// A simulated OLT's set-up.
#[derive(Debug, Clone)]
pub struct SimOltConfig {
    /// Whose CLI: Huawei or ZTE C300/C320 ([`SimOlt::emulates`]
    /// says). Default [`OltVendor::Huawei`].
    ///
    /// [`SimOlt::emulates`]: super::SimOlt::emulates
    pub vendor: OltVendor,
    /// Hostname in the prompt; `None`: the vendor's default
    /// (`MA5600T`, `ZXAN`).
    pub hostname: Option<String>,
    /// Number of GPON ports, 16 a board
    /// ([`SimOltHandle::pon_port`](super::SimOltHandle::pon_port)). Default 4.
    pub pon_ports: usize,
    /// ONUs configured on every port at start (ids from 0 on Huawei, 1
    /// on ZTE; at most 128). Default 4.
    pub onus_per_port: usize,
    /// Unconfigured ONUs waiting in autofind at start, spread over the
    /// ports. Default 2.
    pub autofind: usize,
    /// Login user. Default `admin`.
    pub username: String,
    /// Login password. Default `admin`.
    pub password: String,
    /// Seed of everything random: serials, optical levels, churn, and the
    /// host key.
    pub seed: u64,
    /// Concurrent shells allowed; the next one is told the vendor's
    /// refusal and closed. Default 5.
    pub max_vty_sessions: usize,
    /// Every period one ONU changes state (online ONUs lose light or
    /// power, dark ones come back). `None`: only on request.
    pub churn: Option<Duration>,
    /// How long an authorized or rebooted ONU takes to come online.
    /// Default 3 s.
    pub online_delay: Duration,
    /// Lines per page until the session changes it (`scroll`,
    /// `terminal length`). Default 24.
    pub page_lines: usize,
    /// Faults in force at start.
    pub faults: OltFaults,
}

impl Default for SimOltConfig {
    fn default() -> Self {
        Self {
            vendor: OltVendor::Huawei,
            hostname: None,
            pon_ports: 4,
            onus_per_port: 4,
            autofind: 2,
            username: "admin".into(),
            password: "admin".into(),
            seed: 1,
            max_vty_sessions: 5,
            churn: None,
            online_delay: Duration::from_secs(3),
            page_lines: 24,
            faults: OltFaults::default(),
        }
    }
}

impl SimOltConfig {
    /// The defaults for this vendor.
    #[must_use]
    pub fn vendor(vendor: OltVendor) -> Self {
        Self { vendor, ..Self::default() }
    }
}
