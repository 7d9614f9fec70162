//! What both benchmarks stand on: a fresh data directory with simulated
//! routers in its inventory, plans and services, the `headend` binary to
//! drive it, and the audit of every router against the database.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context;
use headend_core::activity::Actor;
use headend_core::plan::{BillingCycle, RateLimit};
use headend_core::provision::Password;
use headend_core::router::Transport;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_secrets::{SecretKey, SecretStore, SubscriberCipher};
use headend_simlab::{Faults, SimConfig, SimRouter, SimRouterHandle, audit};
use headend_store::{ImportService, NewPlan, NewRouter, Store};
use jiff::Timestamp;
use rust_decimal::Decimal;
use tokio::process::Command;

/// A simulated router and its row in the inventory.
pub struct LabRouter {
    pub id: RouterId,
    pub name: String,
    pub sim: SimRouterHandle,
}

pub struct LabConfig {
    pub routers: usize,
    pub services_per_router: usize,
    pub plans: usize,
    pub transport: Transport,
    pub faults: Faults,
}

pub struct Lab {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub secrets: SecretStore,
    pub cipher: SubscriberCipher,
    headend: PathBuf,
    pub routers: Vec<LabRouter>,
    /// The plans' names and ids.
    pub plans: Vec<(String, PlanId)>,
    /// The number of the next customer `service_row` makes.
    next_customer: usize,
}

/// What the audit of some routers found, summed.
#[derive(Debug, Default)]
pub struct AuditTotals {
    pub services_differing: usize,
    pub profiles_differing: usize,
    pub duplicates: usize,
    pub unreadable: usize,
    /// The first few problems, for the operator reading stderr.
    pub problems: Vec<String>,
}

impl AuditTotals {
    pub fn clean(&self) -> bool {
        self.services_differing == 0 && self.profiles_differing == 0 && self.duplicates == 0 && self.unreadable == 0
    }
}

impl Lab {
    pub async fn new(headend: PathBuf, config: &LabConfig) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let store = Store::open(&dir.path().join("headend.sqlite3")).await?;
        let scope = store.installation_id().await?;
        let secrets = SecretStore::open().context("the benchmark needs a keyring (run it with cargo xtask bench)")?;
        let secrets = secrets.scoped(&scope);
        let cipher = headend_workflows::open_subscriber_cipher(&store, &secrets).await?;
        let mut plans = Vec::new();
        for n in 0..config.plans.max(1) {
            let name = format!("Plan{n}");
            let rate = format!("{}M/{}M", 5 * (n + 1), 10 * (n + 1));
            let id = store
                .add_plan(&NewPlan {
                    name: name.clone(),
                    limits: RateLimit::from_parts(&rate, None, None, None)?,
                    price: Decimal::new(2000 + 500 * n as i64, 2),
                    cycle: BillingCycle::Monthly,
                    tax_rate: None,
                    session: Default::default(),
                })
                .await?;
            plans.push((name, id));
        }
        let mut lab = Self { dir, store, secrets, cipher, headend, routers: Vec::new(), plans, next_customer: 0 };
        for r in 0..config.routers {
            let sim = SimRouter::start(SimConfig {
                seed: r as u64 + 1,
                faults: config.faults.clone(),
                ..SimConfig::default()
            })
            .await?;
            let port = match config.transport {
                Transport::Api => sim.api_port(),
                Transport::ApiTls => sim.api_tls_port().context("the simulator has no API-SSL")?,
                Transport::Rest => sim.rest_port().context("the simulator has no REST")?,
            };
            let name = format!("r{r:02}");
            let id = lab
                .store
                .add_router(&NewRouter {
                    name: name.clone(),
                    host: "127.0.0.1".into(),
                    port,
                    transport: config.transport,
                    username: "admin".into(),
                    pop: None,
                    location: None,
                })
                .await?;
            lab.secrets.set(&SecretKey::router(id), "admin")?;
            lab.routers.push(LabRouter { id, name, sim });
        }
        let rows: Vec<ImportService> = (0..config.routers)
            .flat_map(|r| (0..config.services_per_router).map(move |n| (r, n)))
            .map(|(r, n)| lab.service_row(r, n % 10 == 9, ServiceStatus::Active))
            .collect();
        lab.store.import_services(&rows, Timestamp::now(), &Actor::Cli).await?;
        Ok(lab)
    }

    /// A new service for router number `r`: static or PPPoE, with a new
    /// customer.
    pub fn service_row(&mut self, r: usize, is_static: bool, status: ServiceStatus) -> ImportService {
        let n = self.next_customer;
        self.next_customer += 1;
        let (access, password) = if is_static {
            let address = std::net::Ipv4Addr::from(0x0A00_0000 + n as u32 + 1);
            (Access::StaticIp { address: address.into() }, None)
        } else {
            let password = self.cipher.encrypt(&Password::new(format!("pw{n}")));
            (Access::Pppoe { username: format!("c{n:05}"), address: None }, Some(password))
        };
        let (_, plan) = self.plans[n % self.plans.len()];
        ImportService {
            customer_name: format!("Customer {n}"),
            customer_phone: None,
            router: self.routers[r].id,
            plan,
            access,
            password,
            status,
            next_billing_date: None,
            adopt: false,
            customer_address: None,
            customer_location: None,
        }
    }

    /// `headend --data-dir DIR ARGS…`, quiet unless it fails.
    pub fn headend(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.headend);
        cmd.arg("--data-dir").arg(self.dir.path()).args(args);
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
        cmd
    }

    /// Runs `headend ARGS…` to the end (at most `limit`), feeding `input`
    /// on its standard input; its standard output, or why it failed.
    pub async fn run(&self, args: &[&str], input: Option<&str>, limit: Duration) -> anyhow::Result<String> {
        use tokio::io::AsyncWriteExt;
        let mut cmd = self.headend(args);
        if input.is_some() {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd.spawn().context("starting headend")?;
        if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
            stdin.write_all(text.as_bytes()).await?;
        }
        let out = tokio::time::timeout(limit, child.wait_with_output())
            .await
            .with_context(|| format!("headend {} took more than {limit:?}", args.join(" ")))??;
        anyhow::ensure!(
            out.status.success(),
            "headend {} failed: {} {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout).trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// What the database says router `index` should hold now.
    pub async fn expected(&self, index: usize) -> anyhow::Result<audit::Expected> {
        Ok(audit::expected(&self.store, &self.cipher, self.routers[index].id, Timestamp::now()).await?)
    }

    /// The audit of the routers `indices` against the database.
    pub async fn audit(&self, indices: impl IntoIterator<Item = usize>) -> anyhow::Result<AuditTotals> {
        let mut totals = AuditTotals::default();
        for i in indices {
            let expected = self.expected(i).await?;
            let found = audit::audit(&self.routers[i].sim, &expected);
            totals.services_differing += found.services_differing.len();
            totals.profiles_differing += found.profiles_differing.len();
            totals.duplicates += found.duplicates.len();
            totals.unreadable += expected.unreadable.len();
            let room = 10_usize.saturating_sub(totals.problems.len());
            let name = &self.routers[i].name;
            totals.problems.extend(found.problems.iter().take(room).map(|p| format!("{name}: {p}")));
        }
        Ok(totals)
    }

    /// The services of router `index` that are not terminated.
    pub async fn live_services_of(&self, index: usize) -> anyhow::Result<Vec<ServiceId>> {
        let router = self.routers[index].id;
        let services = self.store.all_services().await?.into_iter();
        let live = services.filter(|s| s.router == router && s.status != ServiceStatus::Terminated);
        Ok(live.map(|s| s.id).collect())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for router in &self.routers {
            let _ = self.secrets.delete(&SecretKey::router(router.id));
        }
        let _ = self.secrets.delete(&SecretKey::subscriber_key());
    }
}

/// A small deterministic generator: every run makes the same choices.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
}

/// The `q`th quantile (0 to 1) of `values`, in the values' unit.
pub fn quantile(values: &[u64], q: f64) -> Option<u64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let last = sorted.len().checked_sub(1)?;
    sorted.get(((last as f64) * q).round() as usize).copied()
}
