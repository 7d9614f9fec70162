//! A simulated GPON OLT (Huawei MA5600T/MA5800 or ZTE C300/C320) whose
//! CLI is reached over SSH on loopback, so the OLT drivers are tested
//! against the real transport, prompts, pager and output layouts. Its
//! vendor is a `headend_core::olt::OltVendor`; [`SimOlt::emulates`] and
//! [`SimOlt::start`] refuse those it does not speak (ZTE C600, VSOL).
//!
//! [`SimOlt::start`] listens on 127.0.0.1 (the system picks the port)
//! with an ed25519 host key made from the seed. A password login opens a
//! shell that speaks the vendor's dialect (`cli.rs`, `huawei.rs`,
//! `zte.rs`; what differs per vendor is in `emulation.rs`); the layouts
//! are those of the real captures in `crates/olt/tests/fixtures/`. The
//! ONUs (`state.rs`) have serials, profiles, states and optical levels that
//! drift with time; `ont add` / `onu N type ... sn ...` takes one out of
//! autofind and it comes online after [`SimOltConfig::online_delay`].
//!
//! Counters ([`SimOltStats`]) include the SSH sessions open at once and
//! their high-water mark, for benchmarks that must stay under an OLT's
//! few vty lines.

mod cli;
mod config;
mod emulation;
mod huawei;
mod session;
mod state;
mod zte;

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use headend_core::olt::OltVendor;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::keys::{HashAlg, PrivateKey};
use russh::server::Config;
use russh::{Disconnect, SshId};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tracing::debug;

pub use config::{OltFaults, PonPort, SimOltConfig};
pub use state::{AutofindSnapshot, OnuSnapshot, OnuState, Optics};

use emulation::{Emulation, emulation};
use state::{Rng, State};

/// What the simulated OLT counted since start (or the last
/// [`SimOltHandle::reset_stats`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimOltStats {
    /// TCP connections accepted.
    pub connections: u64,
    /// Connections closed at once by [`OltFaults::refuse_connections`]
    /// (not in `connections`).
    pub refused_connections: u64,
    /// Successful password logins.
    pub logins: u64,
    /// Refused password logins.
    pub failed_logins: u64,
    /// Shells refused because every vty line was in use.
    pub vty_refused: u64,
    /// SSH connections open now.
    pub sessions_open_now: u64,
    /// The most SSH connections that were open at once.
    pub max_sessions_open: u64,
    /// Non-empty command lines entered.
    pub commands_run: u64,
    /// Pages the pager held back for a key (`---- More ... ----`,
    /// `--More--`).
    pub pager_waits: u64,
}

/// Failure to start a simulated OLT.
#[derive(Debug, thiserror::Error)]
pub enum SimOltError {
    /// The socket could not be bound.
    #[error("cannot listen on loopback: {0}")]
    Io(#[from] std::io::Error),
    /// The simulator does not speak this vendor's CLI.
    #[error("the simulator does not emulate {}", .0.as_str().to_uppercase())]
    NotEmulated(OltVendor),
}

/// Shared by the accept loop and the connections.
pub(crate) struct Core {
    state: Mutex<State>,
    /// The SSH server set-up new connections get (the host key changes
    /// with [`SimOltHandle::regenerate_host_key`]).
    ssh: Mutex<Arc<Config>>,
    shutdown: watch::Sender<bool>,
}

impl Core {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn ssh(&self) -> Arc<Config> {
        self.ssh.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// An ed25519 host key from a seed: the same seed, the same fingerprint.
fn host_key(seed: u64) -> PrivateKey {
    let mut rng = Rng::new(seed ^ 0x005E_ED0F_4057_0000);
    let mut bytes = [0_u8; 32];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    PrivateKey::from(Ed25519Keypair::from_seed(&bytes))
}

fn ssh_config(emulation: &Emulation, key: PrivateKey) -> Config {
    Config {
        server_id: SshId::Standard(Cow::Borrowed(emulation.ssh_id)),
        keys: vec![key],
        auth_rejection_time: Duration::from_millis(10),
        auth_rejection_time_initial: Some(Duration::ZERO),
        inactivity_timeout: None,
        nodelay: true,
        ..Config::default()
    }
}

fn fingerprint(config: &Config) -> String {
    config.keys.first().map(|k| k.public_key().fingerprint(HashAlg::Sha256).to_string()).unwrap_or_default()
}

/// Starts simulated OLTs.
#[derive(Debug)]
pub struct SimOlt;

impl SimOlt {
    /// Whether the simulator speaks `vendor`'s CLI: Huawei and ZTE
    /// C300/C320 yes, the others [`SimOltError::NotEmulated`].
    pub fn emulates(vendor: OltVendor) -> Result<(), SimOltError> {
        emulation(vendor).map(|_| ())
    }

    /// Start an OLT on loopback. It runs until the handle is dropped.
    /// Fails at once for a vendor the simulator does not emulate.
    pub async fn start(config: SimOltConfig) -> Result<SimOltHandle, SimOltError> {
        let emulation = emulation(config.vendor)?;
        let (shutdown, _) = watch::channel(false);
        let core = Arc::new(Core {
            state: Mutex::new(State::new(&config, emulation)),
            ssh: Mutex::new(Arc::new(ssh_config(emulation, host_key(config.seed)))),
            shutdown,
        });
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let mut tasks = vec![tokio::spawn(accept_loop(listener, core.clone()))];
        if let Some(period) = config.churn {
            let core = core.clone();
            tasks.push(tokio::spawn(async move {
                let mut ticks = tokio::time::interval(period);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    core.lock().churn(Instant::now());
                }
            }));
        }
        debug!(%addr, vendor = ?config.vendor, "simulated OLT started");
        Ok(SimOltHandle { core, addr, key_generation: Mutex::new(config.seed), tasks })
    }
}

/// Counts an SSH connection as open for as long as it lives.
struct Open(Arc<Core>);

impl Open {
    fn new(core: Arc<Core>) -> Self {
        {
            let mut state = core.lock();
            let stats = &mut state.stats;
            stats.connections += 1;
            stats.sessions_open_now += 1;
            stats.max_sessions_open = stats.max_sessions_open.max(stats.sessions_open_now);
        }
        Self(core)
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.stats.sessions_open_now = state.stats.sessions_open_now.saturating_sub(1);
    }
}

async fn accept_loop(listener: TcpListener, core: Arc<Core>) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        if core.lock().faults.refuse_connections {
            core.lock().stats.refused_connections += 1;
            drop(tcp);
            continue;
        }
        let _ = tcp.set_nodelay(true);
        let core = core.clone();
        tokio::spawn(async move {
            let _open = Open::new(core.clone());
            let handler = session::Conn::new(core.clone());
            let Ok(mut running) = russh::server::run_stream(core.ssh(), tcp, handler).await else {
                return;
            };
            let handle = running.handle();
            let mut shutdown = core.shutdown.subscribe();
            tokio::select! {
                _ = &mut running => {}
                _ = async { shutdown.wait_for(|s| *s).await.map(|_| ()) } => {
                    let _ = handle
                        .disconnect(Disconnect::ByApplication, String::new(), String::new())
                        .await;
                }
            }
        });
    }
}

/// A running simulated OLT. Dropping it stops the OLT and closes its
/// sessions.
#[derive(Debug)]
pub struct SimOltHandle {
    core: Arc<Core>,
    addr: SocketAddr,
    key_generation: Mutex<u64>,
    tasks: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core").finish_non_exhaustive()
    }
}

impl SimOltHandle {
    /// The SSH address (127.0.0.1 and the port the system picked).
    #[must_use]
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Whose CLI it speaks.
    #[must_use]
    pub fn vendor(&self) -> OltVendor {
        self.core.lock().emulation.vendor
    }

    /// The address of the `index`th PON port (0-based): 16 ports a board,
    /// Huawei from `0/1/0`, ZTE from `1/1/1`.
    #[must_use]
    pub fn pon_port(&self, index: usize) -> PonPort {
        self.core.lock().emulation.port(index)
    }

    /// The SHA-256 fingerprint of the host key new connections get, as
    /// OpenSSH prints it (`SHA256:...`).
    #[must_use]
    pub fn host_key_fingerprint(&self) -> String {
        fingerprint(&self.core.ssh())
    }

    /// Replace the host key (new connections get the new one), as when an
    /// OLT's control board is swapped. Returns the new fingerprint.
    pub fn regenerate_host_key(&self) -> String {
        let seed = {
            let mut generation = self.key_generation.lock().unwrap_or_else(PoisonError::into_inner);
            *generation = generation.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *generation
        };
        let emulation = self.core.lock().emulation;
        let config = Arc::new(ssh_config(emulation, host_key(seed)));
        let print = fingerprint(&config);
        *self.core.ssh.lock().unwrap_or_else(PoisonError::into_inner) = config;
        print
    }

    /// The counters.
    #[must_use]
    pub fn stats(&self) -> SimOltStats {
        self.core.lock().stats.clone()
    }

    /// Zero the counters (the sessions open now stay counted).
    pub fn reset_stats(&self) {
        let mut state = self.core.lock();
        let open = state.stats.sessions_open_now;
        state.stats = SimOltStats { sessions_open_now: open, max_sessions_open: open, ..SimOltStats::default() };
    }

    /// The faults in force.
    #[must_use]
    pub fn faults(&self) -> OltFaults {
        self.core.lock().faults.clone()
    }

    /// Replace the faults in force.
    pub fn set_faults(&self, faults: OltFaults) {
        self.core.lock().faults = faults;
    }

    /// Every configured ONU, by port and id.
    #[must_use]
    pub fn onus(&self) -> Vec<OnuSnapshot> {
        let now = Instant::now();
        let mut state = self.core.lock();
        state.settle(now);
        state.snapshot(now)
    }

    /// The ONU `id` on `port`, if configured.
    #[must_use]
    pub fn onu(&self, port: PonPort, id: u16) -> Option<OnuSnapshot> {
        self.onus().into_iter().find(|o| o.port == port && o.id == id)
    }

    /// The unconfigured ONUs waiting in autofind.
    #[must_use]
    pub fn autofind(&self) -> Vec<AutofindSnapshot> {
        self.core.lock().autofind_snapshot()
    }

    /// An unconfigured ONU is plugged in on `port`. `false` if the port
    /// does not exist or the serial is already waiting.
    pub fn add_autofind_onu(&self, port: PonPort, serial: &str, equipment: &str) -> bool {
        self.core.lock().add_autofind(port, serial, equipment, Instant::now())
    }

    /// Force an ONU's state (a cut fibre, a power cut, a repair). `false`
    /// if there is no such ONU.
    pub fn set_onu_state(&self, port: PonPort, id: u16, onu_state: OnuState) -> bool {
        let now = Instant::now();
        let mut state = self.core.lock();
        state.settle(now);
        state.set_onu_state(port, id, onu_state, now)
    }

    /// Move an ONU's received level to about `dbm` (it still drifts by a
    /// few tenths). `false` if there is no such ONU.
    pub fn set_rx_power(&self, port: PonPort, id: u16, dbm: f64) -> bool {
        self.core.lock().set_rx_power(port, id, dbm)
    }
}

impl Drop for SimOltHandle {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
        self.core.shutdown.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use tokio::io::AsyncReadExt;
    use tokio::net::TcpStream;

    use super::*;

    async fn first_bytes(olt: &SimOltHandle) -> Vec<u8> {
        let mut tcp = TcpStream::connect(olt.addr()).await.unwrap();
        let mut buf = vec![0_u8; 7];
        let n = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut buf)).await.unwrap().unwrap();
        buf.truncate(n);
        buf
    }

    #[tokio::test]
    async fn refused_connections_close_before_the_banner_until_the_fault_is_lifted() {
        let olt = SimOlt::start(SimOltConfig::default()).await.unwrap();
        olt.set_faults(OltFaults { refuse_connections: true, ..OltFaults::default() });
        assert_eq!(first_bytes(&olt).await, b"");
        assert_eq!(olt.stats().refused_connections, 1);
        olt.set_faults(OltFaults::default());
        assert_eq!(first_bytes(&olt).await, b"SSH-2.0");
    }
}
