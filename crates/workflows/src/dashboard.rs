//! The dashboard's figures of the day that need rules: who was cut off
//! for not paying today (the ISP's time zone and grace decide), who was
//! suspended by hand, what was collected, and how many were online hour by
//! hour over the last day. Router, OLT and queue health come from the
//! engines and the store directly.

use headend_core::ServiceId;
use headend_core::billing::money::Currency;
use headend_core::sessions::{day_start, online_by_hour};
use jiff::SignedDuration;
use rust_decimal::Decimal;

use crate::{WorkflowError, Workflows};

/// Hours in the "online" chart.
pub const ONLINE_HOURS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFigures {
    pub went_off: WentOffToday,
    pub payments: u32,
    pub collected: Decimal,
    pub currency: Currency,
    /// Services online at some moment of each of the last hours, oldest first.
    pub online_by_hour: Vec<u32>,
}

/// The services that went off today (local time), by why.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WentOffToday {
    /// Active services whose grace ended today: their routers cut them off.
    pub cut_off: Vec<ServiceId>,
    /// Services an operator suspended today.
    pub suspended_by_hand: Vec<ServiceId>,
}

impl WentOffToday {
    /// Both lists in one, in id order: the Customers list's "went off today".
    pub fn all(&self) -> Vec<ServiceId> {
        let mut all: Vec<ServiceId> = self.cut_off.iter().chain(&self.suspended_by_hand).copied().collect();
        all.sort_unstable();
        all.dedup();
        all
    }
}

impl Workflows {
    /// Who went off today: the dashboard's figure and the list it opens
    /// come from this one rule.
    pub async fn went_off_today(&self) -> Result<WentOffToday, WorkflowError> {
        let (policy, today) = self.today().await?;
        let now = self.now();
        let since_midnight = day_start(today, &policy.time_zone).unwrap_or(now);
        let services = self.store.all_services().await?;
        Ok(WentOffToday {
            cut_off: services.iter().filter(|s| policy.cut_off_today(s, now)).map(|s| s.id).collect(),
            suspended_by_hand: self.store.suspended_by_hand_since(since_midnight).await?,
        })
    }

    pub async fn day_figures(&self) -> Result<DayFigures, WorkflowError> {
        let (_, today) = self.today().await?;
        let now = self.now();
        let went_off = self.went_off_today().await?;
        let currency = self.store.billing_settings().await?.currency;
        let payments = self.store.payments_on(today, &currency).await?;
        let spans = self.store.sessions_since(now - SignedDuration::from_hours(i64::from(ONLINE_HOURS))).await?;
        Ok(DayFigures {
            went_off,
            payments: payments.count,
            collected: Decimal::new(payments.total_minor, currency.minor_digits()),
            currency,
            online_by_hour: online_by_hour(&spans, now, ONLINE_HOURS),
        })
    }
}
