//! The revenue report and the overdue customers.

use headend_store::{OverdueCustomer, RevenueReport};
use jiff::civil::Date;

use crate::{WorkflowError, Workflows};

impl Workflows {
    /// The revenue report for the month `month` falls in (this month by
    /// default), as of the ISP's today.
    pub async fn revenue(&self, month: Option<Date>) -> Result<RevenueReport, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let (_, today) = self.today().await?;
        Ok(self.store.revenue(month.unwrap_or(today), today, &settings.currency).await?)
    }

    /// Customers with overdue invoices, most owed first.
    pub async fn overdue_customers(&self) -> Result<Vec<OverdueCustomer>, WorkflowError> {
        let settings = self.store.billing_settings().await?;
        let (_, today) = self.today().await?;
        Ok(self.store.overdue_customers(today, &settings.currency).await?)
    }
}
