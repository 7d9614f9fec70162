//! `headend simulate`: a simulated network of MikroTik routers (and, with
//! `--olts`, GPON OLTs reached over SSH) on loopback, until Ctrl-C. One line
//! per router, then one per OLT, on stdout (one JSON object per line with
//! `--json`; an OLT's has `"kind": "olt"`) as soon as they all listen, so
//! scripts and tests can read the ports and go.

mod faults;

use std::time::Duration;

use anyhow::{Context, bail};
use clap::ValueEnum;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use headend_core::olt::OltVendor;
use headend_simlab::olt::{SimOlt, SimOltConfig, SimOltHandle};
use headend_simlab::{Faults, Persona, SimConfig, SimRouter, SimRouterHandle};
use serde::Serialize;

use crate::Globals;
use crate::{output, shutdown};

/// Most routers one command starts.
const MAX_ROUTERS: u16 = 1_000;
/// Most secrets per router.
const MAX_SECRETS: usize = 200_000;
/// Most OLTs one command starts.
const MAX_OLTS: u16 = 64;
/// Most ONUs per simulated OLT (16 ports of 128).
const MAX_ONUS: usize = 2_048;
/// ONUs per PON port before another port is used.
const ONUS_PER_PORT: usize = 64;

/// `--olt-vendor`: the vendors the simulator emulates, by the names
/// `headend olt add --vendor` takes.
fn simulated_vendor() -> impl TypedValueParser<Value = OltVendor> {
    let names = OltVendor::ALL.into_iter().filter(|v| SimOlt::emulates(*v).is_ok()).map(OltVendor::as_str);
    PossibleValuesParser::new(names).try_map(|name| name.parse::<OltVendor>())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PersonaArg {
    /// RouterOS 6.42: the legacy MD5 login, no `!empty`.
    V6,
    /// RouterOS 7.18: the plain login, `!empty` on empty prints.
    V7,
}

impl PersonaArg {
    fn persona(self) -> Persona {
        match self {
            Self::V6 => Persona::V6,
            Self::V7 => Persona::V7,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::V6 => "v6",
            Self::V7 => "v7",
        }
    }
}

const FAULTS_HELP: &str = "Faults to inject in every router: a comma-separated list of
  latency=DURATION   wait before each batch of replies (20ms, 1s, 1.5s)
  trap-every=N       refuse every Nth write with !trap
  refuse             close every connection at once
  stall              after login, answer nothing
  close-mid-reply    after login, send half of the next replies and hang up
Example: --faults latency=20ms,trap-every=10";

#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many routers to start (named sim-1, sim-2, ...).
    #[arg(long, value_name = "N", default_value_t = 3,
          value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_ROUTERS)))]
    routers: u16,

    /// PPP secrets on each router: user00001, user00002, ... (profile default).
    #[arg(long, value_name = "M", default_value_t = 100)]
    secrets_per_router: usize,

    /// Of those, how many are online at start [default: all of them].
    #[arg(long, value_name = "K")]
    active_per_router: Option<usize>,

    /// Round-trip time every router adds to each batch of replies.
    #[arg(long, value_name = "L")]
    latency_ms: Option<u64>,

    /// Which RouterOS to imitate.
    #[arg(long, value_enum, default_value_t = PersonaArg::V7)]
    persona: PersonaArg,

    #[arg(long, value_name = "SPEC", value_parser = faults::parse, help = "Faults to inject (see --help)", long_help = FAULTS_HELP)]
    faults: Option<Faults>,

    /// The API user every router accepts.
    #[arg(long, value_name = "U", default_value = "admin")]
    user: String,

    /// That user's password.
    #[arg(long, value_name = "P", default_value = "admin")]
    password: String,

    /// Every C milliseconds, on each router, one session connects or hangs up.
    #[arg(long, value_name = "C", value_parser = clap::value_parser!(u64).range(1..))]
    churn_ms: Option<u64>,

    /// Also start this many GPON OLTs (named olt-1, olt-2, ...), reached over SSH with --user and --password.
    #[arg(long, value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u16).range(0..=i64::from(MAX_OLTS)))]
    olts: u16,

    /// Registered ONUs on each OLT, 64 a PON port (a last port is filled like the others, so rounded up).
    #[arg(long, value_name = "M", default_value_t = 128)]
    onus_per_olt: usize,

    /// Whose CLI the OLTs speak.
    #[arg(long, default_value_t = OltVendor::Huawei, value_parser = simulated_vendor())]
    olt_vendor: OltVendor,
}

/// One started OLT, as printed.
#[derive(Debug, Serialize)]
struct OltLine {
    kind: &'static str,
    name: String,
    host: &'static str,
    ssh_port: u16,
    vendor: &'static str,
    user: String,
    pon_ports: usize,
    onus: usize,
    /// Unregistered ONUs waiting in autofind.
    autofind: usize,
    /// The SSH host key's fingerprint, to compare with what `headend olt list` pins.
    host_key: String,
}

impl OltLine {
    fn text(&self) -> String {
        format!("{}  ssh {}:{}  {} ONUs on {} ports", self.name, self.host, self.ssh_port, self.onus, self.pon_ports)
    }
}

/// PON ports and ONUs per port for about `onus` ONUs.
fn olt_layout(onus: usize) -> anyhow::Result<(usize, usize)> {
    if onus > MAX_ONUS {
        bail!("--onus-per-olt is at most {MAX_ONUS}");
    }
    let ports = onus.div_ceil(ONUS_PER_PORT).max(1);
    Ok((ports, onus.div_ceil(ports)))
}

/// One started router, as printed.
#[derive(Debug, Serialize)]
struct RouterLine {
    name: String,
    host: &'static str,
    api_port: u16,
    api_tls_port: Option<u16>,
    /// HTTPS, same certificate as API-TLS.
    rest_port: Option<u16>,
    persona: &'static str,
    version: &'static str,
    user: String,
    secrets: usize,
    active: usize,
}

impl RouterLine {
    fn text(&self) -> String {
        let mut line = format!("{}  api {}:{}", self.name, self.host, self.api_port);
        if let Some(port) = self.api_tls_port {
            line.push_str(&format!("  api-tls {}:{port}", self.host));
        }
        if let Some(port) = self.rest_port {
            line.push_str(&format!("  rest {}:{port}", self.host));
        }
        line
    }
}

/// What every router is set up with, from the arguments.
fn config(args: &Args) -> anyhow::Result<SimConfig> {
    if args.secrets_per_router > MAX_SECRETS {
        bail!("--secrets-per-router is at most {MAX_SECRETS}");
    }
    let active = args.active_per_router.unwrap_or(args.secrets_per_router);
    if active > args.secrets_per_router {
        bail!(
            "--active-per-router ({active}) cannot be more than --secrets-per-router ({}): a session needs a secret",
            args.secrets_per_router
        );
    }
    if args.user.is_empty() {
        bail!("--user cannot be empty");
    }
    let mut faults = args.faults.clone().unwrap_or_default();
    if let Some(ms) = args.latency_ms {
        if faults.latency != Duration::ZERO {
            bail!("give the latency once: --latency-ms or latency= in --faults");
        }
        faults.latency = Duration::from_millis(ms);
    }
    Ok(SimConfig {
        persona: args.persona.persona(),
        username: args.user.clone(),
        password: args.password.clone(),
        secrets: args.secrets_per_router,
        active_sessions: active,
        churn: args.churn_ms.map(Duration::from_millis),
        faults,
        tls: true,
        ..SimConfig::default()
    })
}

fn name(i: u16, of: u16) -> String {
    numbered("sim", i, of)
}

fn numbered(prefix: &str, i: u16, of: u16) -> String {
    let width = of.to_string().len();
    format!("{prefix}-{i:0width$}")
}

async fn start_olts(args: &Args) -> anyhow::Result<(Vec<SimOltHandle>, Vec<OltLine>)> {
    let (ports, per_port) = olt_layout(args.onus_per_olt)?;
    let mut running = Vec::with_capacity(usize::from(args.olts));
    let mut lines = Vec::with_capacity(usize::from(args.olts));
    for i in 1..=args.olts {
        let name = numbered("olt", i, args.olts);
        let config = SimOltConfig {
            vendor: args.olt_vendor,
            pon_ports: ports,
            onus_per_port: per_port,
            autofind: 2,
            username: args.user.clone(),
            password: args.password.clone(),
            seed: 1_000 + u64::from(i),
            churn: args.churn_ms.map(|_| Duration::from_secs(60)),
            ..SimOltConfig::default()
        };
        let autofind = config.autofind;
        let handle = SimOlt::start(config).await.with_context(|| format!("starting simulated OLT {name}"))?;
        lines.push(OltLine {
            kind: "olt",
            name,
            host: "127.0.0.1",
            ssh_port: handle.addr().port(),
            vendor: args.olt_vendor.as_str(),
            user: args.user.clone(),
            pon_ports: ports,
            onus: ports * per_port,
            autofind,
            host_key: handle.host_key_fingerprint(),
        });
        running.push(handle);
    }
    Ok((running, lines))
}

pub async fn run(globals: &Globals, args: Args) -> anyhow::Result<()> {
    let base = config(&args)?;
    let mut running: Vec<SimRouterHandle> = Vec::with_capacity(usize::from(args.routers));
    let mut lines = Vec::with_capacity(usize::from(args.routers));
    for i in 1..=args.routers {
        let name = name(i, args.routers);
        let config = SimConfig { identity: name.clone(), seed: u64::from(i), ..base.clone() };
        let handle = SimRouter::start(config).await.with_context(|| format!("starting simulated router {name}"))?;
        lines.push(RouterLine {
            name,
            host: "127.0.0.1",
            api_port: handle.api_port(),
            api_tls_port: handle.api_tls_port(),
            rest_port: handle.rest_port(),
            persona: args.persona.name(),
            version: base.persona.version(),
            user: base.username.clone(),
            secrets: base.secrets,
            active: base.active_sessions,
        });
        running.push(handle);
    }
    let (olts, olt_lines) = start_olts(&args).await?;
    for line in &lines {
        if globals.json {
            output::json(line)?;
        } else {
            output::line(line.text())?;
        }
    }
    for line in &olt_lines {
        if globals.json {
            output::json(line)?;
        } else {
            output::line(line.text())?;
        }
    }
    if !globals.json {
        eprintln!(
            "{} simulated router(s), RouterOS {}, user {:?}, running on loopback; Ctrl-C stops them.",
            running.len(),
            base.persona.version(),
            base.username,
        );
        if let Some(first) = lines.first() {
            let (transport, port) = match first.api_tls_port {
                Some(port) => ("api-tls", port),
                None => ("api", first.api_port),
            };
            eprintln!(
                "To manage one: headend router add {} --host {} --port {port} --transport {transport} --user {} \
                 --password-stdin",
                first.name, first.host, first.user
            );
        }
        if let Some(first) = olt_lines.first() {
            eprintln!(
                "{} simulated {} OLT(s) over SSH. To manage one: headend olt add {} --vendor {} --host {} --port {} --user {} --password-stdin",
                olt_lines.len(),
                first.vendor,
                first.name,
                first.vendor,
                first.host,
                first.ssh_port,
                first.user
            );
        }
    }
    shutdown::requested().await.context("waiting for Ctrl-C")?;
    drop(running);
    drop(olts);
    if !globals.json {
        eprintln!("Stopped.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: Args,
    }

    fn parse(line: &[&str]) -> Result<Args, clap::Error> {
        Wrapper::try_parse_from(std::iter::once("simulate").chain(line.iter().copied())).map(|w| w.args)
    }

    #[test]
    fn defaults_and_names() {
        let args = parse(&[]).map_err(|e| e.to_string());
        let Ok(args) = args else { panic!("{args:?}") };
        let cfg = config(&args).map_err(|e| e.to_string());
        let Ok(cfg) = cfg else { panic!("{cfg:?}") };
        assert_eq!((cfg.username.as_str(), cfg.password.as_str()), ("admin", "admin"));
        assert_eq!((cfg.secrets, cfg.active_sessions), (100, 100));
        assert_eq!(cfg.persona, Persona::V7);
        assert_eq!(name(3, 20), "sim-03");
        assert_eq!(name(3, 9), "sim-3");
    }

    #[test]
    fn options_reach_the_simulator() {
        let args = parse(&[
            "--routers",
            "2",
            "--secrets-per-router",
            "50",
            "--active-per-router",
            "5",
            "--latency-ms",
            "20",
            "--persona",
            "v6",
            "--faults",
            "trap-every=3",
            "--user",
            "u",
            "--password",
            "p",
            "--churn-ms",
            "100",
        ]);
        let Ok(args) = args else { panic!("{args:?}") };
        let Ok(cfg) = config(&args) else { panic!("config refused") };
        assert_eq!(cfg.persona, Persona::V6);
        assert_eq!(cfg.faults.latency, Duration::from_millis(20));
        assert_eq!(cfg.faults.trap_every_nth_write, Some(3));
        assert_eq!(cfg.churn, Some(Duration::from_millis(100)));
        assert_eq!((cfg.secrets, cfg.active_sessions), (50, 5));
    }

    #[test]
    fn contradictions_are_refused() {
        let Ok(args) = parse(&["--secrets-per-router", "5", "--active-per-router", "6"]) else { panic!() };
        let err = config(&args).map(drop).map_err(|e| e.to_string());
        assert!(err.as_ref().is_err_and(|e| e.contains("cannot be more than")), "{err:?}");
        let Ok(args) = parse(&["--latency-ms", "5", "--faults", "latency=5ms"]) else { panic!() };
        assert!(config(&args).is_err());
        let err = parse(&["--faults", "latency=soon"]).map(drop).map_err(|e| e.to_string());
        assert!(err.as_ref().is_err_and(|e| e.contains("is not a duration")), "{err:?}");
        assert!(parse(&["--routers", "0"]).is_err());
        assert!(parse(&["--persona", "v5"]).is_err());
        assert!(parse(&["--olt-vendor", "fiberhome"]).is_err());
        assert!(parse(&["--olt-vendor", "vsol"]).is_err());
        assert!(parse(&["--olts", "65"]).is_err());
    }

    #[test]
    fn olts_are_laid_out_on_ports_of_64() {
        let Ok(args) = parse(&["--olts", "2", "--onus-per-olt", "1000", "--olt-vendor", "zte"]) else { panic!() };
        assert_eq!((args.olts, args.olt_vendor), (2, OltVendor::Zte));
        assert_eq!(olt_layout(1000).map_err(|e| e.to_string()), Ok((16, 63)));
        assert_eq!(olt_layout(0).map_err(|e| e.to_string()), Ok((1, 0)));
        assert_eq!(olt_layout(64).map_err(|e| e.to_string()), Ok((1, 64)));
        assert_eq!(olt_layout(65).map_err(|e| e.to_string()), Ok((2, 33)));
        assert!(olt_layout(MAX_ONUS + 1).is_err());
        assert_eq!(numbered("olt", 2, 10), "olt-02");
    }
}
