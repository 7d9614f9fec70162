//! RADIUS mode from the terminal: the real `headend` binary points at an
//! empty PostgreSQL (creating FreeRADIUS's tables), switches a simulated
//! router to RADIUS mode, and a real FreeRADIUS then logs its subscribers
//! in from what `sweep --once` wrote; the test login and Status-Server
//! reach that FreeRADIUS, and a suspension ends the live session with a
//! Disconnect-Request. Passwords and secrets go through standard input.

use anyhow::Context;
use headend_e2e::{RadiusLab, Sandbox, cli};
use headend_simlab::DialOutcome;
use serde_json::Value;

const NAS_SECRET: &str = "tower-s3cret";

fn json(text: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text).with_context(|| format!("not JSON: {text}"))
}

// The CLI calls block their thread: the simulators serve from the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_router_switched_to_radius_logs_in_through_freeradius() -> anyhow::Result<()> {
    let sandbox = Sandbox::new()?;
    let data = sandbox.data_dir();
    let run = |args: &[&str]| cli(&data, args, None);
    let lab = RadiusLab::start(NAS_SECRET).await?;
    let (postgres, sim) = (&lab.postgres, &lab.sim);
    let (api_port, coa_port, server) = (lab.api_port(), lab.coa_port()?, lab.server());

    cli(
        &data,
        &[
            "router",
            "add",
            "tower-a",
            "--host",
            "127.0.0.1",
            "--port",
            &api_port,
            "--transport",
            "api",
            "--user",
            "admin",
            "--password-stdin",
        ],
        Some("admin"),
    )?;
    run(&["plan", "add", "Home 20", "--rate", "10M/20M", "--price", "25.00"])?;
    let ana = json(&cli(
        &data,
        &[
            "--json",
            "service",
            "add",
            "--customer",
            "Ana Lima",
            "--router",
            "tower-a",
            "--plan",
            "Home 20",
            "--pppoe",
            "ana",
            "--address",
            "100.64.0.7",
            "--password-stdin",
        ],
        Some("ana-pw"),
    )?)?;
    let ana_id = ana["id"].as_i64().context("the new service's id")?.to_string();

    // Without the flag an empty database is refused, with it FreeRADIUS's tables are made.
    let url = postgres.url();
    let refused = cli(&data, &["radius", "set", "--url", &url, "--password-stdin"], Some(postgres.password()));
    assert!(format!("{refused:?}").contains("--create-schema"), "{refused:?}");
    let set = json(&cli(
        &data,
        &["--json", "radius", "set", "--url", &url, "--password-stdin", "--create-schema", "--server", &server],
        Some(postgres.password()),
    )?)?;
    assert_eq!(set["reachable"], true, "{set}");
    assert_eq!(set["schema_version"], "3.2");

    let switched = json(&cli(
        &data,
        &[
            "--json",
            "router",
            "set-backend",
            "tower-a",
            "radius",
            "--nas-address",
            "127.0.0.1",
            "--coa-port",
            &coa_port,
            "--secret-stdin",
        ],
        Some(NAS_SECRET),
    )?)?;
    assert_eq!(switched["backend"], "radius");
    let setup = run(&["router", "radius-setup", "tower-a"])?;
    assert!(setup.contains(&format!("/radius incoming set accept=yes port={coa_port}")), "{setup}");
    assert!(setup.contains("Warning: no /radius entry for 127.0.0.1"), "read back from the router: {setup}");
    assert!(!setup.contains(NAS_SECRET), "the secret is not shown");
    // Applied over the API: only what is missing, then read back right.
    let applied = json(&run(&["--json", "router", "radius-setup", "tower-a", "--apply"])?)?;
    assert_eq!(applied["issues"].as_array().map(Vec::len), Some(0), "{applied}");
    let writes = applied["applied"].as_array().context("applied")?;
    assert_eq!(writes.len(), 3, "{applied}");
    assert!(writes[0].as_str().is_some_and(|w| w.contains("secret=<secret>")), "{applied}");
    assert!(!applied.to_string().contains(NAS_SECRET), "the secret is not shown");
    let entries = sim.items("/radius").context("the router's /radius")?;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].get("secret").and_then(|v| v.to_str()), Some(NAS_SECRET));
    assert_eq!(entries[0].get("address").and_then(|v| v.to_str()), Some("127.0.0.1"));
    let again = json(&run(&["--json", "router", "radius-setup", "tower-a", "--apply"])?)?;
    assert_eq!(again["applied"].as_array().map(Vec::len), Some(0), "nothing more to write: {again}");

    // The operator's users already in the database: carol is adopted
    // (her group mapped to a plan), dave (a hashed password) is left alone.
    postgres
        .execute(
            "radius",
            "INSERT INTO radcheck (username, attribute, op, value) VALUES ('carol', 'Cleartext-Password', ':=', 'c-pw'),
                 ('dave', 'NT-Password', ':=', '0x8846F7EAEE8FB117AD06BDD830B7586C');
             INSERT INTO radusergroup (username, groupname, priority) VALUES ('carol', '10mb', 1), ('dave', '10mb', 1);",
        )
        .await?;
    let plan_map = sandbox.root.join("groups.csv");
    std::fs::write(&plan_map, "# RADIUS group, plan\n10mb,Home 20\n")?;
    let plan_map = plan_map.to_string_lossy().into_owned();
    let dry = json(&run(&["--json", "import", "radius-users", "--plan-map", &plan_map, "--dry-run"])?)?;
    assert_eq!(dry["services"].as_array().map(Vec::len), Some(1), "{dry}");
    assert_eq!(dry["imported"], false);
    let adopted = json(&run(&["--json", "import", "radius-users", "--plan-map", &plan_map])?)?;
    assert_eq!(adopted["services"][0]["username"], "carol", "{adopted}");
    assert_eq!(adopted["skipped"][0]["name"], "dave");

    let swept = json(&run(&["--json", "sweep", "--once"])?)?;
    let steps = swept["steps"].as_array().context("steps")?;
    assert!(
        !steps.iter().any(|s| s["text"].as_str().is_some_and(|t| t.contains("carol Cleartext") || t.contains("dave"))),
        "carol's password row is already right and dave is not Headend's: {swept}"
    );
    assert!(steps.iter().any(|s| s["text"] == "radcheck add ana Cleartext-Password := ***"), "{swept}");
    let again = json(&run(&["--json", "sweep", "--once"])?)?;
    assert_eq!(again["steps"].as_array().map(Vec::len), Some(0), "a second sweep writes nothing: {again}");
    let shown = json(&run(&["--json", "radius", "show"])?)?;
    assert_eq!(shown["users_managed"], 2, "{shown}");
    assert_eq!(shown["users_unmanaged"], 1, "dave: {shown}");
    let dave = postgres.execute("radius", "SELECT attribute, value FROM radcheck WHERE username = 'dave'").await?;
    assert_eq!(dave.trim(), "NT-Password|0x8846F7EAEE8FB117AD06BDD830B7586C", "untouched");
    assert_eq!(shown["radius_routers"][0], "tower-a");

    // The plan's session limits and pool are its group's replies.
    run(&["plan", "set", "Home 20", "--session-timeout", "1d", "--idle-timeout", "30m", "--pool", "pool-home"])?;
    let swept = run(&["sweep", "--once"])?;
    assert!(swept.contains("radgroupreply add headend-plan-"), "{swept}");

    let status = json(&cli(&data, &["--json", "radius", "status", "--secret-stdin"], Some(NAS_SECRET))?)?;
    assert_eq!(status["answer"], "Access-Accept", "{status}");
    let login = json(&cli(&data, &["--json", "radius", "test", &ana_id, "--secret-stdin"], Some(NAS_SECRET))?)?;
    assert_eq!(login["result"], "accept", "{login}");
    assert_eq!(login["attributes"]["Mikrotik-Rate-Limit"], "10M/20M");
    assert_eq!(login["attributes"]["Session-Timeout"], "86400", "{login}");
    assert_eq!(login["attributes"]["Idle-Timeout"], "1800", "{login}");
    assert_eq!(login["attributes"]["Framed-Pool"], "pool-home", "{login}");
    assert_eq!(login["attributes"]["Framed-IP-Address"], "100.64.0.7", "ana's fixed address: {login}");

    // The router's subscriber logs in through FreeRADIUS; suspended, it is kicked and refused.
    assert!(matches!(sim.dial("ana", "ana-pw").await?, DialOutcome::Accepted { .. }));
    run(&["service", "set-status", &ana_id, "suspended"])?;
    let swept = run(&["sweep", "--once"])?;
    assert!(swept.contains("Disconnect-ACK"), "{swept}");
    assert!(sim.radius_session("ana").is_none());
    let login = json(&cli(&data, &["--json", "radius", "test", &ana_id, "--secret-stdin"], Some(NAS_SECRET))?)?;
    assert_eq!(login["result"], "reject", "{login}");

    // The router's accounting, through FreeRADIUS's radacct, is ana's history.
    let imported = json(&run(&["--json", "radius", "import-accounting"])?)?;
    assert_eq!(imported["recorded"], 1, "{imported}");
    let sessions = json(&run(&["--json", "service", "sessions", &ana_id])?)?;
    let first = &sessions.as_array().context("a list")?[0];
    assert_eq!(first["source"], "radius", "{sessions}");
    assert_eq!(first["cause"], "Admin-Reset", "{sessions}");
    assert!(first["stopped_at"].is_string(), "{sessions}");
    let again = json(&run(&["--json", "radius", "import-accounting"])?)?;
    assert_eq!(again["read"], 0, "incremental: {again}");

    // The history's retention is a setting.
    let kept = json(&run(&["--json", "service", "history-retention"])?)?;
    assert_eq!((kept["detail_days"].as_u64(), kept["keep_days"].as_u64()), (Some(90), Some(730)), "{kept}");
    let kept = json(&run(&["--json", "service", "history-retention", "--detail-days", "30", "--keep-days", "365"])?)?;
    assert_eq!((kept["detail_days"].as_u64(), kept["keep_days"].as_u64()), (Some(30), Some(365)), "{kept}");
    let refused = run(&["service", "history-retention", "--detail-days", "400", "--keep-days", "365"]);
    assert!(refused.is_err(), "more detail than history is refused: {refused:?}");
    Ok(())
}
