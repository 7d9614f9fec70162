//! The ISP's billing settings (rows of `isp_settings` under `billing.`)
//! and its logo.

use std::collections::HashMap;

use headend_core::billing::money::Currency;
use headend_core::billing::settings::BillingSettings;
use headend_core::billing::tax::TaxRate;
use sqlx::Row;

use crate::error::StoreError;
use crate::store::Store;
use crate::store::policy::setting as get;

impl Store {
    /// The billing settings; a setting never saved is its default.
    pub async fn billing_settings(&self) -> Result<BillingSettings, StoreError> {
        let rows =
            sqlx::query("SELECT key, value FROM isp_settings WHERE key LIKE 'billing.%'").fetch_all(&self.pool).await?;
        let mut values = HashMap::new();
        for row in rows {
            let key: String = row.try_get("key")?;
            values.insert(key.trim_start_matches("billing.").to_owned(), row.try_get::<String, _>("value")?);
        }
        let d = BillingSettings::default();
        Ok(BillingSettings {
            currency: get::<Currency>(&values, "currency", d.currency)?,
            tax_rate: get::<TaxRate>(&values, "tax_rate", d.tax_rate)?,
            tax_mode: get(&values, "tax_mode", d.tax_mode)?,
            tax_name: get(&values, "tax_name", d.tax_name)?,
            invoice_prefix: get(&values, "invoice_prefix", d.invoice_prefix)?,
            credit_note_prefix: get(&values, "credit_note_prefix", d.credit_note_prefix)?,
            receipt_prefix: get(&values, "receipt_prefix", d.receipt_prefix)?,
            lead_days: get(&values, "lead_days", d.lead_days)?,
            payment_terms_days: get(&values, "payment_terms_days", d.payment_terms_days)?,
            timing: get(&values, "timing", d.timing)?,
            first_invoice: get(&values, "first_invoice", d.first_invoice)?,
            invoices_while_suspended: get(&values, "invoices_while_suspended", d.invoices_while_suspended)?,
            promise_days: get(&values, "promise_days", d.promise_days)?,
            company: get(&values, "company", d.company)?,
            address: get(&values, "address", d.address)?,
            tax_id: get(&values, "tax_id", d.tax_id)?,
            payment_instructions: get(&values, "payment_instructions", d.payment_instructions)?,
            paper: get(&values, "paper", d.paper)?,
        })
    }

    /// Saves every billing setting (already validated by the caller).
    pub async fn set_billing_settings(&self, s: &BillingSettings) -> Result<(), StoreError> {
        let values = [
            ("currency", s.currency.code().to_owned()),
            ("tax_rate", s.tax_rate.to_string()),
            ("tax_mode", s.tax_mode.as_str().to_owned()),
            ("tax_name", s.tax_name.clone()),
            ("invoice_prefix", s.invoice_prefix.clone()),
            ("credit_note_prefix", s.credit_note_prefix.clone()),
            ("receipt_prefix", s.receipt_prefix.clone()),
            ("lead_days", s.lead_days.to_string()),
            ("payment_terms_days", s.payment_terms_days.to_string()),
            ("timing", s.timing.as_str().to_owned()),
            ("first_invoice", s.first_invoice.to_string()),
            ("invoices_while_suspended", s.invoices_while_suspended.to_string()),
            ("promise_days", s.promise_days.to_string()),
            ("company", s.company.clone()),
            ("address", s.address.clone()),
            ("tax_id", s.tax_id.clone()),
            ("payment_instructions", s.payment_instructions.clone()),
            ("paper", s.paper.as_str().to_owned()),
        ];
        let mut tx = self.write().await?;
        for (key, value) in values {
            sqlx::query("INSERT OR REPLACE INTO isp_settings (key, value) VALUES (?, ?)")
                .bind(format!("billing.{key}"))
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The logo printed on documents, if one was set.
    pub async fn company_logo(&self) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(sqlx::query_scalar("SELECT bytes FROM company_logo WHERE id = 1").fetch_optional(&self.pool).await?)
    }

    /// Sets (or with `None` removes) the logo.
    pub async fn set_company_logo(&self, bytes: Option<&[u8]>) -> Result<(), StoreError> {
        match bytes {
            Some(b) => {
                self.execute_write(sqlx::query("INSERT OR REPLACE INTO company_logo (id, bytes) VALUES (1, ?)").bind(b))
                    .await?
            }
            None => self.execute_write(sqlx::query("DELETE FROM company_logo")).await?,
        };
        Ok(())
    }
}
