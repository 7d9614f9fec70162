//! Onboarding an existing network from a spreadsheet
//! (`headend import services --file F.csv`): the CSV is read and checked
//! here, row by row, without touching the database. Router and plan names
//! are resolved by the caller against the store.
//!
//! The format:
//! - UTF-8, with or without a byte-order mark; `,` or `;` between fields
//!   (whichever the first line uses more of), `"` for quoting.
//! - The first line names the columns, in any order:
//!   `customer,phone,router,plan,type,username,password,ip,status,next_billing_date,address,latitude,longitude`.
//!   `customer`, `router`, `plan` and `type` are required; a missing
//!   optional column reads as empty; any other column is refused.
//! - `type` is `pppoe` (needs `username` and `password`) or `static`
//!   (needs `ip`, takes no user name or password).
//! - `status` is empty (meaning `active`) or a service status;
//!   `next_billing_date` is empty or an ISO date such as `2026-12-05`.
//! - `address` is the customer's street address; `latitude` and
//!   `longitude` (decimal degrees, both or neither) place them on the map.
//!   A customer named on several rows takes them from its first row.
//! - Fields are trimmed of surrounding spaces, except the password.
//!
//! Every problem is reported with its 1-based line number; a file with
//! any problem is imported not at all (the caller's rule).

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use jiff::civil::Date;

use crate::geo::GeoPoint;
use crate::provision::{Password, validate_password, validate_username};
use crate::service::{Access, ServiceStatus};

/// The columns of an import file, in the documented order.
pub const COLUMNS: [&str; 13] = [
    "customer",
    "phone",
    "router",
    "plan",
    "type",
    "username",
    "password",
    "ip",
    "status",
    "next_billing_date",
    "address",
    "latitude",
    "longitude",
];

/// Columns without which no row can be read.
const REQUIRED: [&str; 4] = ["customer", "router", "plan", "type"];

/// One good row of an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    /// The 1-based line the row starts on.
    pub line: u64,
    pub customer: String,
    pub phone: Option<String>,
    /// The customer's street address.
    pub address: Option<String>,
    pub location: Option<GeoPoint>,
    /// The router's name, as written.
    pub router: String,
    /// The plan's name, as written.
    pub plan: String,
    pub access: Access,
    /// The PPPoE password (never shown by `Debug`).
    pub password: Option<Password>,
    pub status: ServiceStatus,
    pub next_billing_date: Option<Date>,
}

/// A problem on one line. Never quotes a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

impl RowError {
    pub fn new(line: u64, reason: impl Into<String>) -> Self {
        Self { line, reason: reason.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What a file holds: its good rows and the problems of the others, each
/// in file order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedImport {
    pub rows: Vec<ImportRow>,
    pub errors: Vec<RowError>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads an import file without knowing which routers and plans exist.
/// Never panics, whatever the bytes.
pub fn parse_services(input: &[u8]) -> ParsedImport {
    parse_services_with(input, &|_| true, &|_| true)
}

/// Reads an import file; `router_exists` and `plan_exists` say whether a
/// name is known, so an unknown one is reported on its line with the
/// row's other problems. Never panics, whatever the bytes.
pub fn parse_services_with(
    input: &[u8],
    router_exists: &dyn Fn(&str) -> bool,
    plan_exists: &dyn Fn(&str) -> bool,
) -> ParsedImport {
    let input = input.strip_prefix(BOM).unwrap_or(input);
    let mut parsed = ParsedImport::default();
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(input))
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut records = reader.byte_records();

    let header = match records.next() {
        None => {
            parsed.errors.push(RowError::new(
                1,
                format!("the file is empty: its first line must name the columns ({})", COLUMNS.join(",")),
            ));
            return parsed;
        }
        Some(Err(e)) => {
            parsed.errors.push(RowError::new(1, format!("cannot read the first line: {}", csv_reason(&e))));
            return parsed;
        }
        Some(Ok(record)) => record,
    };
    let mut lines = LineCounter::new(input);
    let header_line = lines.line(header.position());
    let columns = match read_header(&header, header_line) {
        Ok(columns) => columns,
        Err(errors) => {
            parsed.errors = errors;
            return parsed;
        }
    };

    // (router, user name or address) → the line that first used it.
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                parsed.errors.push(RowError::new(lines.line(e.position()), csv_reason(&e)));
                continue;
            }
        };
        let line = lines.line(record.position());
        if record.iter().all(|field| field.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        if record.len() != columns.len() {
            parsed.errors.push(RowError::new(
                line,
                format!("expected {} fields like the first line, found {}", columns.len(), record.len()),
            ));
            continue;
        }
        let mut fields: HashMap<&'static str, &str> = HashMap::new();
        let mut utf8 = true;
        for (name, raw) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(raw) {
                Ok(text) => {
                    fields.insert(name, text);
                }
                Err(_) => utf8 = false,
            }
        }
        if !utf8 {
            parsed.errors.push(RowError::new(line, "not UTF-8 text: save the file as UTF-8"));
            continue;
        }
        match read_row(line, &fields, router_exists, plan_exists) {
            Ok(row) => {
                let key = match &row.access {
                    Access::Pppoe { username, .. } => (row.router.clone(), format!("user {username}")),
                    Access::StaticIp { address } => (row.router.clone(), format!("address {address}")),
                };
                if let Some(first) = seen.get(&key) {
                    let what = match &row.access {
                        Access::Pppoe { username, .. } => format!("user name {username:?}"),
                        Access::StaticIp { address } => format!("address {address}"),
                    };
                    parsed.errors.push(RowError::new(
                        line,
                        format!("duplicate {what} on router {:?}: already on line {first}", row.router),
                    ));
                    continue;
                }
                seen.insert(key, line);
                parsed.rows.push(row);
            }
            Err(reasons) => {
                parsed.errors.extend(reasons.into_iter().map(|reason| RowError::new(line, reason)));
            }
        }
    }
    parsed
}

/// `;` if the first line has more semicolons than commas, else `,`.
fn sniff_delimiter(input: &[u8]) -> u8 {
    let first = input.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|&&b| b == d).count();
    if count(b';') > count(b',') { b';' } else { b',' }
}

/// Line numbers from byte offsets. The csv crate's own line count is off
/// after a CRLF or a blank line; its byte offsets are right, but may point
/// at the line break before the record.
struct LineCounter<'a> {
    input: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(input: &'a [u8]) -> Self {
        Self { input, offset: 0, line: 1 }
    }

    /// The 1-based line of the record at `position`; records come in order.
    fn line(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return self.line };
        let mut start = usize::try_from(position.byte()).unwrap_or(usize::MAX).min(self.input.len());
        while matches!(self.input.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start > self.offset {
            let newlines = self.input[self.offset..start].iter().filter(|&&b| b == b'\n').count();
            self.line += u64::try_from(newlines).unwrap_or(u64::MAX);
            self.offset = start;
        }
        self.line
    }
}

/// A CSV error without its position (the line is said separately).
fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text: save the file as UTF-8".to_owned(),
        csv::ErrorKind::Io(io) => format!("cannot read the file: {io}"),
        _ => format!("not valid CSV: {e}"),
    }
}

/// The column names in file order, or every problem with them.
fn read_header(header: &csv::ByteRecord, line: u64) -> Result<Vec<&'static str>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut columns = Vec::new();
    let all = COLUMNS.join(", ");
    for raw in header {
        let name = String::from_utf8_lossy(raw).trim().to_ascii_lowercase();
        match COLUMNS.iter().find(|c| **c == name) {
            Some(column) if columns.contains(column) => {
                errors.push(RowError::new(line, format!("the column {name:?} appears twice in the first line")));
            }
            Some(column) => columns.push(*column),
            None if name.is_empty() => errors.push(RowError::new(
                line,
                format!("the first line has an empty column name: it must name the columns ({all})"),
            )),
            None => errors.push(RowError::new(
                line,
                format!("unknown column {name:?} in the first line: the columns are {all} (in any order)"),
            )),
        }
    }
    for required in REQUIRED {
        if !columns.contains(&required) {
            errors.push(RowError::new(line, format!("the first line lacks the required column {required:?}")));
        }
    }
    if errors.is_empty() { Ok(columns) } else { Err(errors) }
}

/// One row, or every reason it is wrong.
fn read_row(
    line: u64,
    fields: &HashMap<&'static str, &str>,
    router_exists: &dyn Fn(&str) -> bool,
    plan_exists: &dyn Fn(&str) -> bool,
) -> Result<ImportRow, Vec<String>> {
    let get = |name: &str| fields.get(name).map_or("", |v| v.trim());
    let mut reasons = Vec::new();

    let customer = get("customer");
    if customer.is_empty() {
        reasons.push("the customer's name is missing".to_owned());
    }
    let router = get("router");
    if router.is_empty() {
        reasons.push("the router is missing".to_owned());
    } else if !router_exists(router) {
        reasons.push(format!("unknown router {router:?}"));
    }
    let plan = get("plan");
    if plan.is_empty() {
        reasons.push("the plan is missing".to_owned());
    } else if !plan_exists(plan) {
        reasons.push(format!("unknown plan {plan:?}"));
    }

    let username = get("username");
    // Passwords are taken as written: spaces may be part of them.
    let password = fields.get("password").copied().unwrap_or("");
    let ip = get("ip");
    let kind = get("type").to_ascii_lowercase();
    let mut access = None;
    let mut pppoe_password = None;
    match kind.as_str() {
        "pppoe" => {
            if username.is_empty() {
                reasons.push("missing username for a pppoe service".to_owned());
            } else if let Err(e) = validate_username(username) {
                reasons.push(format!("bad username {username:?}: {e}"));
            }
            if password.is_empty() {
                reasons.push("missing password for a pppoe service".to_owned());
            } else if let Err(e) = validate_password(password) {
                reasons.push(format!("bad password: {e}"));
            }
            if !ip.is_empty() {
                reasons.push(
                    "an ip is only for static services (a pppoe service gets its address from the router)".to_owned(),
                );
            }
            access = Some(Access::Pppoe { username: username.to_owned(), address: None });
            pppoe_password = Some(Password::new(password));
        }
        "static" => {
            if ip.is_empty() {
                reasons.push("missing ip for a static service".to_owned());
            } else {
                match IpAddr::from_str(ip) {
                    Ok(address) => access = Some(Access::StaticIp { address }),
                    Err(_) => reasons.push(format!("bad IP address {ip:?}: write it like 100.64.0.10 or 2001:db8::10")),
                }
            }
            if !username.is_empty() || !password.is_empty() {
                reasons.push("a static service takes no username or password".to_owned());
            }
        }
        "" => reasons.push("the type is missing: use pppoe or static".to_owned()),
        _ => reasons.push(format!("bad type {:?}: use pppoe or static", get("type"))),
    }

    let status = match get("status") {
        "" => Some(ServiceStatus::Active),
        text => match ServiceStatus::from_str(&text.to_ascii_lowercase()) {
            Ok(status) => Some(status),
            Err(_) => {
                reasons.push(format!(
                    "bad status {text:?}: use pending, active, suspended, inactive or terminated (empty means active)"
                ));
                None
            }
        },
    };

    let due = match get("next_billing_date") {
        "" => Some(None),
        text => match parse_iso_date(text) {
            Some(date) => Some(Some(date)),
            None => {
                reasons.push(format!(
                    "bad date {text:?}: write dates as YYYY-MM-DD (ISO 8601), such as 2026-12-05; no other format is accepted"
                ));
                None
            }
        },
    };

    let location = match (get("latitude"), get("longitude")) {
        ("", "") => Some(None),
        (lat, lon) if lat.is_empty() || lon.is_empty() => {
            reasons.push("give both latitude and longitude, or neither".to_owned());
            None
        }
        (lat, lon) => match format!("{lat},{lon}").parse::<GeoPoint>() {
            Ok(point) => Some(Some(point)),
            Err(e) => {
                reasons.push(format!("bad location {lat:?}, {lon:?}: {e}"));
                None
            }
        },
    };

    match (access, status, due, location) {
        (Some(access), Some(status), Some(next_billing_date), Some(location)) if reasons.is_empty() => Ok(ImportRow {
            line,
            customer: customer.to_owned(),
            phone: Some(get("phone")).filter(|p| !p.is_empty()).map(str::to_owned),
            address: Some(get("address")).filter(|a| !a.is_empty()).map(str::to_owned),
            location,
            router: router.to_owned(),
            plan: plan.to_owned(),
            access,
            password: pppoe_password,
            status,
            next_billing_date,
        }),
        _ => Err(reasons),
    }
}

/// Exactly `YYYY-MM-DD`, and a real day.
pub fn parse_iso_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if !shape {
        return None;
    }
    Date::from_str(text).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    const HEADER: &str = "customer,phone,router,plan,type,username,password,ip,status,next_billing_date\n";

    fn parse(text: &str) -> ParsedImport {
        parse_services(text.as_bytes())
    }

    fn reasons(p: &ParsedImport) -> Vec<String> {
        p.errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_good_file_reads_every_row() {
        let p = parse(&format!(
            "{HEADER}Ana Silva,+55 11 9999,core-1,Home 20,pppoe,ana, pass word ,,active,2026-12-05\n\
             Bob,,core-1,Home 20,STATIC,,,100.64.0.9,,\n\
             \"Carla, Jr\",,core-2,Home 20,pppoe,ana,pw,,Suspended,\n"
        ));
        assert_eq!(p.errors, []);
        assert_eq!(p.rows.len(), 3);
        let ana = &p.rows[0];
        assert_eq!(ana.line, 2);
        assert_eq!(ana.customer, "Ana Silva");
        assert_eq!(ana.phone.as_deref(), Some("+55 11 9999"));
        assert_eq!(ana.access, Access::Pppoe { username: "ana".into(), address: None });
        assert_eq!(ana.password.as_ref().map(Password::expose), Some(" pass word "));
        assert_eq!(ana.next_billing_date, Some(date(2026, 12, 5)));
        assert!(!format!("{ana:?}").contains("pass word"));
        let bob = &p.rows[1];
        assert_eq!(bob.access, Access::StaticIp { address: "100.64.0.9".parse().unwrap() });
        assert_eq!((bob.status, bob.phone.as_deref(), bob.password.as_ref()), (ServiceStatus::Active, None, None));
        assert_eq!(p.rows[2].customer, "Carla, Jr");
        assert_eq!(p.rows[2].status, ServiceStatus::Suspended);
    }

    #[test]
    fn addresses_and_locations() {
        let p = parse(
            "customer,router,plan,type,ip,address,latitude,longitude\n\
             Ana,core-1,Home 20,static,100.64.0.9,\"12 Moi Ave, Nairobi\",-1.2841,36.8233\n\
             Bob,core-1,Home 20,static,100.64.0.10,,,\n\
             Carla,core-1,Home 20,static,100.64.0.11,,-1.28,\n\
             Dan,core-1,Home 20,static,100.64.0.12,,95,36.8\n",
        );
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].address.as_deref(), Some("12 Moi Ave, Nairobi"));
        assert_eq!(p.rows[0].location, Some(GeoPoint::new(-1.2841, 36.8233).unwrap()));
        assert_eq!((p.rows[1].address.as_deref(), p.rows[1].location), (None, None));
        assert_eq!(
            reasons(&p),
            [
                "line 4: give both latitude and longitude, or neither",
                "line 5: bad location \"95\", \"36.8\": latitude 95 is outside -90..90"
            ]
        );
    }

    #[test]
    fn bom_semicolons_and_any_column_order() {
        let p = parse(
            "\u{feff}type;router;plan;customer;ip\r\nstatic;core-1;Basic;Dan;10.0.0.1\r\n\r\nstatic;r;p;Eve;10.0.0.2\r\nstatic;r;p;\"F\r\nG\";10.0.0.3\r\nx\r\n",
        );
        assert_eq!(reasons(&p), ["line 7: expected 5 fields like the first line, found 1"]);
        assert_eq!(
            p.rows.iter().map(|r| (r.line, r.customer.as_str())).collect::<Vec<_>>(),
            [(2, "Dan"), (4, "Eve"), (5, "F\r\nG")]
        );
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line() {
        let p = parse(&format!(
            "{HEADER}\
             A,,r,p,dhcp,,,,,\n\
             B,,r,p,pppoe,,pw,,,\n\
             C,,r,p,static,,,10.0.0.300,,\n\
             D,,r,p,static,,,10.0.0.4,paid,\n\
             E,,r,p,static,,,10.0.0.5,,05/12/2026\n\
             F,,r,p,static,,,10.0.0.6,,2026-02-30\n\
             G,,r,p,pppoe,g,secret,,,\n\
             H,,r,p,pppoe,g,secret2,,,\n\
             I,,r,p\n\
             ,,,,pppoe,i,,,,\n"
        ));
        assert_eq!(
            reasons(&p),
            [
                "line 2: bad type \"dhcp\": use pppoe or static",
                "line 3: missing username for a pppoe service",
                "line 4: bad IP address \"10.0.0.300\": write it like 100.64.0.10 or 2001:db8::10",
                "line 5: bad status \"paid\": use pending, active, suspended, inactive or terminated (empty means active)",
                "line 6: bad date \"05/12/2026\": write dates as YYYY-MM-DD (ISO 8601), such as 2026-12-05; no other format is accepted",
                "line 7: bad date \"2026-02-30\": write dates as YYYY-MM-DD (ISO 8601), such as 2026-12-05; no other format is accepted",
                "line 9: duplicate user name \"g\" on router \"r\": already on line 8",
                "line 10: expected 10 fields like the first line, found 4",
                "line 11: the customer's name is missing",
                "line 11: the router is missing",
                "line 11: the plan is missing",
                "line 11: missing password for a pppoe service",
            ]
        );
        assert_eq!(p.rows.len(), 1);
        assert!(!reasons(&p).iter().any(|r| r.contains("secret")), "no password in a message");
    }

    #[test]
    fn the_header_is_checked() {
        let p = parse("customer,router,plan,type,email\n");
        assert_eq!(
            reasons(&p),
            ["line 1: unknown column \"email\" in the first line: the columns are customer, phone, router, \
              plan, type, username, password, ip, status, next_billing_date, address, latitude, longitude (in any order)"]
        );
        let p = parse("Ana,core-1,Home,pppoe\n");
        assert_eq!(p.errors.len(), 8, "{:?}", reasons(&p));
        let p = parse("customer,router,plan,plan\n");
        assert_eq!(
            reasons(&p),
            [
                "line 1: the column \"plan\" appears twice in the first line",
                "line 1: the first line lacks the required column \"type\""
            ]
        );
        assert_eq!(
            reasons(&parse("")),
            [
                "line 1: the file is empty: its first line must name the columns (customer,phone,router,plan,type,username,password,ip,status,next_billing_date,address,latitude,longitude)"
            ]
        );
    }

    #[test]
    fn same_user_on_two_routers_and_same_address_on_one() {
        let p = parse(&format!(
            "{HEADER}A,,r1,p,pppoe,u,pw,,,\nB,,r2,p,pppoe,u,pw,,,\nC,,r1,p,static,,,10.0.0.1,,\nD,,r1,p,static,,,10.0.0.1,,\n"
        ));
        assert_eq!(reasons(&p), ["line 5: duplicate address 10.0.0.1 on router \"r1\": already on line 4"]);
        assert_eq!(p.rows.len(), 3);
    }

    #[test]
    fn bad_bytes_and_blank_lines() {
        let mut bytes = HEADER.as_bytes().to_vec();
        bytes.extend_from_slice(b"Jos\xe9,,r,p,static,,,10.0.0.1,,\n\n   \nOk,,r,p,static,,,10.0.0.2,,\n");
        let p = parse_services(&bytes);
        assert_eq!(reasons(&p), ["line 2: not UTF-8 text: save the file as UTF-8"]);
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].line, 5);
    }

    #[test]
    fn unknown_routers_and_plans_are_said_with_the_other_problems() {
        let text = format!("{HEADER}A,,core-9,Gold,pppoe,a,,,,\nB,,core-1,Home,pppoe,b,pw,,,\n");
        let p = parse_services_with(text.as_bytes(), &|r| r == "core-1", &|p| p == "Home");
        assert_eq!(
            reasons(&p),
            [
                "line 2: unknown router \"core-9\"",
                "line 2: unknown plan \"Gold\"",
                "line 2: missing password for a pppoe service"
            ]
        );
        assert_eq!(p.rows.len(), 1);
    }

    #[test]
    fn iso_dates_only() {
        assert_eq!(parse_iso_date("2026-12-05"), Some(date(2026, 12, 5)));
        for bad in ["20261205", "2026-12-5", "2026/12/05", "2026-12-05T00:00", "+02026-12-05", "2026-13-01", ""] {
            assert_eq!(parse_iso_date(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = parse_services(&bytes);
        }

        #[test]
        fn never_panics_on_csv_like_text(
            body in "[a-z0-9,;\"\\n\\r \u{feff}é.:/-]{0,300}",
            header_first in proptest::bool::ANY,
        ) {
            let text = if header_first { format!("{HEADER}{body}") } else { body };
            let p = parse_services(text.as_bytes());
            for e in &p.errors {
                proptest::prop_assert!(!e.reason.is_empty());
            }
        }
    }
}
