//! The ISP's billing settings and logo.

use headend_core::activity::{Actor, Subject};
use headend_core::billing::settings::BillingSettings;

use crate::{WorkflowError, Workflows};

/// The largest logo accepted: it is printed a few centimetres wide.
pub const LOGO_MAX_BYTES: usize = 1024 * 1024;

impl Workflows {
    pub async fn billing_settings(&self) -> Result<BillingSettings, WorkflowError> {
        Ok(self.store.billing_settings().await?)
    }

    /// Saves the settings after checking every bound (the error names the
    /// setting).
    pub async fn set_billing_settings(
        &self,
        actor: &Actor,
        settings: BillingSettings,
    ) -> Result<BillingSettings, WorkflowError> {
        settings.validate().map_err(|e| WorkflowError::invalid(e.setting, e.message))?;
        let before = self.store.billing_settings().await?;
        self.store.set_billing_settings(&settings).await?;
        if before != settings {
            let detail = format!(
                "currency {}, tax {}% {:?}, prefixes {}/{}/{}, lead {} days, {}",
                settings.currency,
                settings.tax_rate,
                settings.tax_mode,
                settings.invoice_prefix,
                settings.credit_note_prefix,
                settings.receipt_prefix,
                settings.lead_days,
                settings.timing.as_str()
            );
            self.log(actor, Subject::Policy, "billing settings changed", detail).await;
        }
        Ok(settings)
    }

    /// Sets (or with `None` removes) the logo printed on documents: a PNG
    /// or JPEG file of at most [`LOGO_MAX_BYTES`].
    pub async fn set_company_logo(&self, actor: &Actor, bytes: Option<Vec<u8>>) -> Result<(), WorkflowError> {
        if let Some(b) = &bytes {
            let png = b.starts_with(b"\x89PNG\r\n\x1a\n");
            let jpeg = b.starts_with(&[0xFF, 0xD8, 0xFF]);
            if !png && !jpeg {
                return Err(WorkflowError::invalid("logo", "the logo must be a PNG or JPEG image"));
            }
            if b.len() > LOGO_MAX_BYTES {
                return Err(WorkflowError::invalid(
                    "logo",
                    format!(
                        "the logo is {} KiB; the largest accepted is {} KiB",
                        b.len() / 1024,
                        LOGO_MAX_BYTES / 1024
                    ),
                ));
            }
        }
        self.store.set_company_logo(bytes.as_deref()).await?;
        let what = bytes.map_or_else(|| "removed".to_owned(), |b| format!("{} bytes", b.len()));
        self.log(actor, Subject::Policy, "logo changed", what).await;
        Ok(())
    }
}
