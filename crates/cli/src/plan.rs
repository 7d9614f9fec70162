//! `headend plan add | list | set`: the plans (packages) and their rates.
//! Rates are written as RouterOS writes them: upload/download.

use std::str::FromStr;

use anyhow::{Context, bail};
use headend_core::activity::Actor;
use headend_core::billing::tax::TaxRate;
use headend_core::plan::{BillingCycle, Burst, Pair, Plan, PoolName, RateLimit, SessionLimits, Timeout};
use headend_store::Store;
use headend_workflows::Workflows;
use headend_workflows::plans::PlanInput;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::open::open_workflows;
use crate::{Globals, output};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a plan; it becomes a PPP profile on every router with a service on it.
    Add(AddArgs),
    /// The plans.
    List,
    /// Change a plan's name, rates, price or cycle; every router using it is updated.
    Set(SetArgs),
}

#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// A name for the plan, unique.
    name: String,
    #[command(flatten)]
    rates: RateArgs,
    /// The price per billing cycle, e.g. 25.00.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_price)]
    price: Decimal,
    /// monthly, quarterly, yearly, or a number of days for prepaid packages (1d, 7d, 30d).
    #[arg(long, value_name = "CYCLE", default_value = "monthly", value_parser = BillingCycle::from_str)]
    cycle: BillingCycle,
    /// The plan's own tax rate in percent (0 allowed); without it, the ISP's (`billing settings --tax-rate`).
    #[arg(long, value_name = "PERCENT", value_parser = TaxRate::from_str)]
    tax_rate: Option<TaxRate>,
    #[command(flatten)]
    session: SessionArgs,
}

/// A plan's session limits and pool (both backends: the PPP profile, or the FreeRADIUS group).
#[derive(Debug, clap::Args)]
struct SessionArgs {
    /// The longest a session lasts before the router ends it, e.g. 1d or 12h.
    #[arg(long, value_name = "TIME", value_parser = Timeout::from_str)]
    session_timeout: Option<Timeout>,
    /// How long a session may pass no traffic before the router ends it, e.g. 30m.
    #[arg(long, value_name = "TIME", value_parser = Timeout::from_str)]
    idle_timeout: Option<Timeout>,
    /// The /ip pool the plan's customers get their address from (the pool must exist on the routers).
    #[arg(long, value_name = "POOL", value_parser = PoolName::from_str)]
    pool: Option<PoolName>,
}

#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The plan's current name.
    name: String,
    /// A new name (the router profile keeps its name).
    #[arg(long, value_name = "NAME")]
    rename: Option<String>,
    #[command(flatten)]
    rates: OptionalRateArgs,
    /// Remove the plan's burst.
    #[arg(long, conflicts_with_all = ["burst", "burst_threshold", "burst_time"])]
    no_burst: bool,
    /// The price per billing cycle, e.g. 25.00.
    #[arg(long, value_name = "AMOUNT", value_parser = parse_price)]
    price: Option<Decimal>,
    /// monthly, quarterly, yearly, or a number of days for prepaid packages (1d, 7d, 30d).
    #[arg(long, value_name = "CYCLE", value_parser = BillingCycle::from_str)]
    cycle: Option<BillingCycle>,
    /// The plan's own tax rate in percent.
    #[arg(long, value_name = "PERCENT", value_parser = TaxRate::from_str, conflicts_with = "isp_tax_rate")]
    tax_rate: Option<TaxRate>,
    /// Use the ISP's tax rate again.
    #[arg(long)]
    isp_tax_rate: bool,
    #[command(flatten)]
    session: SessionArgs,
    /// Remove the session timeout.
    #[arg(long, conflicts_with = "session_timeout")]
    no_session_timeout: bool,
    /// Remove the idle timeout.
    #[arg(long, conflicts_with = "idle_timeout")]
    no_idle_timeout: bool,
    /// Remove the address pool (the router's default pool again).
    #[arg(long, conflicts_with = "pool")]
    no_pool: bool,
}

impl SetArgs {
    fn session_given(&self) -> bool {
        let s = &self.session;
        s.session_timeout.is_some()
            || s.idle_timeout.is_some()
            || s.pool.is_some()
            || self.no_session_timeout
            || self.no_idle_timeout
            || self.no_pool
    }

    /// The plan's limits with the flags given applied.
    fn session(&self, plan: &SessionLimits) -> SessionLimits {
        let s = &self.session;
        let keep = |clear: bool, new: Option<Timeout>, old: Option<Timeout>| if clear { None } else { new.or(old) };
        SessionLimits {
            session_timeout: keep(self.no_session_timeout, s.session_timeout, plan.session_timeout),
            idle_timeout: keep(self.no_idle_timeout, s.idle_timeout, plan.idle_timeout),
            address_pool: if self.no_pool { None } else { s.pool.clone().or_else(|| plan.address_pool.clone()) },
        }
    }
}

#[derive(Debug, clap::Args)]
struct RateArgs {
    /// The rate in RouterOS order, UPLOAD/DOWNLOAD (what the router receives from the customer first), e.g. 10M/20M; one value for both.
    #[arg(long, value_name = "UP/DOWN")]
    rate: String,
    #[command(flatten)]
    burst: BurstArgs,
}

#[derive(Debug, clap::Args)]
struct OptionalRateArgs {
    /// The rate in RouterOS order, UPLOAD/DOWNLOAD, e.g. 10M/20M; the burst is kept unless given again or removed with --no-burst.
    #[arg(long, value_name = "UP/DOWN")]
    rate: Option<String>,
    #[command(flatten)]
    burst: BurstArgs,
}

#[derive(Debug, clap::Args)]
struct BurstArgs {
    /// Burst rate, UPLOAD/DOWNLOAD, above the rate (needs --burst-threshold and --burst-time).
    #[arg(long, value_name = "UP/DOWN", requires_all = ["burst_threshold", "burst_time"])]
    burst: Option<String>,
    /// Average rate, UPLOAD/DOWNLOAD, under which bursting is allowed (at most the rate).
    #[arg(long, value_name = "UP/DOWN", requires_all = ["burst", "burst_time"])]
    burst_threshold: Option<String>,
    /// Seconds the average is taken over, UPLOAD/DOWNLOAD, e.g. 16s/16s.
    #[arg(long, value_name = "UP/DOWN", requires_all = ["burst", "burst_threshold"])]
    burst_time: Option<String>,
}

impl BurstArgs {
    fn given(&self) -> bool {
        self.burst.is_some() || self.burst_threshold.is_some() || self.burst_time.is_some()
    }
}

fn parse_price(text: &str) -> Result<Decimal, String> {
    Decimal::from_str(text.trim()).map_err(|_| format!("{text:?} is not an amount: write it like 25.00"))
}

/// A plan as `list`, `add` and `set` print it.
#[derive(Debug, Serialize)]
struct PlanJson {
    id: i64,
    name: String,
    /// The PPP profile's name on the routers.
    profile: String,
    /// RouterOS's `rate-limit`, upload first.
    rate_limit: String,
    upload_bps: u64,
    download_bps: u64,
    burst: Option<BurstJson>,
    price: String,
    cycle: String,
    /// The plan's own tax rate in percent; `null`: the ISP's.
    tax_rate: Option<String>,
    session_timeout_s: Option<u32>,
    idle_timeout_s: Option<u32>,
    address_pool: Option<String>,
}

#[derive(Debug, Serialize)]
struct BurstJson {
    upload_bps: u64,
    download_bps: u64,
    threshold_upload_bps: u64,
    threshold_download_bps: u64,
    time_upload_s: u32,
    time_download_s: u32,
}

impl PlanJson {
    fn new(plan: &Plan) -> Self {
        Self {
            id: plan.id.0,
            name: plan.name.clone(),
            profile: plan.profile.clone(),
            rate_limit: plan.limits.to_string(),
            upload_bps: plan.upload().bps(),
            download_bps: plan.download().bps(),
            burst: plan.limits.burst.map(|b: Burst| BurstJson {
                upload_bps: b.rate.upload.bps(),
                download_bps: b.rate.download.bps(),
                threshold_upload_bps: b.threshold.upload.bps(),
                threshold_download_bps: b.threshold.download.bps(),
                time_upload_s: b.time.upload,
                time_download_s: b.time.download,
            }),
            price: plan.price.to_string(),
            cycle: plan.cycle.to_string(),
            tax_rate: plan.tax_rate.map(|r| r.to_string()),
            session_timeout_s: plan.session.session_timeout.map(Timeout::seconds),
            idle_timeout_s: plan.session.idle_timeout.map(Timeout::seconds),
            address_pool: plan.session.address_pool.as_ref().map(ToString::to_string),
        }
    }
}

pub async fn run(globals: &Globals, command: Command) -> anyhow::Result<()> {
    let w = open_workflows(globals).await?;
    let result = match command {
        Command::Add(args) => add(globals, &w, args).await,
        Command::List => list(globals, w.store()).await,
        Command::Set(args) => set(globals, &w, args).await,
    };
    w.store().close().await;
    result
}

fn print(globals: &Globals, verb: &str, plan: &Plan) -> anyhow::Result<()> {
    if globals.json {
        return output::json(&PlanJson::new(plan));
    }
    let described = output::safe(&headend_workflows::plans::describe(plan));
    output::line(format!("{verb} plan {} (id {}): {described}.", output::safe(&plan.name), plan.id))?;
    Ok(())
}

async fn add(globals: &Globals, w: &Workflows, args: AddArgs) -> anyhow::Result<()> {
    let b = &args.rates.burst;
    let limits = RateLimit::from_parts(
        &args.rates.rate,
        b.burst.as_deref(),
        b.burst_threshold.as_deref(),
        b.burst_time.as_deref(),
    )?;
    let session = SessionLimits {
        session_timeout: args.session.session_timeout,
        idle_timeout: args.session.idle_timeout,
        address_pool: args.session.pool,
    };
    let input =
        PlanInput { name: args.name, limits, price: args.price, cycle: args.cycle, tax_rate: args.tax_rate, session };
    let plan = w.add_plan(&Actor::Cli, input).await?;
    print(globals, "Added", &plan)
}

async fn find(store: &Store, name: &str) -> anyhow::Result<Plan> {
    store.plan_by_name(name).await?.with_context(|| format!("no plan named {name:?}; `headend plan list` shows them"))
}

async fn set(globals: &Globals, w: &Workflows, args: SetArgs) -> anyhow::Result<()> {
    let plan = find(w.store(), &args.name).await?;
    let b = &args.rates.burst;
    if args.rename.is_none()
        && args.rates.rate.is_none()
        && !b.given()
        && !args.no_burst
        && args.price.is_none()
        && args.cycle.is_none()
        && args.tax_rate.is_none()
        && !args.isp_tax_rate
        && !args.session_given()
    {
        bail!(
            "nothing to change: give --rename, --rate, --burst (with --burst-threshold and --burst-time), --no-burst, --price, --cycle, --tax-rate, --isp-tax-rate, --session-timeout, --idle-timeout or --pool (or their --no-)"
        );
    }
    let rate = match &args.rates.rate {
        Some(rate) => Pair::parse(rate)?,
        None => Pair { upload: plan.upload(), download: plan.download() },
    };
    let limits = if b.given() {
        RateLimit::from_parts(
            &format!("{}/{}", rate.upload, rate.download),
            b.burst.as_deref(),
            b.burst_threshold.as_deref(),
            b.burst_time.as_deref(),
        )?
    } else if args.no_burst {
        RateLimit::new(rate, None)?
    } else {
        RateLimit::new(rate, plan.limits.burst)
            .context("the plan's burst does not fit the new rate: give a new --burst (with --burst-threshold and --burst-time) or --no-burst")?
    };
    let session = args.session(&plan.session);
    let input = PlanInput {
        name: args.rename.unwrap_or_else(|| plan.name.clone()),
        limits,
        price: args.price.unwrap_or(plan.price),
        cycle: args.cycle.unwrap_or(plan.cycle),
        tax_rate: if args.isp_tax_rate { None } else { args.tax_rate.or(plan.tax_rate) },
        session,
    };
    let updated = w.edit_plan(&Actor::Cli, plan.id, input).await?;
    print(globals, "Changed", &updated)
}

async fn list(globals: &Globals, store: &Store) -> anyhow::Result<()> {
    let plans = store.plans().await?;
    if globals.json {
        return output::json(&plans.iter().map(PlanJson::new).collect::<Vec<_>>());
    }
    if plans.is_empty() {
        eprintln!("No plans yet: add one with `headend plan add NAME --rate UP/DOWN --price AMOUNT`.");
        return Ok(());
    }
    let cells: Vec<Vec<String>> = plans
        .iter()
        .map(|p| {
            vec![
                p.id.to_string(),
                output::safe(&p.name),
                p.limits.to_string(),
                p.price.to_string(),
                p.cycle.to_string(),
                output::safe(&p.profile),
                if p.session.is_empty() { "-".to_owned() } else { output::safe(&p.session.to_string()) },
            ]
        })
        .collect();
    Ok(output::table(&["ID", "NAME", "RATE-LIMIT (UP/DOWN)", "PRICE", "CYCLE", "PROFILE", "SESSIONS"], &cells)?)
}
