//! The customer page's Messages card: how the customer is written to
//! (address, phone, preferred channel, language, opt-outs), editable, and
//! what was sent to them.

use headend_ipc::messages::{ContactDto, ContactForm, MessageRow, command};
use leptos::prelude::*;
use serde::Serialize;

use super::channel_label;
use super::outbox::{MessageTable, RetryAnswer, RetryNotice};
use crate::app::Console;
use crate::components::{ErrorBox, Errors, FieldError, FormError, Loading, clear_error, has_error};
use crate::ipc;
use crate::pages::IdArgs;

#[derive(Serialize)]
struct FormArgs {
    form: ContactForm,
}

const CHANNELS: [&str; 3] = ["email", "sms", "whatsapp"];

#[component]
pub fn CustomerMessages(customer: i64) -> impl IntoView {
    let console = Console::get();
    let contact = LocalResource::new(move || {
        ipc::invoke::<_, ContactDto>(command::GET_CUSTOMER_CONTACT, IdArgs { id: customer })
    });
    let reload = RwSignal::new(0_u32);
    let notice: RetryNotice = RwSignal::new(None);
    let history = LocalResource::new(move || {
        reload.track();
        console.messages_changed.track();
        console.failures.track();
        ipc::invoke::<_, Vec<MessageRow>>(command::CUSTOMER_MESSAGES, IdArgs { id: customer })
    });
    view! {
        <section class="card" id="customer-messages">
            <div class="panel-head"><h2>"Messages"</h2>
                <span class="muted small">"How this customer is written to, and what was sent"</span></div>
            {move || match contact.get() {
                None => Loading().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                Some(Ok(c)) => view! { <ContactEditor contact=c reload=reload /> }.into_any(),
            }}
        </section>
        <section class="card table-card" id="customer-message-history">
            <div class="card-head"><h2>"Sent to the customer"</h2><span class="muted small">"Newest first"</span></div>
            <RetryAnswer notice=notice />
            {move || match history.get() {
                None => Loading().into_any(),
                Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
                Some(Ok(rows)) if rows.is_empty() => {
                    view! { <p class="muted pad">"No message yet: receipts, invoices, reminders and blasts to this customer show up here."</p> }.into_any()
                }
                Some(Ok(rows)) => view! { <MessageTable rows=rows show_customer=false reload=reload notice=notice /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn ContactEditor(contact: ContactDto, reload: RwSignal<u32>) -> impl IntoView {
    let console = Console::get();
    let draft = RwSignal::new(ContactForm {
        customer_id: contact.customer_id,
        email: contact.email,
        phone: contact.phone,
        preferred: contact.preferred,
        language: contact.language,
        opted_out: contact.opted_out,
    });
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        let form = draft.get_untracked();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, ContactDto>(command::SAVE_CUSTOMER_CONTACT, FormArgs { form }).await {
                Ok(c) => {
                    draft.update(|d| {
                        d.email = c.email;
                        d.phone = c.phone;
                    });
                    saved.set(true);
                    reload.update(|n| *n += 1);
                    // The Customer card shows the address and phone too.
                    console.changed();
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let text = move |field: &'static str,
                     label: &'static str,
                     help: &'static str,
                     get: fn(&ContactForm) -> &String,
                     set: fn(&mut ContactForm, String)| {
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <input id=format!("contact-{field}") type="text" class:invalid=has_error(errors, field)
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); saved.set(false); } />
                {(!help.is_empty()).then(|| view! { <span class="field-help">{help}</span> })}
                <FieldError errors=errors field=field /></label>
        }
    };
    view! {
        <form class="form wide-form" id="contact-form" novalidate=true on:submit=save>
            <div class="grid-3">
                {text("email", "E-mail", "", |d| &d.email, |d, v| d.email = v)}
                {text("phone", "Phone", "International (+254…) or in your default country.", |d| &d.phone, |d, v| d.phone = v)}
                {text("language", "Language", "en, es, pt, fr, id, sw… Empty: yours.", |d| &d.language, |d, v| d.language = v)}
                <label class="field"><span class="field-label">"Preferred channel"</span>
                    <select id="contact-preferred" prop:value=move || draft.with(|d| d.preferred.clone())
                        on:change=move |ev| { draft.update(|d| d.preferred = event_target_value(&ev)); clear_error(errors, "preferred"); saved.set(false); }>
                        <option value="">"The first that reaches them"</option>
                        {CHANNELS.map(|c| view! { <option value=c>{channel_label(c)}</option> }).collect_view()}
                    </select>
                    <FieldError errors=errors field="preferred" />
                </label>
                <div class="field"><span class="field-label">"Opted out of"</span>
                    <div class="check-row">
                        {CHANNELS.map(|c| view! {
                            <label class="check">
                                <input type="checkbox" id=format!("contact-opt-out-{c}")
                                    prop:checked=move || draft.with(|d| d.opted_out.iter().any(|o| o == c))
                                    on:change=move |ev| {
                                        let out = event_target_checked(&ev);
                                        draft.update(|d| {
                                            d.opted_out.retain(|o| o != c);
                                            if out {
                                                d.opted_out.push(c.to_owned());
                                            }
                                        });
                                        saved.set(false);
                                    } />
                                {channel_label(c)}
                            </label>
                        }).collect_view()}
                    </div>
                    <FieldError errors=errors field="opted_out" />
                </div>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="contact-save">"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="contact-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}
