//! The OLT's ONUs, its autofind list, and the optical levels that drift.
//!
//! Synchronous, under one mutex. State changes that take time (an ONU
//! coming online after `ont add` or a reboot) are kept as a due instant
//! and applied lazily by [`State::settle`], so there is no timer task and
//! a paused tokio clock drives them too. Optical levels are a per-ONU base
//! plus a smooth noise of (seed, ONU, time): deterministic and free to
//! compute for thousands of ONUs.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::time::Instant;

use super::SimOltStats;
use super::config::{OltFaults, PonPort, SimOltConfig};
use super::emulation::Emulation;

/// The state an ONU is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnuState {
    /// Registered and passing traffic.
    Online,
    /// Registered but not answering (rebooting, just added, deactivated).
    Offline,
    /// Loss of signal: the fibre is cut or the ONU unplugged from it.
    Los,
    /// The ONU reported losing power.
    DyingGasp,
}

/// An ONU's optical readings, as the OLT reports them while it is online.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Optics {
    /// What the ONU receives, dBm.
    pub onu_rx_dbm: f64,
    /// What the ONU sends, dBm.
    pub onu_tx_dbm: f64,
    /// What the OLT receives from the ONU, dBm.
    pub olt_rx_dbm: f64,
    /// ONU transceiver temperature, °C.
    pub temperature_c: f64,
    /// ONU supply voltage, V.
    pub voltage_v: f64,
    /// ONU laser bias current, mA.
    pub bias_ma: f64,
    /// Fibre distance, m.
    pub distance_m: u32,
}

/// One configured ONU as the simulator holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct OnuSnapshot {
    /// Its PON port.
    pub port: PonPort,
    /// Its id on the port.
    pub id: u16,
    /// Serial, vendor id and 8 hex digits (`HWTC0B086EA9`).
    pub serial: String,
    /// Equipment id (Huawei) or ONU type (ZTE).
    pub equipment: String,
    /// Description (ZTE: name).
    pub description: String,
    /// Huawei line profile id.
    pub line_profile: u16,
    /// Huawei service profile id.
    pub srv_profile: u16,
    /// Service VLAN, once a service port was made.
    pub vlan: Option<u16>,
    /// State now.
    pub state: OnuState,
    /// Optical readings now; `None` unless online.
    pub optics: Option<Optics>,
}

/// An unconfigured ONU waiting in autofind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutofindSnapshot {
    /// The port it was found on.
    pub port: PonPort,
    /// Its serial (`HWTC0B086EA9`).
    pub serial: String,
    /// Its equipment id / type.
    pub equipment: String,
}

/// Why an ONU last went down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DownCause {
    Los,
    DyingGasp,
    Reset,
}

/// The base levels an ONU's readings drift around.
#[derive(Debug, Clone, Copy)]
struct Levels {
    onu_rx: f64,
    onu_tx: f64,
    olt_rx: f64,
    temperature: f64,
    voltage: f64,
    bias: f64,
    distance: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Onu {
    pub(crate) id: u16,
    pub(crate) serial: String,
    pub(crate) equipment: String,
    pub(crate) description: String,
    pub(crate) line_profile: u16,
    pub(crate) srv_profile: u16,
    pub(crate) vlan: Option<u16>,
    pub(crate) state: OnuState,
    /// A state change that is due at an instant.
    pending: Option<(Instant, OnuState)>,
    pub(crate) last_up: Option<Instant>,
    pub(crate) last_down: Option<Instant>,
    pub(crate) down_cause: Option<DownCause>,
    key: u64,
    levels: Levels,
}

#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub(crate) serial: String,
    pub(crate) equipment: String,
    pub(crate) found: Instant,
}

#[derive(Debug)]
pub(crate) struct Port {
    pub(crate) addr: PonPort,
    pub(crate) onus: BTreeMap<u16, Onu>,
    pub(crate) autofind: Vec<Found>,
}

/// Why `ont add` / `onu N type ... sn ...` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddError {
    SerialExists,
    IdExists,
    PortFull,
}

/// A small deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `[lo, hi)`.
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + unit(self.next_u64()) * (hi - lo)
    }
}

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `[0, 1)` from the top 53 bits.
fn unit(x: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)] // 53 bits fit an f64 exactly
    let top = (x >> 11) as f64;
    top / (1_u64 << 53) as f64
}

/// Smooth noise in `[-1, 1]`: a value per 2-minute bucket, linearly
/// interpolated, so readings drift slowly instead of jumping.
fn drift(key: u64, field: u64, elapsed: Duration) -> f64 {
    const BUCKET_MS: u128 = 120_000;
    let ms = elapsed.as_millis();
    let bucket = u64::try_from(ms / BUCKET_MS).unwrap_or(u64::MAX);
    #[allow(clippy::cast_precision_loss)] // below 120,000
    let frac = (ms % BUCKET_MS) as f64 / BUCKET_MS as f64;
    let at = |b: u64| unit(mix(key ^ mix(field ^ mix(b)))) * 2.0 - 1.0;
    at(bucket) * (1.0 - frac) + at(bucket.wrapping_add(1)) * frac
}

/// Round to `places` decimals, as the OLT prints them.
fn round(value: f64, places: i32) -> f64 {
    let scale = 10_f64.powi(places);
    (value * scale).round() / scale
}

/// The OLT's transmit level (ZTE prints it in `attenuation`).
pub(crate) const OLT_TX_DBM: f64 = 5.2;

/// The whole OLT.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) emulation: &'static Emulation,
    pub(crate) hostname: String,
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) max_vty: usize,
    pub(crate) page_lines: usize,
    online_delay: Duration,
    pub(crate) started: Instant,
    pub(crate) ports: Vec<Port>,
    rng: Rng,
    seed: u64,
    next_serial: u32,
    pub(crate) stats: SimOltStats,
    pub(crate) faults: OltFaults,
    /// Shells open now (the vty lines in use).
    pub(crate) vty_in_use: usize,
}

impl State {
    pub(crate) fn new(config: &SimOltConfig, emulation: &'static Emulation) -> Self {
        let now = Instant::now();
        let mut state = Self {
            emulation,
            hostname: config.hostname.clone().unwrap_or_else(|| emulation.hostname.to_owned()),
            username: config.username.clone(),
            password: config.password.clone(),
            max_vty: config.max_vty_sessions,
            page_lines: config.page_lines,
            online_delay: config.online_delay,
            started: now,
            ports: (0..config.pon_ports)
                .map(|i| Port { addr: emulation.port(i), onus: BTreeMap::new(), autofind: Vec::new() })
                .collect(),
            rng: Rng::new(config.seed),
            seed: config.seed,
            next_serial: 0,
            stats: SimOltStats::default(),
            faults: config.faults.clone(),
            vty_in_use: 0,
        };
        let equipment = emulation.equipment;
        let per_port = config.onus_per_port.min(128);
        for p in 0..state.ports.len() {
            for n in 0..per_port {
                let id = state.first_id() + u16::try_from(n).unwrap_or(0);
                let serial = state.fresh_serial();
                let mut onu = state.new_onu(id, serial, equipment.to_owned());
                onu.state = OnuState::Online;
                onu.last_up = Some(now);
                if let Some(port) = state.ports.get_mut(p) {
                    port.onus.insert(id, onu);
                }
            }
        }
        let ports = state.ports.len();
        for n in 0..config.autofind {
            if ports == 0 {
                break;
            }
            let serial = state.fresh_serial();
            if let Some(port) = state.ports.get_mut(n % ports) {
                port.autofind.push(Found { serial, equipment: equipment.to_owned(), found: now });
            }
        }
        state
    }

    /// Huawei numbers ONUs from 0, ZTE from 1.
    pub(crate) fn first_id(&self) -> u16 {
        self.emulation.first_id
    }

    fn fresh_serial(&mut self) -> String {
        // Seeded, distinct: a counter scrambled by an odd multiplier.
        self.next_serial = self.next_serial.wrapping_add(1);
        let scramble = self
            .next_serial
            .wrapping_mul(0x9E37_79B1)
            .wrapping_add(u32::try_from(self.seed & 0xFFFF_FFFF).unwrap_or(0));
        self.emulation.serial(scramble)
    }

    fn new_onu(&mut self, id: u16, serial: String, equipment: String) -> Onu {
        let loss = self.rng.range(15.5, 27.0);
        let onu_tx = self.rng.range(1.8, 3.2);
        let olt_rx = onu_tx - loss - self.rng.range(0.5, 2.5);
        let levels = Levels {
            onu_rx: OLT_TX_DBM - loss,
            onu_tx,
            olt_rx,
            temperature: self.rng.range(35.0, 60.0),
            voltage: self.rng.range(3.2, 3.4),
            bias: self.rng.range(6.0, 20.0),
            distance: u32::try_from(200 + self.rng.below(14_800)).unwrap_or(1_000),
        };
        let description = self.emulation.description.to_owned();
        Onu {
            id,
            serial,
            equipment,
            description,
            line_profile: 10,
            srv_profile: 10,
            vlan: None,
            state: OnuState::Offline,
            pending: None,
            last_up: None,
            last_down: None,
            down_cause: None,
            key: self.rng.next_u64(),
            levels,
        }
    }

    pub(crate) fn port(&self, addr: PonPort) -> Option<&Port> {
        self.ports.iter().find(|p| p.addr == addr)
    }

    fn port_mut(&mut self, addr: PonPort) -> Option<&mut Port> {
        self.ports.iter_mut().find(|p| p.addr == addr)
    }

    /// Apply the state changes that are due.
    pub(crate) fn settle(&mut self, now: Instant) {
        for port in &mut self.ports {
            for onu in port.onus.values_mut() {
                if let Some((due, to)) = onu.pending
                    && due <= now
                {
                    onu.pending = None;
                    set_state(onu, to, due);
                }
            }
        }
    }

    /// The readings of an ONU now; `None` unless it is online.
    pub(crate) fn optics(&self, onu: &Onu, now: Instant) -> Option<Optics> {
        if onu.state != OnuState::Online {
            return None;
        }
        let t = now.saturating_duration_since(self.started);
        let key = onu.key ^ self.seed;
        let l = &onu.levels;
        let wander = drift(key, 1, t) * 0.4;
        Some(Optics {
            onu_rx_dbm: round(l.onu_rx + wander, 2),
            onu_tx_dbm: round(l.onu_tx + drift(key, 2, t) * 0.1, 2),
            olt_rx_dbm: round(l.olt_rx + wander + drift(key, 3, t) * 0.2, 2),
            temperature_c: round(l.temperature + drift(key, 4, t) * 2.0, 0),
            voltage_v: round(l.voltage + drift(key, 5, t) * 0.02, 2),
            bias_ma: round(l.bias + drift(key, 6, t), 0),
            distance_m: l.distance,
        })
    }

    /// The serial's port and ONU id, if configured anywhere.
    fn find_serial(&self, serial: &str) -> Option<(PonPort, u16)> {
        self.ports.iter().find_map(|p| p.onus.values().find(|o| o.serial == serial).map(|o| (p.addr, o.id)))
    }

    /// Configure an ONU (taking it out of autofind); it comes online
    /// after the configured delay. Returns its id.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add_onu(
        &mut self,
        addr: PonPort,
        id: Option<u16>,
        serial: &str,
        equipment: Option<&str>,
        description: Option<&str>,
        profiles: (u16, u16),
        now: Instant,
    ) -> Result<u16, AddError> {
        if self.find_serial(serial).is_some() {
            return Err(AddError::SerialExists);
        }
        let first = self.first_id();
        let default_equipment = self.emulation.equipment.to_owned();
        let delay = self.online_delay;
        let Some(port) = self.port_mut(addr) else {
            return Err(AddError::PortFull);
        };
        let id = match id {
            Some(id) if port.onus.contains_key(&id) => return Err(AddError::IdExists),
            Some(id) => id,
            None => (first..first + 128).find(|i| !port.onus.contains_key(i)).ok_or(AddError::PortFull)?,
        };
        let found = port.autofind.iter().position(|f| f.serial == serial).map(|i| port.autofind.remove(i));
        let equipment =
            equipment.map(str::to_owned).or_else(|| found.map(|f| f.equipment)).unwrap_or(default_equipment);
        let mut onu = self.new_onu(id, serial.to_owned(), equipment);
        if let Some(description) = description {
            description.clone_into(&mut onu.description);
        }
        (onu.line_profile, onu.srv_profile) = profiles;
        onu.pending = Some((now + delay, OnuState::Online));
        if let Some(port) = self.port_mut(addr) {
            port.onus.insert(id, onu);
        }
        Ok(id)
    }

    /// Deregisters an ONU. It is still on the fibre, so, as on a real
    /// OLT, it shows up in autofind again.
    pub(crate) fn delete_onu(&mut self, addr: PonPort, id: u16, now: Instant) -> bool {
        let Some(port) = self.port_mut(addr) else {
            return false;
        };
        let Some(onu) = port.onus.remove(&id) else {
            return false;
        };
        if !port.autofind.iter().any(|f| f.serial == onu.serial) {
            port.autofind.push(Found { serial: onu.serial, equipment: onu.equipment, found: now });
        }
        true
    }

    pub(crate) fn onu_mut(&mut self, addr: PonPort, id: u16) -> Option<&mut Onu> {
        self.port_mut(addr).and_then(|p| p.onus.get_mut(&id))
    }

    /// The ONU restarts: offline now, online after the delay.
    pub(crate) fn reboot_onu(&mut self, addr: PonPort, id: u16, now: Instant) -> bool {
        let delay = self.online_delay;
        let Some(onu) = self.onu_mut(addr, id) else {
            return false;
        };
        set_state(onu, OnuState::Offline, now);
        onu.down_cause = Some(DownCause::Reset);
        onu.pending = Some((now + delay, OnuState::Online));
        true
    }

    pub(crate) fn set_onu_state(&mut self, addr: PonPort, id: u16, to: OnuState, now: Instant) -> bool {
        let Some(onu) = self.onu_mut(addr, id) else {
            return false;
        };
        onu.pending = None;
        set_state(onu, to, now);
        true
    }

    /// Move an ONU's received level (the OLT's reading follows, as the
    /// same fibre loss changes both).
    pub(crate) fn set_rx_power(&mut self, addr: PonPort, id: u16, dbm: f64) -> bool {
        let Some(onu) = self.onu_mut(addr, id) else {
            return false;
        };
        let delta = dbm - onu.levels.onu_rx;
        onu.levels.onu_rx = dbm;
        onu.levels.olt_rx += delta;
        true
    }

    pub(crate) fn add_autofind(&mut self, addr: PonPort, serial: &str, equipment: &str, now: Instant) -> bool {
        let Some(port) = self.port_mut(addr) else {
            return false;
        };
        if port.autofind.iter().any(|f| f.serial == serial) {
            return false;
        }
        port.autofind.push(Found { serial: serial.to_owned(), equipment: equipment.to_owned(), found: now });
        true
    }

    pub(crate) fn snapshot(&self, now: Instant) -> Vec<OnuSnapshot> {
        self.ports
            .iter()
            .flat_map(|p| {
                p.onus.values().map(move |o| OnuSnapshot {
                    port: p.addr,
                    id: o.id,
                    serial: o.serial.clone(),
                    equipment: o.equipment.clone(),
                    description: o.description.clone(),
                    line_profile: o.line_profile,
                    srv_profile: o.srv_profile,
                    vlan: o.vlan,
                    state: o.state,
                    optics: self.optics(o, now),
                })
            })
            .collect()
    }

    pub(crate) fn autofind_snapshot(&self) -> Vec<AutofindSnapshot> {
        self.ports
            .iter()
            .flat_map(|p| {
                p.autofind.iter().map(move |f| AutofindSnapshot {
                    port: p.addr,
                    serial: f.serial.clone(),
                    equipment: f.equipment.clone(),
                })
            })
            .collect()
    }

    /// One ONU changes state: an online one loses light (or power, one
    /// time in three), a dark one comes back.
    pub(crate) fn churn(&mut self, now: Instant) {
        self.settle(now);
        let total: usize = self.ports.iter().map(|p| p.onus.len()).sum();
        if total == 0 {
            return;
        }
        let mut pick = usize::try_from(self.rng.below(total as u64)).unwrap_or(0);
        let dying = self.rng.below(3) == 0;
        for port in &mut self.ports {
            if pick >= port.onus.len() {
                pick -= port.onus.len();
                continue;
            }
            if let Some(onu) = port.onus.values_mut().nth(pick) {
                let to = match onu.state {
                    OnuState::Online if dying => OnuState::DyingGasp,
                    OnuState::Online => OnuState::Los,
                    OnuState::Los | OnuState::DyingGasp | OnuState::Offline => OnuState::Online,
                };
                onu.pending = None;
                set_state(onu, to, now);
            }
            return;
        }
    }

    /// Wall-clock seconds (Unix) at `now`: the simulated OLT's clock
    /// starts at 2025-01-01 00:00:00 UTC.
    pub(crate) fn unix_seconds(&self, at: Instant) -> i64 {
        const START: i64 = 1_735_689_600;
        START + i64::try_from(at.saturating_duration_since(self.started).as_secs()).unwrap_or(0)
    }
}

fn set_state(onu: &mut Onu, to: OnuState, at: Instant) {
    if onu.state == to {
        return;
    }
    match to {
        OnuState::Online => onu.last_up = Some(at),
        OnuState::Los => {
            onu.last_down = Some(at);
            onu.down_cause = Some(DownCause::Los);
        }
        OnuState::DyingGasp => {
            onu.last_down = Some(at);
            onu.down_cause = Some(DownCause::DyingGasp);
        }
        OnuState::Offline => onu.last_down = Some(at),
    }
    onu.state = to;
}

/// Parse a serial as the CLIs accept it: `HWTC0B086EA9`, `HWTC-0B086EA9`
/// or the 16-hex form `485754430B086EA9`, with or without quotes.
pub(crate) fn parse_serial(text: &str) -> Option<String> {
    let text = text.trim_matches('"');
    let compact: String = text.chars().filter(|c| *c != '-').collect();
    if compact.len() == 16 && compact.chars().all(|c| c.is_ascii_hexdigit()) {
        let vendor: Option<String> = (0..4)
            .map(|i| {
                compact
                    .get(i * 2..i * 2 + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .filter(u8::is_ascii_alphanumeric)
                    .map(char::from)
            })
            .collect();
        let rest = compact.get(8..)?.to_ascii_uppercase();
        return Some(format!("{}{rest}", vendor?));
    }
    let ok = compact.len() == 12
        && compact.chars().take(4).all(|c| c.is_ascii_alphanumeric())
        && compact.chars().skip(4).all(|c| c.is_ascii_hexdigit());
    ok.then(|| {
        let (vendor, rest) = compact.split_at(4);
        format!("{vendor}{}", rest.to_ascii_uppercase())
    })
}

/// The 16-hex form Huawei prints (`485754430B086EA9`).
pub(crate) fn serial_hex(serial: &str) -> String {
    let (vendor, rest) = serial.split_at(serial.len().min(4));
    let mut out: String = vendor.bytes().map(|b| format!("{b:02X}")).collect();
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_parse_in_every_form() {
        let want = Some("HWTC0B086EA9".to_owned());
        assert_eq!(parse_serial("HWTC0B086EA9"), want);
        assert_eq!(parse_serial("HWTC-0b086ea9"), want);
        assert_eq!(parse_serial("\"485754430B086EA9\""), want);
        assert_eq!(parse_serial("ZTEG"), None);
        assert_eq!(serial_hex("HWTC0B086EA9"), "485754430B086EA9");
    }

    #[test]
    fn drift_is_smooth_and_bounded() {
        let a = drift(7, 1, Duration::from_secs(100));
        let b = drift(7, 1, Duration::from_secs(101));
        assert!((a - b).abs() < 0.05);
        for s in 0..1000 {
            assert!(drift(7, 1, Duration::from_secs(s * 37)).abs() <= 1.0);
        }
    }
}
