//! How a customer is written to: their address, phone, channel, language
//! and opt-outs (`headend customer set`, the customer page).

use headend_core::CustomerId;
use headend_core::activity::{Actor, Subject};
use headend_core::messages::{Channel, Language, phone};
use headend_store::{ContactPrefs, NewCustomer};

use crate::{WorkflowError, Workflows};

/// What to change; `None` keeps the field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactInput {
    /// `Some("")` removes the address.
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `Some(None)`: no preference.
    pub preferred: Option<Option<Channel>>,
    pub language: Option<Option<Language>>,
    pub opt_out: Vec<Channel>,
    pub opt_in: Vec<Channel>,
}

impl Workflows {
    /// Changes how `customer` is written to. A phone is kept as typed but
    /// must be a number in the ISP's default country or international.
    pub async fn set_customer_contact(
        &self,
        actor: &Actor,
        customer: CustomerId,
        input: &ContactInput,
    ) -> Result<ContactPrefs, WorkflowError> {
        let current = self.store.customer(customer).await?.ok_or_else(|| {
            WorkflowError::NotFound(format!("no customer with id {customer}; `headend customer list` shows them"))
        })?;
        let contact = self.store.contacts(&[customer]).await?.into_iter().next();
        let mut prefs = contact.map(|c| c.prefs).unwrap_or_default();
        let clean = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        let email = match &input.email {
            None => current.email.clone(),
            Some(e) => clean(e),
        };
        if let Some(e) = &email
            && (!e.contains('@') || e.contains(char::is_whitespace))
        {
            return Err(WorkflowError::invalid("email", format!("{e:?} is not an e-mail address")));
        }
        let phone_number = match &input.phone {
            None => current.phone.clone(),
            Some(p) => clean(p),
        };
        if let Some(p) = &phone_number
            && input.phone.is_some()
        {
            let country = self.store.message_settings().await?.default_country;
            phone::normalize(p, country).map_err(|e| WorkflowError::invalid("phone", e.to_string()))?;
        }
        if let Some(preferred) = input.preferred {
            prefs.preferred = preferred;
        }
        if let Some(language) = &input.language {
            prefs.language = language.clone();
        }
        prefs.opted_out.retain(|c| !input.opt_in.contains(c));
        for c in &input.opt_out {
            if !prefs.opted_out.contains(c) {
                prefs.opted_out.push(*c);
            }
        }
        prefs.opted_out.sort_unstable();
        let new = NewCustomer {
            name: current.name.clone(),
            phone: phone_number,
            email,
            address: current.address.clone(),
            location: current.location,
        };
        let mut write = self.store.begin_write().await?;
        write.update_customer(customer, &new).await?;
        write.set_contact_prefs(customer, &prefs).await?;
        let opted: Vec<&str> = prefs.opted_out.iter().map(|c| c.as_str()).collect();
        let detail = format!(
            "channel {}, language {}, opted out of {}",
            prefs.preferred.map_or("any", Channel::as_str),
            prefs.language.as_ref().map_or("the ISP's", Language::as_str),
            if opted.is_empty() { "nothing".to_owned() } else { opted.join(", ") }
        );
        write.log_activity(&self.entry(actor, Subject::Customer(customer), "contact changed", detail)).await?;
        write.commit().await?;
        Ok(prefs)
    }
}
