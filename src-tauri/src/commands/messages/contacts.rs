//! How a customer is written to: address, phone, preferred channel,
//! language and opt-outs (the customer page's Messages card).

use headend_core::CustomerId;
use headend_core::activity::Actor;
use headend_core::messages::Channel;
use headend_ipc::ErrorCode;
use headend_ipc::messages::{ContactDto, ContactForm};
use headend_store::Contact;
use headend_workflows::messages::ContactInput;
use tauri::State;

use super::{channel, language};
use crate::commands::{Answer, db, error, workflow_error};
use crate::state::AppState;

fn dto(c: &Contact) -> ContactDto {
    ContactDto {
        customer_id: c.customer.0,
        name: c.name.clone(),
        email: c.email.clone().unwrap_or_default(),
        phone: c.phone.clone().unwrap_or_default(),
        preferred: c.prefs.preferred.map(|p| p.as_str().to_owned()).unwrap_or_default(),
        language: c.prefs.language.as_ref().map(|l| l.as_str().to_owned()).unwrap_or_default(),
        opted_out: c.prefs.opted_out.iter().map(|c| c.as_str().to_owned()).collect(),
    }
}

async fn contact(state: &AppState, id: CustomerId) -> Answer<ContactDto> {
    let contacts = state.store.contacts(&[id]).await.map_err(db)?;
    contacts.first().map(dto).ok_or_else(|| error(ErrorCode::NotFound, format!("No customer with id {id}.")))
}

#[tauri::command]
pub async fn get_customer_contact(state: State<'_, AppState>, id: i64) -> Answer<ContactDto> {
    contact(&state, CustomerId(id)).await
}

/// Saves the form. A phone left as it was is not checked again, so a
/// number stored before messages existed does not block the other fields.
#[tauri::command]
pub async fn save_customer_contact(state: State<'_, AppState>, form: ContactForm) -> Answer<ContactDto> {
    let id = CustomerId(form.customer_id);
    let current = contact(&state, id).await?;
    let preferred = match form.preferred.trim() {
        "" => None,
        p => Some(channel("preferred", p)?),
    };
    let language = match form.language.trim() {
        "" => None,
        l => Some(language("language", l)?),
    };
    let opted_out = form.opted_out.iter().map(|c| channel("opted_out", c)).collect::<Answer<Vec<Channel>>>()?;
    let phone = form.phone.trim();
    let input = ContactInput {
        email: Some(form.email.trim().to_owned()),
        phone: (phone != current.phone.trim()).then(|| phone.to_owned()),
        preferred: Some(preferred),
        language: Some(language),
        opt_in: Channel::ALL.into_iter().filter(|c| !opted_out.contains(c)).collect(),
        opt_out: opted_out,
    };
    state.workflows.set_customer_contact(&Actor::Operator, id, &input).await.map_err(workflow_error)?;
    contact(&state, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_contact_reads_as_words() {
        let c = Contact {
            customer: CustomerId(4),
            name: "Ana".into(),
            email: Some("ana@example.test".into()),
            phone: None,
            prefs: headend_store::ContactPrefs {
                language: Some("pt-br".parse().unwrap()),
                preferred: Some(Channel::Sms),
                opted_out: vec![Channel::Whatsapp],
            },
            plans: vec![],
            balance_minor: 0,
        };
        let d = dto(&c);
        assert_eq!((d.preferred.as_str(), d.language.as_str(), d.phone.as_str()), ("sms", "pt-br", ""));
        assert_eq!(d.opted_out, vec!["whatsapp".to_owned()]);
    }
}
