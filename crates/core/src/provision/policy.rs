//! Which services must be on their router, and until when.
//!
//! A service is on its router iff its status is `active`, its credentials
//! are valid, and `next_billing_date + grace >= today` in the ISP's time
//! zone. A service past its grace is cut off without its status changing:
//! the status is the operator's decision, "overdue" is a fact of the
//! calendar, and recording a payment is enough to bring it back.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::provision::{Password, validate_password, validate_username};
use crate::service::{Access, Service, ServiceStatus};

/// What happens on the router to a service that must be off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SuspensionMode {
    /// Disable the PPP secret and kick the live session (RouterOS does not
    /// end a session when its secret is disabled). The secret keeps its
    /// password and profile, so coming back is one `enable`.
    #[default]
    Disable,
    /// Remove the secret (and kick): the router holds only paying
    /// customers.
    Remove,
    /// Keep the secret and put the customer's address in the suspended
    /// address-list, so the operator's firewall can redirect them to a
    /// payment page.
    AddressList,
}

impl SuspensionMode {
    pub const ALL: [SuspensionMode; 3] = [SuspensionMode::Disable, SuspensionMode::Remove, SuspensionMode::AddressList];

    pub fn as_str(self) -> &'static str {
        match self {
            SuspensionMode::Disable => "disable",
            SuspensionMode::Remove => "remove",
            SuspensionMode::AddressList => "address-list",
        }
    }
}

impl fmt::Display for SuspensionMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown suspension mode {0:?}: use disable, remove or address-list")]
pub struct UnknownSuspensionMode(pub String);

impl FromStr for SuspensionMode {
    type Err = UnknownSuspensionMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SuspensionMode::ALL.into_iter().find(|m| m.as_str() == s).ok_or_else(|| UnknownSuspensionMode(s.to_owned()))
    }
}

/// The ISP-wide provisioning rules.
#[derive(Debug, Clone, PartialEq)]
pub struct IspPolicy {
    /// Where "today" is decided: a service due on the 5th with no grace is
    /// cut at midnight between the 5th and the 6th, local time.
    pub time_zone: TimeZone,
    /// Days after the due date before a service is cut off, unless the
    /// service says otherwise.
    pub grace_days: u16,
    /// Default for every router; a router may override it.
    pub suspension: SuspensionMode,
    /// Give static-IP services a simple queue with the plan's rate.
    pub static_queues: bool,
    /// Attempts of a failing action before it waits for a manual retry.
    pub max_attempts: u32,
}

impl Default for IspPolicy {
    fn default() -> Self {
        Self {
            time_zone: TimeZone::UTC,
            grace_days: 3,
            suspension: SuspensionMode::Disable,
            static_queues: false,
            max_attempts: 8,
        }
    }
}

/// The longest grace an ISP or a service may give, in days: a year. Longer
/// is a typo (an extra digit), not a policy.
pub const MAX_GRACE_DAYS: u16 = 365;

/// A grace period out of bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("grace is a whole number of days from 0 to {MAX_GRACE_DAYS}, not {0}")]
pub struct GraceOutOfRange(pub u32);

/// `days` if it is a grace period Headend accepts (0 to [`MAX_GRACE_DAYS`]).
pub fn checked_grace(days: u32) -> Result<u16, GraceOutOfRange> {
    u16::try_from(days).ok().filter(|d| *d <= MAX_GRACE_DAYS).ok_or(GraceOutOfRange(days))
}

/// Attempts of a failing write before it waits for the operator: at least
/// one, and few enough that the doubling backoff still means something.
pub const MAX_ATTEMPTS: std::ops::RangeInclusive<u32> = 1..=100;

/// A service's payment standing on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// Days since the due date, when it has passed.
    pub days_overdue: Option<i64>,
    /// The due date and the grace after it have both passed.
    pub grace_ended: bool,
    /// Active and within its grace.
    pub should_be_on: bool,
}

/// Address-list names shared with the operator's firewall rules.
pub const ALLOWED_LIST: &str = "headend-allowed";
pub const SUSPENDED_LIST: &str = "headend-suspended";

impl IspPolicy {
    pub fn today(&self, now: Timestamp) -> Date {
        now.to_zoned_datetime(self.time_zone.clone()).date()
    }

    /// The last day the service is on: its due date plus its grace.
    pub fn paid_through(&self, service: &Service) -> Option<Date> {
        self.last_day_on(service.next_billing_date?, service.grace_days)
    }

    /// The last day a service due on `due` is on, with its own grace if it
    /// has one (the ISP's otherwise): what [`IspPolicy::paid_through`] says
    /// of a service, for callers holding only those two fields.
    pub fn last_day_on(&self, due: Date, own_grace: Option<u16>) -> Option<Date> {
        due.checked_add(i32::from(own_grace.unwrap_or(self.grace_days)).days()).ok()
    }

    /// The instant an active service goes off for non-payment: the start of
    /// the day after [`IspPolicy::paid_through`], local time. On a day that
    /// starts with a DST gap this is the first instant that exists.
    pub fn cutoff(&self, service: &Service) -> Option<Timestamp> {
        self.cutoff_after(self.paid_through(service)?)
    }

    /// Whether `service` went off for non-payment today (local time): it is
    /// active and its cutoff fell today, at or before `now`. The
    /// dashboard's "cut off today".
    pub fn cut_off_today(&self, service: &Service, now: Timestamp) -> bool {
        service.status == ServiceStatus::Active
            && self.cutoff(service).is_some_and(|at| at <= now && self.today(at) == self.today(now))
    }

    /// The start of the day after `paid_through`, local time.
    pub fn cutoff_after(&self, paid_through: Date) -> Option<Timestamp> {
        let day = paid_through.tomorrow().ok()?;
        day.to_zoned_datetime(self.time_zone.clone()).ok().map(|z| z.timestamp())
    }

    /// The earliest cutoff strictly after `now` among active services: the
    /// engine sweeps at that instant even if nothing else happens.
    pub fn next_cutoff<'a>(
        &self,
        services: impl IntoIterator<Item = &'a Service>,
        now: Timestamp,
    ) -> Option<Timestamp> {
        services
            .into_iter()
            .filter(|s| s.status == ServiceStatus::Active)
            .filter_map(|s| self.cutoff(s))
            .filter(|t| *t > now)
            .min()
    }

    /// How `service` stands with its payments on `today`, as the lists show
    /// it. Unlike [`IspPolicy::entitlement`] it does not know the password,
    /// so `should_be_on` assumes valid credentials.
    pub fn standing(&self, service: &Service, today: Date) -> Standing {
        let grace_ended = self.paid_through(service).is_some_and(|last| last < today);
        let days_overdue =
            service.next_billing_date.filter(|due| *due < today).map(|due| i64::from((today - due).get_days()));
        Standing { days_overdue, grace_ended, should_be_on: service.status == ServiceStatus::Active && !grace_ended }
    }

    /// Whether `service` must be on its router at `now`, and why not.
    pub fn entitlement(&self, service: &Service, password: Option<&Password>, now: Timestamp) -> Entitlement {
        let reason = match service.status {
            ServiceStatus::Active => None,
            ServiceStatus::Pending => Some(OffReason::Pending),
            ServiceStatus::Suspended => Some(OffReason::Suspended),
            ServiceStatus::Inactive => Some(OffReason::Inactive),
            ServiceStatus::Terminated => Some(OffReason::Terminated),
        };
        if let Some(reason) = reason {
            return Entitlement::Off(reason);
        }
        if let Access::Pppoe { username, .. } = &service.access {
            let valid = validate_username(username)
                .and_then(|()| validate_password(password.map(Password::expose).unwrap_or_default()));
            if let Err(e) = valid {
                return Entitlement::Off(OffReason::Credentials(e.to_string()));
            }
        }
        match self.paid_through(service) {
            Some(last) if last < self.today(now) => Entitlement::Off(OffReason::Overdue { paid_through: last }),
            _ => Entitlement::On,
        }
    }
}

/// The verdict of the policy for one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entitlement {
    On,
    Off(OffReason),
}

/// Why a service is off; written to the activity log with the action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffReason {
    Pending,
    Suspended,
    Inactive,
    Terminated,
    /// Past its due date and grace.
    Overdue {
        paid_through: Date,
    },
    /// The credentials cannot be pushed (for example no password yet).
    Credentials(String),
}

impl fmt::Display for OffReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OffReason::Pending => f.write_str("the service is pending"),
            OffReason::Suspended => f.write_str("the service is suspended"),
            OffReason::Inactive => f.write_str("the service is inactive"),
            OffReason::Terminated => f.write_str("the service is terminated"),
            OffReason::Overdue { paid_through } => write!(f, "unpaid: grace ended after {paid_through}"),
            OffReason::Credentials(why) => write!(f, "invalid credentials: {why}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;
    use crate::ids::{CustomerId, PlanId, RouterId, ServiceId};

    #[test]
    fn standing_counts_days_overdue_and_the_end_of_grace() {
        let policy = IspPolicy { grace_days: 3, ..IspPolicy::default() };
        let due = date(2026, 12, 5);
        let on = |today| policy.standing(&service(ServiceStatus::Active, Some(due), None), today);
        assert_eq!(on(date(2026, 12, 5)), Standing { days_overdue: None, grace_ended: false, should_be_on: true });
        assert_eq!(on(date(2026, 12, 8)), Standing { days_overdue: Some(3), grace_ended: false, should_be_on: true });
        assert_eq!(on(date(2026, 12, 9)), Standing { days_overdue: Some(4), grace_ended: true, should_be_on: false });
        let suspended = policy.standing(&service(ServiceStatus::Suspended, None, None), due);
        assert_eq!(suspended, Standing { days_overdue: None, grace_ended: false, should_be_on: false });
    }

    #[test]
    fn grace_is_bounded_at_a_year() {
        assert_eq!(checked_grace(0), Ok(0));
        assert_eq!(checked_grace(365), Ok(365));
        assert_eq!(checked_grace(366), Err(GraceOutOfRange(366)));
        assert_eq!(checked_grace(65_536), Err(GraceOutOfRange(65_536)));
        assert_eq!(GraceOutOfRange(400).to_string(), "grace is a whole number of days from 0 to 365, not 400");
    }

    fn service(status: ServiceStatus, due: Option<Date>, grace: Option<u16>) -> Service {
        Service {
            id: ServiceId(1),
            customer: CustomerId(1),
            router: RouterId(1),
            plan: PlanId(1),
            access: Access::Pppoe { username: "ana".into(), address: None },
            status,
            next_billing_date: due,
            grace_days: grace,
        }
    }

    fn policy(tz: &str, grace: u16) -> IspPolicy {
        IspPolicy { time_zone: TimeZone::get(tz).unwrap(), grace_days: grace, ..IspPolicy::default() }
    }

    fn at(tz: &str, y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d).at(h, min, 0, 0).in_tz(tz).unwrap().timestamp()
    }

    #[test]
    fn every_status_against_the_policy() {
        let p = policy("UTC", 0);
        let pw = Password::new("pw");
        let now = at("UTC", 2026, 11, 25, 12, 0);
        let due = Some(date(2026, 12, 1));
        let cases = [
            (ServiceStatus::Active, Entitlement::On),
            (ServiceStatus::Pending, Entitlement::Off(OffReason::Pending)),
            (ServiceStatus::Suspended, Entitlement::Off(OffReason::Suspended)),
            (ServiceStatus::Inactive, Entitlement::Off(OffReason::Inactive)),
            (ServiceStatus::Terminated, Entitlement::Off(OffReason::Terminated)),
        ];
        for (status, want) in cases {
            assert_eq!(p.entitlement(&service(status, due, None), Some(&pw), now), want, "{status}");
        }
    }

    #[test]
    fn cut_off_today_is_the_local_day_of_the_cutoff() {
        let tz = "Africa/Nairobi";
        let p = policy(tz, 2);
        // Due the 20th, two days of grace: off from the 23rd, 00:00 local.
        let s = service(ServiceStatus::Active, Some(date(2026, 11, 20)), None);
        assert!(!p.cut_off_today(&s, at(tz, 2026, 11, 22, 23, 59)), "still on");
        assert!(p.cut_off_today(&s, at(tz, 2026, 11, 23, 0, 0)));
        assert!(p.cut_off_today(&s, at(tz, 2026, 11, 23, 23, 59)));
        assert!(!p.cut_off_today(&s, at(tz, 2026, 11, 24, 0, 1)), "yesterday's");
        let suspended = Service { status: ServiceStatus::Suspended, ..s.clone() };
        assert!(!p.cut_off_today(&suspended, at(tz, 2026, 11, 23, 9, 0)), "suspended by hand, not cut off");
        assert!(!p.cut_off_today(&service(ServiceStatus::Active, None, None), at(tz, 2026, 11, 23, 9, 0)));
    }

    #[test]
    fn no_due_date_means_no_cutoff_and_no_password_means_off() {
        let p = policy("UTC", 0);
        let now = at("UTC", 2026, 11, 25, 12, 0);
        let s = service(ServiceStatus::Active, None, None);
        assert_eq!(p.entitlement(&s, Some(&Password::new("pw")), now), Entitlement::On);
        assert_eq!(p.cutoff(&s), None);
        assert!(matches!(p.entitlement(&s, None, now), Entitlement::Off(OffReason::Credentials(_))));
        let static_ip = Service { access: Access::StaticIp { address: "10.0.0.9".parse().unwrap() }, ..s };
        assert_eq!(p.entitlement(&static_ip, None, now), Entitlement::On);
    }

    #[test]
    fn due_dates_around_midnight_in_the_isp_time_zone() {
        let tz = "America/Sao_Paulo";
        let p = policy(tz, 2);
        let pw = Password::new("pw");
        let s = service(ServiceStatus::Active, Some(date(2026, 11, 20)), None);
        // Paid through the 22nd (due the 20th + 2 days of grace).
        assert_eq!(p.entitlement(&s, Some(&pw), at(tz, 2026, 11, 22, 23, 59)), Entitlement::On);
        assert_eq!(
            p.entitlement(&s, Some(&pw), at(tz, 2026, 11, 23, 0, 0)),
            Entitlement::Off(OffReason::Overdue { paid_through: date(2026, 11, 22) })
        );
        assert_eq!(p.cutoff(&s), Some(at(tz, 2026, 11, 23, 0, 0)));
        // 01:30 UTC on the 23rd is still the 22nd in São Paulo (UTC-3).
        let utc_late = "2026-11-23T01:30:00Z".parse().unwrap();
        assert_eq!(p.entitlement(&s, Some(&pw), utc_late), Entitlement::On);
        let per_service = Service { grace_days: Some(0), ..s };
        assert_eq!(p.cutoff(&per_service), Some(at(tz, 2026, 11, 21, 0, 0)));
    }

    #[test]
    fn cutoffs_are_dst_safe() {
        // Havana skips from 00:00 to 01:00 on 2026-03-08: the day starts at
        // 01:00 and the cutoff is that first instant.
        let tz = "America/Havana";
        let p = policy(tz, 0);
        let s = service(ServiceStatus::Active, Some(date(2026, 3, 7)), None);
        let cut = p.cutoff(&s).unwrap();
        assert_eq!(cut.to_zoned_datetime(TimeZone::get(tz).unwrap()).date(), date(2026, 3, 8));
        assert_eq!(cut, "2026-03-08T05:00:00Z".parse().unwrap());
        // Berlin's autumn day has 25 hours; midnight is still one instant.
        let berlin = policy("Europe/Berlin", 0);
        let s = service(ServiceStatus::Active, Some(date(2026, 10, 24)), None);
        assert_eq!(berlin.cutoff(&s), Some("2026-10-24T22:00:00Z".parse().unwrap()));
        let s = service(ServiceStatus::Active, Some(date(2026, 10, 25)), None);
        assert_eq!(berlin.cutoff(&s), Some("2026-10-25T23:00:00Z".parse().unwrap()));
    }

    #[test]
    fn next_cutoff_is_the_earliest_future_one_of_active_services() {
        let p = policy("UTC", 0);
        let now = at("UTC", 2026, 11, 25, 12, 0);
        let services = [
            service(ServiceStatus::Active, Some(date(2026, 11, 20)), None),
            service(ServiceStatus::Active, Some(date(2026, 11, 28)), None),
            service(ServiceStatus::Active, Some(date(2026, 11, 26)), None),
            service(ServiceStatus::Suspended, Some(date(2026, 11, 25)), None),
        ];
        assert_eq!(p.next_cutoff(&services, now), Some(at("UTC", 2026, 11, 27, 0, 0)));
    }

    #[test]
    fn suspension_modes_round_trip() {
        for m in SuspensionMode::ALL {
            assert_eq!(m.as_str().parse(), Ok(m));
        }
        assert!("kick".parse::<SuspensionMode>().is_err());
    }
}
