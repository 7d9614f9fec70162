//! The dashboard's figures of the day that need rules: who was cut off
//! for not paying today (the ISP's time zone and grace decide), who was
//! suspended by hand, what was collected, and how many were online hour by
//! hour over the last day. Router, OLT and queue health come from the
//! engines and the store directly.

use headend_core::billing::money::Currency;
use headend_core::sessions::{day_start, online_by_hour};
use jiff::SignedDuration;
use rust_decimal::Decimal;

use crate::{WorkflowError, Workflows};

/// Hours in the "online" chart.
pub const ONLINE_HOURS: u32 = 24;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayFigures {
    /// Active services whose grace ended today: the routers cut them off.
    pub cut_off_today: u32,
    /// Services an operator suspended today.
    pub suspended_by_hand: u32,
    pub payments: u32,
    pub collected: Decimal,
    pub currency: Currency,
    /// Services online at some moment of each of the last hours, oldest first.
    pub online_by_hour: Vec<u32>,
}

impl Workflows {
    pub async fn day_figures(&self) -> Result<DayFigures, WorkflowError> {
        let (policy, today) = self.today().await?;
        let now = self.now();
        let services = self.store.all_services().await?;
        let cut_off_today = services.iter().filter(|s| policy.cut_off_today(s, now)).count();
        let since_midnight = day_start(today, &policy.time_zone).unwrap_or(now);
        let currency = self.store.billing_settings().await?.currency;
        let payments = self.store.payments_on(today, &currency).await?;
        let spans = self.store.sessions_since(now - SignedDuration::from_hours(i64::from(ONLINE_HOURS))).await?;
        Ok(DayFigures {
            cut_off_today: u32::try_from(cut_off_today).unwrap_or(u32::MAX),
            suspended_by_hand: self.store.suspended_by_hand_since(since_midnight).await?,
            payments: payments.count,
            collected: Decimal::new(payments.total_minor, currency.minor_digits()),
            currency,
            online_by_hour: online_by_hour(&spans, now, ONLINE_HOURS),
        })
    }
}
