//! The real `headend` binary on a temporary data directory: plans,
//! services, payments and imports, with the real keyring (`cargo xtask
//! test` runs the tests in a D-Bus session with an unlocked throwaway GNOME
//! Keyring; by hand: `dbus-run-session -- bash -c 'echo -n pw |
//! gnome-keyring-daemon --unlock --components=secrets >/dev/null; cargo
//! test -p headend --test provisioning'`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use headend_core::billing::calendar::{BillingDay, add_months};
use headend_secrets::{SecretKey, SecretStore};
use headend_store::Store;
use serde_json::{Value as Json, json};

const PPPOE_PASSWORD: &str = "Sub-Scr1ber-pw";
const IMPORTED_PASSWORD: &str = "imp0rted-Secret-77";

struct Out {
    success: bool,
    stdout: String,
    stderr: String,
}

impl Out {
    fn ok(self) -> Self {
        assert!(self.success, "headend failed: {}", self.stderr);
        self
    }

    fn json(&self) -> Json {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?} / {}", self.stdout, self.stderr))
    }

    /// A failure whose last stderr line is `headend: …needle…`.
    fn fails_with(&self, needle: &str) {
        assert!(!self.success, "expected a failure, got: {}", self.stdout);
        let last = self.stderr.trim_end().lines().last().unwrap_or_default();
        assert!(last.starts_with("headend: ") && last.contains(needle), "{:?} lacks {needle:?}", self.stderr);
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
    }
}

/// A temporary data directory; the keyring entries made by the CLI in its
/// scope are deleted at the end. Every output is kept, to check that no
/// password was ever printed.
struct Lab {
    dir: tempfile::TempDir,
    secrets: SecretStore,
    routers: Vec<i64>,
    printed: std::cell::RefCell<String>,
}

impl Lab {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("headend.sqlite3")).await.unwrap();
        let scope = store.installation_id().await.unwrap();
        store.close().await;
        let secrets = SecretStore::open().expect("these tests need a keyring: run them with cargo xtask test");
        Self { dir, secrets: secrets.scoped(&scope), routers: Vec::new(), printed: Default::default() }
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_with_input(args, None)
    }

    fn run_with_input(&self, args: &[&str], input: Option<&str>) -> Out {
        let mut child = Command::new(env!("CARGO_BIN_EXE_headend"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let (Some(input), Some(mut stdin)) = (input, child.stdin.take()) {
            let _ = stdin.write_all(input.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        let out = Out {
            success: out.status.success(),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        };
        let mut printed = self.printed.borrow_mut();
        printed.push_str(&out.stdout);
        printed.push_str(&out.stderr);
        out
    }

    fn add_router(&mut self, name: &str) {
        let out = self
            .run_with_input(
                &[
                    "--json",
                    "router",
                    "add",
                    name,
                    "--host",
                    "127.0.0.1",
                    "--transport",
                    "api",
                    "--user",
                    "admin",
                    "--password-stdin",
                ],
                Some("router-pw"),
            )
            .ok();
        self.routers.push(out.json()["id"].as_i64().unwrap());
    }

    fn write(&self, name: &str, text: &str) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    }

    async fn store(&self) -> Store {
        Store::open(&self.dir.path().join("headend.sqlite3")).await.unwrap()
    }

    fn services(&self) -> Vec<Json> {
        self.run(&["--json", "service", "list"]).ok().json().as_array().unwrap().clone()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        for id in &self.routers {
            let _ = self.secrets.delete(&SecretKey::router(id));
        }
        let _ = self.secrets.delete(&SecretKey::subscriber_key());
        let printed = self.printed.borrow();
        if !std::thread::panicking() {
            for password in [PPPOE_PASSWORD, IMPORTED_PASSWORD] {
                assert!(!printed.contains(password), "a subscriber password was printed");
            }
        }
    }
}

/// Every byte of the database files.
fn database_bytes(dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_name().to_string_lossy().starts_with("headend.sqlite3") {
            all.extend(std::fs::read(entry.path()).unwrap());
        }
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn plans_round_trip_with_bursts() {
    let lab = Lab::new().await;
    let added = lab
        .run(&[
            "--json",
            "plan",
            "add",
            "Home 20",
            "--rate",
            "10M/20M",
            "--burst",
            "20M/40M",
            "--burst-threshold",
            "8M/16M",
            "--burst-time",
            "16s/16s",
            "--price",
            "25.00",
        ])
        .ok()
        .json();
    assert_eq!(added["rate_limit"], "10M/20M 20M/40M 8M/16M 16/16");
    assert_eq!((added["upload_bps"].as_u64(), added["download_bps"].as_u64()), (Some(10_000_000), Some(20_000_000)));
    assert_eq!(added["burst"]["threshold_download_bps"], 16_000_000);
    assert_eq!((added["price"].as_str(), added["cycle"].as_str()), (Some("25.00"), Some("monthly")));
    let profile = added["profile"].as_str().unwrap().to_owned();
    assert_eq!(profile, format!("hd-{}-home-20", added["id"]));

    lab.run(&["plan", "add", "Basic", "--rate", "2M/5M", "--price", "10", "--cycle", "quarterly"]).ok();
    let list = lab.run(&["--json", "plan", "list"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1], added, "list shows what add said");
    let text = lab.run(&["plan", "list"]).ok().stdout;
    assert!(
        text.contains("RATE-LIMIT (UP/DOWN)")
            && text.contains("10M/20M 20M/40M 8M/16M 16/16")
            && text.contains("quarterly"),
        "{text}"
    );

    // A new rate must fit the kept burst; a rename keeps the profile.
    lab.run(&["plan", "set", "Home 20", "--rate", "30M/30M"])
        .fails_with("the burst rate 20M must be above the plan's rate 30M");
    let changed = lab
        .run(&[
            "--json",
            "plan",
            "set",
            "Home 20",
            "--rate",
            "30M/30M",
            "--no-burst",
            "--rename",
            "Home 30",
            "--price",
            "30.00",
        ])
        .ok()
        .json();
    assert_eq!((changed["rate_limit"].as_str(), changed["burst"].is_null()), (Some("30M/30M"), true));
    assert_eq!((changed["name"].as_str(), changed["profile"].as_str()), (Some("Home 30"), Some(profile.as_str())));

    lab.run(&["plan", "add", "Basic", "--rate", "1M", "--price", "1"])
        .fails_with("a plan named \"Basic\" already exists");
    assert!(!lab.run(&["plan", "add", "Bad", "--rate", "10M/20M", "--price=-1"]).success);
    let bad = lab.run(&["plan", "add", "Bad", "--rate", "fast", "--price", "1"]);
    bad.fails_with("\"fast\" is not a rate");
    assert!(!lab.run(&["plan", "add", "Bad", "--rate", "1M", "--burst", "2M", "--price", "1"]).success);
    assert_eq!(lab.run(&["--json", "plan", "list"]).ok().json().as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn services_are_added_listed_shown_and_changed() {
    let mut lab = Lab::new().await;
    lab.add_router("core-1");
    lab.add_router("core-2");
    lab.run(&["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"]).ok();

    let add = [
        "--json",
        "service",
        "add",
        "--customer",
        "Ana Silva",
        "--phone",
        "+55 11 5555",
        "--router",
        "core-1",
        "--plan",
        "Home 20",
        "--pppoe",
        "ana",
        "--password-stdin",
        "--due",
        "2026-12-05",
    ];
    let ana = lab.run_with_input(&add, Some(&format!("{PPPOE_PASSWORD}\n"))).ok().json();
    let id = ana["id"].as_i64().unwrap().to_string();
    assert_eq!(
        (ana["type"].as_str(), ana["username"].as_str(), ana["status"].as_str()),
        (Some("pppoe"), Some("ana"), Some("active"))
    );
    assert_eq!((ana["customer"].as_str(), ana["next_billing_date"].as_str()), (Some("Ana Silva"), Some("2026-12-05")));
    assert!(ana.get("password").is_none());

    // The same user name on the same router is refused; on another, fine.
    lab.run_with_input(&add, Some("other"))
        .fails_with("a PPPoE user named \"ana\" already exists on router \"core-1\"");
    let mut elsewhere = add.to_vec();
    elsewhere[8] = "core-2";
    let twin = lab.run_with_input(&elsewhere, Some("other-pw")).ok().json();
    assert_eq!(twin["customer_id"], ana["customer_id"], "the customer is found by name and phone");
    let static_ip = lab
        .run(&[
            "--json",
            "service",
            "add",
            "--customer",
            "Bob",
            "--router",
            "core-2",
            "--plan",
            "Home 20",
            "--ip",
            "100.64.0.9",
            "--status",
            "pending",
        ])
        .ok()
        .json();
    assert_eq!((static_ip["ip"].as_str(), static_ip["status"].as_str()), (Some("100.64.0.9"), Some("pending")));
    lab.run(&["service", "add", "--customer", "C", "--router", "core-1", "--plan", "Home 20", "--pppoe", "c"]);
    lab.run(&["service", "add", "--customer", "C", "--router", "nowhere", "--plan", "Home 20", "--ip", "10.0.0.1"])
        .fails_with("no router named \"nowhere\"");

    // Stored encrypted: the plaintext is nowhere in the database files.
    let db = database_bytes(lab.dir.path());
    assert!(!db.is_empty() && !contains(&db, PPPOE_PASSWORD), "the password is in the database");
    assert!(lab.secrets.get(&SecretKey::subscriber_key()).unwrap().is_some(), "the key is in the keyring");

    assert_eq!(lab.services().len(), 3);
    let pending = lab.run(&["--json", "service", "list", "--status", "pending"]).ok().json();
    assert_eq!(
        pending.as_array().unwrap().iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
        [static_ip["id"].clone()]
    );
    let on_core2 = lab.run(&["--json", "service", "list", "--router", "core-2", "--search", "ANA"]).ok().json();
    assert_eq!(on_core2.as_array().unwrap().len(), 1);
    let text = lab.run(&["service", "list"]).ok().stdout;
    assert!(text.starts_with("ID  CUSTOMER") && text.contains("100.64.0.9") && text.contains("2026-12-05"), "{text}");

    let suspended = lab.run(&["--json", "service", "set-status", &id, "suspended"]).ok().json();
    assert_eq!(suspended["status"], "suspended");
    let due = lab.run(&["--json", "service", "set-due", &id, "2027-01-31"]).ok().json();
    assert_eq!(due["next_billing_date"], "2027-01-31");
    lab.run(&["service", "set-due", &id, "31/01/2027"]);
    lab.run(&["service", "set-status", "999", "active"]).fails_with("no service with id 999");
    let retry = lab.run(&["--json", "service", "retry", &id]).ok().json();
    assert_eq!(retry, json!({"id": ana["id"], "reset": 0, "routers": ["core-1"]}));

    let shown = lab.run(&["--json", "service", "show", &id]).ok().json();
    assert_eq!(shown["service"]["status"], "suspended");
    assert_eq!(
        (shown["queue"].clone(), shown["router_log"].clone(), shown["payments"].clone()),
        (json!([]), json!([]), json!([]))
    );
    let text = lab.run(&["service", "show", &id]).ok().stdout;
    assert!(text.contains("PPPoE user:      ana") && text.contains("Next billing:    2027-01-31"), "{text}");

    // Every change is in the activity log, by the CLI, and `service show`
    // lists it. (Read through the CLI, a process of its own like every
    // writer here, rather than through a connection held in this test.)
    let shown = lab.run(&["--json", "service", "show", &id]).ok().json();
    let activity = shown["activity"].as_array().unwrap();
    let actions: Vec<&str> = activity.iter().map(|e| e["action"].as_str().unwrap_or_default()).collect();
    assert_eq!(actions, ["retry requested", "due date changed", "status changed", "service added"]);
    assert!(activity.iter().all(|e| e["actor"] == "cli"), "{activity:?}");
    let store = lab.store().await;
    // And the routers were asked to sweep (the CLI runs no engine).
    assert!(!store.take_sweep_requests().await.unwrap().is_empty());
    store.close().await;
}

#[tokio::test]
async fn a_payment_moves_the_due_date() {
    let mut lab = Lab::new().await;
    lab.add_router("core-1");
    lab.run(&["plan", "add", "Home", "--rate", "5M/20M", "--price", "25.00"]).ok();
    let svc = lab
        .run(&[
            "--json",
            "service",
            "add",
            "--customer",
            "Dan",
            "--router",
            "core-1",
            "--plan",
            "Home",
            "--ip",
            "10.0.0.2",
            "--due",
            "2026-01-31",
        ])
        .ok()
        .json();
    let id = svc["id"].as_i64().unwrap().to_string();
    let paid = lab.run(&["--json", "payment", "add", &id, "--amount", "25.00", "--months", "1"]).ok().json();
    assert_eq!(
        (paid["payment"]["previous_due"].as_str(), paid["paid_through"].as_str(), paid["payment"]["months"].as_u64()),
        (Some("2026-01-31"), Some("2026-02-28"), Some(1))
    );
    // Anchored on the 31st: back to the 31st in March, not stuck on the 28th.
    let text = lab.run(&["payment", "add", &id, "--amount", "50", "--months", "2"]).ok().stdout;
    assert!(text.contains("paid through 2026-04-30"), "{text}");
    assert_eq!(lab.run(&["--json", "service", "show", &id]).ok().json()["service"]["next_billing_date"], "2026-04-30");
    let payments = lab.run(&["--json", "payment", "list", &id]).ok().json();
    assert_eq!(payments.as_array().unwrap().len(), 2);
    assert_eq!((payments[0]["amount"].as_str(), payments[0]["actor"].as_str()), (Some("50.00"), Some("cli")));
    assert!(!lab.run(&["payment", "add", &id, "--amount", "1", "--months", "0"]).success);
    lab.run(&["payment", "add", &id, "--amount=-5"]).fails_with("cannot be negative");
    for (flags, needle) in
        [(["--amount=abc", "--method=cash"], "not an amount"), (["--amount=5", "--date=2026-02-30"], "not a date")]
    {
        let out = lab.run(&["payment", "add", &id, flags[0], flags[1]]);
        assert!(!out.success && out.stderr.contains(needle), "{}", out.stderr);
    }
    lab.run(&["payment", "add", "999", "--amount", "5"]).fails_with("no service with id 999");
    assert_eq!(
        lab.run(&["--json", "payment", "list", &id]).ok().json().as_array().unwrap().len(),
        2,
        "nothing written"
    );
}

/// Today in UTC (the lab's ISP time zone), from the clock the CLI reads.
fn today() -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext failed on {}", path.display());
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn invoices_payments_statements_and_documents_from_the_terminal() {
    let mut lab = Lab::new().await;
    lab.run(&["policy", "set", "--time-zone", "UTC"]).ok();
    lab.add_router("core-1");
    lab.run(&["plan", "add", "Fibra 50", "--rate", "10M/50M", "--price", "25.00"]).ok();
    let settings = lab
        .run(&[
            "--json",
            "billing",
            "settings",
            "--currency",
            "USD",
            "--tax-rate",
            "16",
            "--company",
            "Café Étoile Telecom",
            "--address",
            "Rua Augusta 1500\\nSão Paulo",
            "--payment-instructions",
            "PIX billing@cafe.example",
        ])
        .ok()
        .json();
    assert_eq!((settings["tax_rate"].as_str(), settings["tax_inclusive"].as_bool()), (Some("16"), Some(false)));
    lab.run(&["billing", "settings", "--lead-days", "91"]).fails_with("lead-days is 0 to 90 days, not 91");
    let lower = lab.run(&["billing", "settings", "--currency", "usd"]);
    assert!(!lower.success && lower.stderr.contains("not a currency code"), "{}", lower.stderr);

    // Due in three days: inside the lead time, so the run invoices it now.
    let due = today().checked_add(jiff::ToSpan::days(3)).unwrap();
    let name = "Łódź Ελλάδα Москва";
    let svc = lab
        .run(&[
            "--json",
            "service",
            "add",
            "--customer",
            name,
            "--router",
            "core-1",
            "--plan",
            "Fibra 50",
            "--ip",
            "10.0.0.2",
            "--due",
            &due.to_string(),
        ])
        .ok()
        .json();
    let id = svc["id"].as_i64().unwrap().to_string();
    let run = lab.run(&["--json", "invoice", "run"]).ok().json();
    let issued = run["issued"].as_array().unwrap();
    assert_eq!(issued.len(), 1, "{run}");
    let number = issued[0]["number"].as_str().unwrap().to_owned();
    assert_eq!(number, format!("INV-{}-000001", today().year()));
    assert_eq!((issued[0]["customer"].as_str(), issued[0]["total"].as_str()), (Some(name), Some("29.00")));
    assert!(lab.run(&["--json", "invoice", "run"]).ok().json()["issued"].as_array().unwrap().is_empty(), "issued once");

    let shown = lab.run(&["--json", "invoice", "show", &number]).ok().json();
    assert_eq!(
        (shown["net"].as_str(), shown["tax"].as_str(), shown["gross"].as_str()),
        (Some("25.00"), Some("4.00"), Some("29.00"))
    );
    assert_eq!(
        (shown["status"].as_str(), shown["lines"][0]["period_from"].as_str()),
        (Some("open"), Some(due.to_string().as_str()))
    );
    let listed = lab.run(&["--json", "invoice", "list", "--status", "open", "--customer", "łódź"]).ok().json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    lab.run(&["invoice", "show", "INV-1999-000042"]).fails_with("no invoice numbered");

    let pdf = lab.dir.path().join("invoice.pdf");
    lab.run(&["invoice", "pdf", &number, "--out", pdf.to_str().unwrap()]).ok();
    let text = pdf_text(&pdf);
    for needle in [number.as_str(), name, "Café Étoile Telecom", "São Paulo", "29.00", "PIX billing@cafe.example"] {
        assert!(text.contains(needle), "the PDF lacks {needle:?}: {text}");
    }

    // A partial payment leaves the service where it was; the rest moves it
    // a period on, and the overpayment is credit.
    let part = lab
        .run(&["--json", "payment", "add", &id, "--amount", "20", "--method", "bank-transfer", "--reference", "TX-1"])
        .ok()
        .json();
    assert_eq!(
        (part["balance"].as_str(), part["paid_through"].as_str()),
        (Some("9.00"), Some(due.to_string().as_str()))
    );
    let rest = lab.run(&["--json", "payment", "add", &id, "--amount", "10"]).ok().json();
    let expected = add_months(due, 1, BillingDay::of(due));
    assert_eq!(rest["paid_through"].as_str(), Some(expected.to_string().as_str()));
    assert_eq!((rest["credit_left"].as_str(), rest["balance"].as_str()), (Some("1.00"), Some("-1.00")));
    assert_eq!(rest["paid"][0]["amount"].as_str(), Some("9.00"));
    let receipt = rest["receipt"].as_str().unwrap().to_owned();
    let receipt_pdf = lab.dir.path().join("receipt.pdf");
    lab.run(&["receipt", "pdf", &receipt, "--out", receipt_pdf.to_str().unwrap()]).ok();
    assert!(pdf_text(&receipt_pdf).contains(&receipt));
    let both = lab.run(&["payment", "add", &id, "--amount", "5", "--months", "1", "--invoice", &number]);
    assert!(!both.success && both.stderr.contains("cannot be used with"), "{}", both.stderr);

    let note = lab.run(&["--json", "invoice", "credit", &number, "--amount", "5", "--reason", "outage"]).ok().json();
    assert_eq!((note["kind"].as_str(), note["gross"].as_str()), (Some("credit-note"), Some("5.00")));
    lab.run(&["invoice", "credit", &number, "--amount", "30", "--reason", "x"]).fails_with("at most 24.00");
    let statement = lab.run(&["--json", "customer", "statement", name]).ok().json();
    let balances: Vec<&str> =
        statement["entries"].as_array().unwrap().iter().map(|e| e["balance"].as_str().unwrap()).collect();
    assert_eq!(balances, ["29.00", "24.00", "4.00", "-6.00"]);
    assert_eq!(statement["balance"].as_str(), Some("-6.00"));
    lab.run(&["customer", "statement", "Nobody"]).fails_with("no customer named");

    let report = lab.run(&["--json", "report", "revenue"]).ok().json();
    assert_eq!(
        (report["invoiced"].as_str(), report["collected"].as_str(), report["outstanding"].as_str()),
        (Some("24.00"), Some("30.00"), Some("0.00"))
    );
    assert_eq!(report["history"].as_array().unwrap().len(), 12);

    let csv = lab.dir.path().join("invoices.csv");
    lab.run(&["export", "invoices", "--format", "csv", "--out", csv.to_str().unwrap()]).ok();
    let csv = std::fs::read_to_string(csv).unwrap();
    assert!(csv.lines().nth(1).is_some_and(|l| l.starts_with(&format!("{number},{name},"))), "{csv}");
    let xlsx = lab.dir.path().join("customers.xlsx");
    lab.run(&["export", "customers", "--out", xlsx.to_str().unwrap()]).ok();
    assert!(std::fs::read(xlsx).unwrap().starts_with(b"PK"), "an XLSX is a zip");

    let void = lab.run(&["--json", "invoice", "void", &number, "--reason", "issued in error"]).ok().json();
    assert_eq!((void["status"].as_str(), void["number"].as_str()), (Some("void"), Some(number.as_str())));
    lab.run(&["payment", "add", &id, "--amount", "5", "--invoice", &number]).fails_with("is void");
    let report = lab.run(&["--json", "report", "revenue"]).ok().json();
    assert_eq!(report["invoiced"].as_str(), Some("-5.00"), "a void invoice no longer counts; its credit note does");
}

const HEADER: &str = "customer,phone,router,plan,type,username,password,ip,status,next_billing_date";

#[tokio::test]
async fn imports_report_every_bad_line_and_write_all_or_nothing() {
    let mut lab = Lab::new().await;
    lab.add_router("core-1");
    lab.add_router("core-2");
    lab.run(&["plan", "add", "Home 20", "--rate", "5M/20M", "--price", "25.00"]).ok();
    lab.run_with_input(
        &[
            "service",
            "add",
            "--customer",
            "Old",
            "--router",
            "core-1",
            "--plan",
            "Home 20",
            "--pppoe",
            "taken",
            "--password-stdin",
        ],
        Some("whatever-pw"),
    )
    .ok();

    let bad = lab.write(
        "bad.csv",
        &format!(
            "{HEADER}\n\
             Ana,,core-1,Home 20,pppoe,ana,{IMPORTED_PASSWORD},,active,2026-12-05\n\
             Bia,,core-9,Gold,pppoe,bia,pw,,,\n\
             Caio,,core-1,Home 20,dhcp,,,,,\n\
             Davi,,core-1,Home 20,pppoe,,pw,,,\n\
             Eva,,core-1,Home 20,static,,,10.0.0.300,,\n\
             Fabi,,core-1,Home 20,static,,,10.0.0.6,paid,\n\
             Gil,,core-1,Home 20,static,,,10.0.0.7,,05/12/2026\n\
             Hugo,,core-1,Home 20,pppoe,ana,pw,,,\n\
             Ines,,core-1,Home 20,pppoe,taken,pw,,,\n"
        ),
    );
    let out = lab.run(&["import", "services", "--file", &bad]);
    out.fails_with("9 problem(s) in");
    for (line, reason) in [
        (3, "unknown router \"core-9\""),
        (3, "unknown plan \"Gold\""),
        (4, "bad type \"dhcp\""),
        (5, "missing username for a pppoe service"),
        (6, "bad IP address \"10.0.0.300\""),
        (7, "bad status \"paid\""),
        (8, "bad date \"05/12/2026\": write dates as YYYY-MM-DD"),
        (9, "duplicate user name \"ana\" on router \"core-1\": already on line 2"),
        (10, "a PPPoE user named \"taken\" already exists on router \"core-1\""),
    ] {
        let wanted = format!("line {line}: {reason}");
        assert!(out.stderr.contains(&wanted), "{wanted:?} not in {}", out.stderr);
    }
    assert_eq!(lab.services().len(), 1, "nothing imported");
    let json = lab.run(&["--json", "import", "services", "--file", &bad, "--dry-run"]);
    assert!(!json.success);
    let report = json.json();
    assert_eq!((report["errors"].as_array().unwrap().len(), report["imported"].as_bool()), (9, Some(false)));

    // A good file: the dry run writes nothing, the import writes it all.
    let good = lab.write(
        "good.csv",
        &format!(
            "\u{feff}customer;phone;router;plan;type;username;password;ip;status;next_billing_date\r\n\
             Ana;+55 1;core-1;Home 20;pppoe;ana;{IMPORTED_PASSWORD};;;2026-12-05\r\n\
             Ana;+55 1;core-2;Home 20;static;;;100.64.0.10;suspended;\r\n\
             Old;;core-2;Home 20;pppoe;taken;pw2;;pending;2027-01-01\r\n"
        ),
    );
    let before = lab.run(&["--json", "status"]).ok().json();
    let dry = lab.run(&["import", "services", "--file", &good, "--dry-run"]).ok().stdout;
    assert!(dry.contains("Would import 3 service(s) and 1 new customer(s)"), "{dry}");
    assert!(dry.contains("line 2: would add pppoe ana for Ana (new customer) on core-1"), "{dry}");
    assert_eq!(lab.services().len(), 1, "the dry run imported nothing");
    assert_eq!(lab.run(&["--json", "status"]).ok().json(), before, "no customer either");

    let done = lab.run(&["--json", "import", "services", "--file", &good]).ok().json();
    assert_eq!(done["imported"], true);
    let rows = done["services"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["id"].is_i64()), "{done}");
    assert_eq!((rows[0]["new_customer"].as_bool(), rows[2]["new_customer"].as_bool()), (Some(true), Some(false)));
    let services = lab.services();
    assert_eq!(services.len(), 4);
    let statuses: Vec<&str> = services.iter().map(|s| s["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["active", "active", "suspended", "pending"]);
    assert_eq!(services[1]["next_billing_date"], "2026-12-05");
    assert!(!contains(&database_bytes(lab.dir.path()), IMPORTED_PASSWORD), "imported passwords are encrypted");

    // Importing the same file again: every user name is taken now.
    let again = lab.run(&["import", "services", "--file", &good]);
    again.fails_with("2 problem(s) in");
    assert_eq!(lab.services().len(), 4);
    lab.run(&["import", "services", "--file", "/nonexistent.csv"]).fails_with("cannot read /nonexistent.csv");
}
