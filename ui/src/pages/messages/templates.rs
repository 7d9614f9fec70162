//! The templates: pick an event, a channel and a language; edit the text
//! with the event's placeholders a click away; see it rendered for a real
//! customer as it is typed (with the SMS's length, encoding and segments);
//! save it (a placeholder the event cannot fill is refused at the editor)
//! or go back to Headend's default.

use headend_ipc::messages::{TemplateDto, TemplateForm, TemplateKey, TemplatePreviewDto, TemplatePreviewForm, command};
use leptos::prelude::*;
use serde::Serialize;

use super::{Options, PlaceholderChips, channel_label, event_label};
use crate::components::{EmptyState, ErrorBox, Errors, FieldError, FormError, Icon, Loading, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct KeyArgs {
    key: TemplateKey,
}

#[derive(Serialize)]
struct FormArgs<T> {
    form: T,
}

#[component]
pub fn Templates(options: Options) -> impl IntoView {
    move || match options.get() {
        None => Loading().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(o)) => view! {
            <Editor
                events=o.events
                channels=o.channels
                languages=o.languages
                customers=o.customers.into_iter().map(|c| (c.id, c.name)).collect()
            />
        }
        .into_any(),
    }
}

/// What the text's first lines mean on `channel`.
fn format_help(channel: &str) -> &'static str {
    match channel {
        "email" => "Line 1 is the subject (Subject: …), then an empty line, then the body.",
        "whatsapp" => {
            "Line 1 names the template Meta approved (Template: name), then an empty line, then its text with a placeholder where the approved one has {{1}}, {{2}}…"
        }
        _ => {
            "The whole text is the SMS. A character outside the GSM alphabet sends it as UCS-2, at 70 characters a part instead of 160."
        }
    }
}

#[component]
fn Editor(
    events: Vec<String>,
    channels: Vec<String>,
    languages: Vec<String>,
    customers: Vec<(i64, String)>,
) -> impl IntoView {
    let event = RwSignal::new(events.first().cloned().unwrap_or_default());
    let channel = RwSignal::new(channels.first().cloned().unwrap_or_default());
    let language = RwSignal::new(languages.first().cloned().unwrap_or_default());
    let customer = RwSignal::new(customers.first().map(|(id, _)| *id));
    let draft = RwSignal::new(String::new());
    let custom = RwSignal::new(false);
    let placeholders = RwSignal::new(Vec::<String>::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let notice = RwSignal::new(None::<String>);
    let key = move || TemplateKey { event: event.get(), channel: channel.get(), language: language.get() };
    let loaded = LocalResource::new(move || {
        let key = key();
        ipc::invoke::<_, TemplateDto>(command::GET_MESSAGE_TEMPLATE, KeyArgs { key })
    });
    let show = move |t: TemplateDto| {
        draft.set(t.text);
        custom.set(t.custom);
        placeholders.set(t.placeholders);
    };
    Effect::new(move |_| {
        if let Some(Ok(t)) = loaded.get() {
            errors.set(Vec::new());
            notice.set(None);
            show(t);
        }
    });
    let preview = LocalResource::new(move || {
        let form = TemplatePreviewForm {
            event: event.get(),
            channel: channel.get(),
            text: draft.get(),
            customer_id: customer.get().unwrap_or_default(),
        };
        let anyone = customer.get().is_some() && !form.text.is_empty();
        async move {
            if !anyone {
                return None;
            }
            Some(ipc::invoke::<_, TemplatePreviewDto>(command::PREVIEW_MESSAGE_TEMPLATE, FormArgs { form }).await)
        }
    });
    let save = move |_| {
        errors.set(Vec::new());
        notice.set(None);
        let form = TemplateForm { key: key(), text: draft.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, TemplateDto>(command::SAVE_MESSAGE_TEMPLATE, FormArgs { form }).await {
                Ok(t) => {
                    show(t);
                    notice.set(Some("Saved: in use from now on.".to_owned()));
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let reset = move |_| {
        errors.set(Vec::new());
        notice.set(None);
        let key = key();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, TemplateDto>(command::RESET_MESSAGE_TEMPLATE, KeyArgs { key }).await {
                Ok(t) => {
                    show(t);
                    notice.set(Some("Back to Headend's default text.".to_owned()));
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let select = |id: &'static str, label: &'static str, signal: RwSignal<String>, items: Vec<(String, String)>| {
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <select id=id prop:value=move || signal.get() on:change=move |ev| signal.set(event_target_value(&ev))>
                    {items.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let event_items = events.iter().map(|e| (e.clone(), event_label(e).to_owned())).collect();
    let channel_items = channels.iter().map(|c| (c.clone(), channel_label(c).to_owned())).collect();
    let language_items = languages.iter().map(|l| (l.clone(), l.clone())).collect();
    let no_customers = customers.is_empty();
    view! {
        <div class="toolbar template-keys">
            {select("template-event", "Event", event, event_items)}
            {select("template-channel", "Channel", channel, channel_items)}
            {select("template-language", "Language", language, language_items)}
        </div>
        <div class="template-layout">
            <section class="card form" id="template-editor">
                <div class="panel-head">
                    <h2>"Text"</h2>
                    {move || if custom.get() {
                        view! { <span class="pill pill-accent" id="template-origin">"Your own"</span> }.into_any()
                    } else {
                        view! { <span class="pill" id="template-origin">"Headend's default"</span> }.into_any()
                    }}
                </div>
                <p class="field-help">{move || format_help(&channel.get())}</p>
                {move || view! {
                    <PlaceholderChips placeholders=placeholders.get() target="template-text"
                        on_insert=move |text: String| { draft.set(text); clear_error(errors, "template"); } />
                }}
                <label class="field">
                    <textarea id="template-text" class="template-text" rows="9" spellcheck="false"
                        class:invalid=has_error(errors, "template")
                        prop:value=move || draft.get()
                        on:input=move |ev| { draft.set(event_target_value(&ev)); clear_error(errors, "template"); notice.set(None); }></textarea>
                    <FieldError errors=errors field="template" />
                </label>
                <FormError errors=errors />
                <div class="form-actions">
                    <button class="primary" id="template-save" on:click=save>"Save"</button>
                    <Show when=move || custom.get()>
                        <button class="secondary" id="template-reset" on:click=reset>"Reset to default"</button>
                    </Show>
                    {move || notice.get().map(|n| view! { <span class="saved" id="template-saved">{n}</span> })}
                </div>
            </section>
            <section class="card" id="template-preview">
                <div class="panel-head">
                    <h2>"Preview"</h2>
                    <label class="field-input">
                        <span class="muted small">"for"</span>
                        <select id="preview-customer" prop:value=move || customer.get().map(|c| c.to_string()).unwrap_or_default()
                            on:change=move |ev| customer.set(event_target_value(&ev).parse().ok())>
                            {customers.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </label>
                </div>
                {move || if no_customers {
                    view! {
                        <EmptyState icon=Icon::Users title="No customer to preview on"
                            text="The preview fills the placeholders with a real customer's name, plan, balance and latest invoice. Add a customer first." />
                    }.into_any()
                } else {
                    match preview.get() {
                        None | Some(None) => view! { <p class="muted">"…"</p> }.into_any(),
                        Some(Some(Err(e))) => view! { <p class="field-error" id="preview-error">{e.message}</p> }.into_any(),
                        Some(Some(Ok(p))) => view! { <Rendered preview=p channel=channel.get() /> }.into_any(),
                    }
                }}
            </section>
        </div>
    }
}

/// The message as the customer would get it.
#[component]
fn Rendered(preview: TemplatePreviewDto, channel: String) -> impl IntoView {
    let sms = channel == "sms";
    let long = preview.segments > 1;
    let parts = match preview.segments {
        1 => "1 SMS".to_owned(),
        n => format!("{n} SMS"),
    };
    view! {
        {(!preview.subject.is_empty() || !preview.whatsapp_name.is_empty()).then(|| view! {
            <dl class="facts preview-facts">
                {(!preview.subject.is_empty()).then(|| view! { <dt>"Subject"</dt><dd class="strong" id="preview-subject">{preview.subject.clone()}</dd> })}
                {(!preview.whatsapp_name.is_empty()).then(|| view! { <dt>"Template"</dt><dd class="mono">{preview.whatsapp_name.clone()}</dd> })}
            </dl>
        })}
        <pre class="message-body" id="preview-body">{preview.body.clone()}</pre>
        {(!preview.parameters.is_empty()).then(|| view! {
            <ol class="preview-parameters" id="preview-parameters">
                {preview.parameters.iter().enumerate().map(|(i, p)| view! {
                    <li><span class="mono muted">{format!("{{{{{}}}}}", i + 1)}</span>" "{p.clone()}</li>
                }).collect_view()}
            </ol>
        })}
        {sms.then(|| view! {
            <p class="sms-length" id="preview-sms" class:warn-text=long>
                <span class="strong">{format!("{} characters", preview.characters)}</span>
                {format!(" · {} · {parts}", preview.encoding)}
            </p>
        })}
    }
}
