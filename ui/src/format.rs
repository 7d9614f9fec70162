//! Numbers as an operator reads them.

/// `3d 4h`, `5h 12m`, `7m 3s`, `42s`.
pub fn duration(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Bits per second in decimal units: `0`, `850 kb/s`, `12.4 Mb/s`.
pub fn rate(bps: u64) -> String {
    match bps {
        0 => "0".to_owned(),
        b if b < 1_000 => format!("{b} b/s"),
        b if b < 1_000_000 => format!("{:.0} kb/s", b as f64 / 1e3),
        b if b < 1_000_000_000 => format!("{:.1} Mb/s", b as f64 / 1e6),
        b => format!("{:.2} Gb/s", b as f64 / 1e9),
    }
}

/// Bytes in binary units, with a tenth below ten: `512 MiB`, `1.2 GiB`,
/// `2 GiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let tenths = format!("{value:.1}");
    match tenths.strip_suffix(".0") {
        _ if unit == 0 => format!("{n} B"),
        Some(whole) if value < 10.0 => format!("{whole} {}", UNITS[unit]),
        None if value < 10.0 => format!("{tenths} {}", UNITS[unit]),
        _ => format!("{value:.0} {}", UNITS[unit]),
    }
}

/// Thousands separated by a thin space: `20 000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// An RFC 3339 instant in the operator's local time, `YYYY-MM-DD HH:MM:SS`.
pub fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&rfc3339.into());
    if date.get_time().is_nan() {
        return rfc3339.to_owned();
    }
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes(),
        date.get_seconds()
    )
}

/// How long ago (or until) an RFC 3339 instant is: `3 min ago`, `in 12 s`.
pub fn relative(rfc3339: &str) -> String {
    let then = js_sys::Date::new(&rfc3339.into()).get_time();
    if then.is_nan() {
        return rfc3339.to_owned();
    }
    let secs = ((then - js_sys::Date::now()) / 1000.0).round() as i64;
    let span = duration(secs.unsigned_abs());
    match secs {
        -1..=1 => "now".to_owned(),
        s if s < 0 => format!("{span} ago"),
        _ => format!("in {span}"),
    }
}

/// Today's local date plus `months` calendar months, `YYYY-MM-DD` (a
/// day past the month's end moves to its last day).
pub fn date_in_months(months: u32) -> String {
    let now = js_sys::Date::new_0();
    let total = now.get_month() + months;
    let (year, month) = (now.get_full_year() + total / 12, total % 12);
    // Day 0 of the next month is the last day of this one.
    let last = js_sys::Date::new_with_year_month_day(year, (month + 1) as i32, 0).get_date();
    format!("{year:04}-{:02}-{:02}", month + 1, now.get_date().min(last))
}

/// "s" unless `n` is one: "1 service", "2 services".
pub fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
