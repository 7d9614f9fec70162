//! A unit of work: several writes that stand or fall together, for the
//! application layer's workflows (a service with its new customer and the
//! activity entry that says so). Nothing is visible to another connection
//! until [`Write::commit`]; dropping a `Write` rolls it back.

use headend_core::activity::ActivityEntry;
use headend_core::service::ServiceStatus;
use headend_core::{CustomerId, ServiceId};
use jiff::Timestamp;
use jiff::civil::Date;

use super::activity::insert_activity;
use super::customers::{find_customer, insert_customer, update_customer_row};
use super::services::{insert_service, set_due_row, set_status_row, update_service_row};
use super::{Store, WriteTx, sweep_router};
use crate::error::StoreError;
use crate::records::{NewCustomer, NewService};

/// An open write transaction (`BEGIN IMMEDIATE`, like every store write).
pub struct Write {
    pub(super) tx: WriteTx,
    /// The unit's instant, from the store's clock: every row it writes
    /// carries the same one.
    pub(super) now: Timestamp,
}

impl Store {
    /// Starts a unit of work.
    pub async fn begin_write(&self) -> Result<Write, StoreError> {
        Ok(Write { tx: self.write().await?, now: self.now() })
    }
}

impl Write {
    /// [`Store::customer_by_name_and_phone`], seeing this unit's writes.
    pub async fn customer_by_name_and_phone(
        &mut self,
        name: &str,
        phone: Option<&str>,
    ) -> Result<Option<CustomerId>, StoreError> {
        find_customer(&mut self.tx, name, phone).await
    }

    pub async fn add_customer(&mut self, new: &NewCustomer) -> Result<CustomerId, StoreError> {
        insert_customer(&mut self.tx, new, self.now).await
    }

    pub async fn update_customer(&mut self, id: CustomerId, new: &NewCustomer) -> Result<(), StoreError> {
        update_customer_row(&mut self.tx, id, new).await
    }

    /// [`Store::add_service`]: with the sweep request for its router.
    pub async fn add_service(&mut self, new: &NewService) -> Result<ServiceId, StoreError> {
        let id = insert_service(&mut self.tx, new, self.now).await?;
        sweep_router(&mut self.tx, new.router, self.now).await?;
        Ok(id)
    }

    /// [`Store::update_service`]: with the sweep requests for its routers.
    pub async fn update_service(&mut self, id: ServiceId, new: &NewService) -> Result<(), StoreError> {
        update_service_row(&mut self.tx, id, new, self.now).await
    }

    /// [`Store::set_service_status`], with the sweep request.
    pub async fn set_service_status(&mut self, id: ServiceId, status: ServiceStatus) -> Result<(), StoreError> {
        set_status_row(&mut self.tx, id, status, self.now).await
    }

    /// [`Store::set_service_due`], with the sweep request.
    pub async fn set_service_due(&mut self, id: ServiceId, due: Option<Date>) -> Result<(), StoreError> {
        set_due_row(&mut self.tx, id, due, self.now).await
    }

    pub async fn log_activity(&mut self, entry: &ActivityEntry) -> Result<(), StoreError> {
        insert_activity(&mut self.tx, entry).await
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        Ok(self.tx.commit().await?)
    }
}
