//! Daily backups of the database: what the file of a day is called, and
//! which files a day's run makes and prunes. Pure: the day is passed in.

use jiff::ToSpan;
use jiff::civil::Date;

/// How many days of daily backups are kept unless the operator says
/// otherwise.
pub const DEFAULT_KEEP_DAYS: u16 = 14;
/// The most days of daily backups that can be kept (ten years).
pub const MAX_KEEP_DAYS: u16 = 3650;

const PREFIX: &str = "headend-";
const SUFFIX: &str = ".sqlite3";

/// The name of the daily backup made on `day`: `headend-YYYY-MM-DD.sqlite3`.
pub fn daily_file_name(day: Date) -> String {
    format!("{PREFIX}{day}{SUFFIX}")
}

/// The day of a daily backup's file name; `None` for any other name (a
/// backup made by hand, a file the operator put there), which is never
/// pruned.
pub fn daily_file_day(name: &str) -> Option<Date> {
    let day = name.strip_prefix(PREFIX)?.strip_suffix(SUFFIX)?;
    // Exactly YYYY-MM-DD: jiff also reads longer forms.
    (day.len() == 10).then(|| day.parse().ok()).flatten()
}

/// What one day's run does in the backups folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRun {
    /// The file to make, if today's is not there yet.
    pub make: Option<String>,
    /// The daily files older than the days kept, oldest first.
    pub prune: Vec<String>,
}

/// The run on `today`, keeping `keep_days` days (today's and the ones
/// before it; 0 turns daily backups off and prunes nothing), given the
/// names in the folder.
pub fn daily_run(today: Date, keep_days: u16, existing: &[String]) -> DailyRun {
    if keep_days == 0 {
        return DailyRun { make: None, prune: Vec::new() };
    }
    let today_name = daily_file_name(today);
    let make = (!existing.contains(&today_name)).then_some(today_name);
    let oldest_kept = today.checked_sub(i64::from(keep_days - 1).days()).unwrap_or(Date::MIN);
    let mut prune: Vec<(Date, String)> = existing
        .iter()
        .filter_map(|name| daily_file_day(name).map(|day| (day, name.clone())))
        .filter(|(day, _)| *day < oldest_kept)
        .collect();
    prune.sort();
    DailyRun { make, prune: prune.into_iter().map(|(_, name)| name).collect() }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn names(days: &[Date]) -> Vec<String> {
        days.iter().map(|d| daily_file_name(*d)).collect()
    }

    #[test]
    fn names_carry_the_day_and_only_daily_names_are_read_back() {
        assert_eq!(daily_file_name(date(2026, 3, 9)), "headend-2026-03-09.sqlite3");
        assert_eq!(daily_file_day("headend-2026-03-09.sqlite3"), Some(date(2026, 3, 9)));
        for other in ["headend-2026-03-09T101112.sqlite3", "headend.sqlite3", "headend-2026-02-30.sqlite3", "x.sqlite3"]
        {
            assert_eq!(daily_file_day(other), None, "{other}");
        }
    }

    #[test]
    fn a_day_makes_its_file_once_and_prunes_past_the_days_kept() {
        let today = date(2026, 3, 9);
        let mut existing = names(&[date(2026, 2, 20), date(2026, 2, 24), date(2026, 2, 25), date(2026, 3, 8)]);
        existing.push("headend-2026-01-01T090000.sqlite3".into());
        existing.push("notes.txt".into());

        let run = daily_run(today, 14, &existing);
        assert_eq!(run.make.as_deref(), Some("headend-2026-03-09.sqlite3"));
        // Kept: 2026-02-24 to 2026-03-09, fourteen days.
        assert_eq!(run.prune, names(&[date(2026, 2, 20)]));

        existing.push(daily_file_name(today));
        assert_eq!(daily_run(today, 14, &existing).make, None, "once a day");
        assert_eq!(
            daily_run(today, 1, &existing).prune,
            names(&[date(2026, 2, 20), date(2026, 2, 24), date(2026, 2, 25), date(2026, 3, 8)])
        );
        assert_eq!(
            daily_run(today, 0, &existing),
            DailyRun { make: None, prune: vec![] },
            "off: nothing made or removed"
        );
    }

    #[test]
    fn the_window_crosses_months_and_years() {
        let run = daily_run(date(2027, 1, 2), 3, &names(&[date(2026, 12, 30), date(2026, 12, 31), date(2027, 1, 1)]));
        assert_eq!(run.prune, names(&[date(2026, 12, 30)]));
    }
}
