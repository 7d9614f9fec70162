//! The providers (SMTP, an SMS gateway, WhatsApp's Cloud API) with a test
//! message for each, and when and how messages go: quiet hours, reminder
//! days, the default country and language, the ISP's phone, the rates.
//! Passwords and tokens are write-only: the form shows whether one is
//! kept, never what it is. Errors sit next to their field, named as the
//! settings are ("smtp-host", "sms-account").

use headend_ipc::ErrorDto;
use headend_ipc::messages::{MessageSettingsForm, MessageSettingsView, TestMessageForm, TestMessageSent, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{ErrorBox, Errors, FieldError, FormError, Loading, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: MessageSettingsForm,
}

#[derive(Serialize)]
struct TestArgs {
    test: TestMessageForm,
}

type FieldGet = fn(&MessageSettingsForm) -> &String;
type FieldSet = fn(&mut MessageSettingsForm, String);

#[component]
pub fn MessageSettings() -> impl IntoView {
    let loaded = LocalResource::new(|| ipc::call::<MessageSettingsView>(command::GET_MESSAGE_SETTINGS));
    move || match loaded.get() {
        None => Loading().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(v)) => view! { <SettingsForm view=v /> }.into_any(),
    }
}

/// One input of the form: its label, help and error.
#[derive(Clone, Copy)]
struct Fields {
    draft: RwSignal<MessageSettingsForm>,
    errors: Errors,
}

impl Fields {
    fn input(
        self,
        kind: &'static str,
        field: &'static str,
        label: &'static str,
        help: &'static str,
        get: FieldGet,
        set: FieldSet,
    ) -> impl IntoView {
        let Fields { draft, errors } = self;
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <input id=format!("ms-{field}") type=kind class:invalid=has_error(errors, field)
                    autocomplete=if kind == "password" { "new-password" } else { "off" }
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); } />
                {(!help.is_empty()).then(|| view! { <span class="field-help">{help}</span> })}
                <FieldError errors=errors field=field /></label>
        }
    }

    fn text(
        self,
        field: &'static str,
        label: &'static str,
        help: &'static str,
        get: FieldGet,
        set: FieldSet,
    ) -> impl IntoView {
        self.input("text", field, label, help, get, set)
    }

    /// A password or token: empty keeps the one stored (`kept`).
    fn secret(
        self,
        field: &'static str,
        label: &'static str,
        kept: bool,
        get: FieldGet,
        set: FieldSet,
    ) -> impl IntoView {
        let help = if kept {
            "One is kept in the system keyring: leave this empty to keep it."
        } else {
            "Kept in the system keyring, never shown again."
        };
        self.input("password", field, label, help, get, set)
    }

    fn select(
        self,
        field: &'static str,
        label: &'static str,
        options: &'static [(&'static str, &'static str)],
        get: FieldGet,
        set: FieldSet,
    ) -> impl IntoView {
        let Fields { draft, errors } = self;
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <select id=format!("ms-{field}") prop:value=move || draft.with(|d| get(d).clone())
                    on:change=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); }>
                    {options.iter().map(|(value, text)| view! { <option value=*value>{*text}</option> }).collect_view()}
                </select>
                <FieldError errors=errors field=field /></label>
        }
    }

    fn area(
        self,
        field: &'static str,
        label: &'static str,
        help: &'static str,
        get: FieldGet,
        set: FieldSet,
    ) -> impl IntoView {
        let Fields { draft, errors } = self;
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <textarea id=format!("ms-{field}") rows="3" class="mono" class:invalid=has_error(errors, field)
                    prop:value=move || draft.with(|d| get(d).clone())
                    on:input=move |ev| { draft.update(|d| set(d, event_target_value(&ev))); clear_error(errors, field); }></textarea>
                {(!help.is_empty()).then(|| view! { <span class="field-help">{help}</span> })}
                <FieldError errors=errors field=field /></label>
        }
    }
}

const SMTP_TLS: &[(&str, &str)] =
    &[("starttls", "STARTTLS (port 587)"), ("tls", "TLS (port 465)"), ("none", "None (a relay you trust)")];
const SMS_PROVIDERS: &[(&str, &str)] = &[
    ("", "None: no SMS"),
    ("twilio", "Twilio"),
    ("africastalking", "Africa's Talking"),
    ("generic", "Another gateway (HTTP)"),
];
const METHODS: &[(&str, &str)] = &[("POST", "POST"), ("GET", "GET")];
const BODIES: &[(&str, &str)] = &[("form", "Form fields"), ("json", "JSON")];

#[component]
fn SettingsForm(view: MessageSettingsView) -> impl IntoView {
    let draft = RwSignal::new(view.form);
    let kept = RwSignal::new(view.credentials);
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let f = Fields { draft, errors };
    let has = move |channel: &str| kept.with(|k| k.iter().any(|c| c == channel));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        let form = draft.get();
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, MessageSettingsView>(command::SAVE_MESSAGE_SETTINGS, FormArgs { form }).await {
                Ok(v) => {
                    draft.set(v.form);
                    kept.set(v.credentials);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    // Only a change of provider redraws its fields (typing in them must not).
    let provider = Memo::new(move |_| draft.with(|d| d.sms_provider.clone()));
    view! {
        <form class="card form wide-form" id="message-settings-form" novalidate=true on:submit=save>
            <h2>"E-mail"</h2>
            <p class="field-help">"Invoices and receipts go with their PDF. Leave the server empty to send no e-mail."</p>
            <div class="grid-3">
                {f.text("smtp-host", "SMTP server", "For example smtp.example.com.", |d| &d.smtp_host, |d, v| d.smtp_host = v)}
                {f.text("smtp-port", "Port", "Empty: the security's usual port.", |d| &d.smtp_port, |d, v| d.smtp_port = v)}
                {f.select("smtp-tls", "Security", SMTP_TLS, |d| &d.smtp_tls, |d, v| d.smtp_tls = v)}
                {f.text("smtp-user", "User", "Empty: send without logging in.", |d| &d.smtp_user, |d, v| d.smtp_user = v)}
                {move || f.secret("smtp-password", "Password", has("email"), |d| &d.smtp_password, |d, v| d.smtp_password = v)}
                {f.text("from", "From", "billing@isp.example or Fibra Sul <billing@isp.example>", |d| &d.from, |d, v| d.from = v)}
            </div>
            <TestSend channel="email" placeholder="you@example.com" />

            <h2>"SMS"</h2>
            <div class="grid-3">
                {f.select("sms-provider", "Provider", SMS_PROVIDERS, |d| &d.sms_provider, |d, v| d.sms_provider = v)}
            </div>
            {move || match provider.get().as_str() {
                "twilio" | "africastalking" => {
                    let twilio = provider.get_untracked() == "twilio";
                    view! {
                        <div class="grid-3">
                            {f.text("sms-account", if twilio { "Account SID" } else { "Username" }, "", |d| &d.sms_account, |d, v| d.sms_account = v)}
                            {f.secret("sms-token", if twilio { "Auth token" } else { "API key" }, has("sms"), |d| &d.sms_token, |d, v| d.sms_token = v)}
                            {f.text("sms-from", if twilio { "From number" } else { "Sender id" }, if twilio { "+15005550006 or an approved sender id" } else { "Optional" }, |d| &d.sms_from, |d, v| d.sms_from = v)}
                            {f.text("sms-base-url", "API address", "Empty: the provider's own.", |d| &d.sms_base_url, |d, v| d.sms_base_url = v)}
                        </div>
                    }.into_any()
                }
                "generic" => view! {
                    <div class="grid-2">
                        {f.text("sms-url", "Address", "https://gateway.example/send?to={to}&text={text}", |d| &d.sms_url, |d, v| d.sms_url = v)}
                        {f.secret("sms-token", "Secret", has("sms"), |d| &d.sms_token, |d, v| d.sms_token = v)}
                    </div>
                    <div class="grid-3">
                        {f.select("sms-method", "Method", METHODS, |d| &d.sms_method, |d, v| d.sms_method = v)}
                        {f.select("sms-body", "Body", BODIES, |d| &d.sms_body, |d, v| d.sms_body = v)}
                    </div>
                    <div class="grid-2">
                        {f.area("sms-headers", "Headers", "One a line: X-Api-Key: {secret}", |d| &d.sms_headers, |d, v| d.sms_headers = v)}
                        {f.area("sms-template", "Body template", "Form lines such as to={to} and text={text}, or a JSON document.", |d| &d.sms_template, |d, v| d.sms_template = v)}
                    </div>
                }.into_any(),
                _ => ().into_any(),
            }}
            <TestSend channel="sms" placeholder="+254712345678" />

            <h2>"WhatsApp"</h2>
            <p class="field-help">"The WhatsApp Business Cloud API. Leave the phone number id empty to send nothing on WhatsApp."</p>
            <div class="grid-3">
                {f.text("whatsapp-phone-number-id", "Phone number id", "", |d| &d.whatsapp_phone_number_id, |d, v| d.whatsapp_phone_number_id = v)}
                {move || f.secret("whatsapp-token", "Access token", has("whatsapp"), |d| &d.whatsapp_token, |d, v| d.whatsapp_token = v)}
                {f.text("whatsapp-api-version", "API version", "", |d| &d.whatsapp_api_version, |d, v| d.whatsapp_api_version = v)}
                {f.text("whatsapp-base-url", "API address", "", |d| &d.whatsapp_base_url, |d, v| d.whatsapp_base_url = v)}
            </div>
            <TestSend channel="whatsapp" placeholder="+254712345678" />

            <h2>"Sending"</h2>
            <div class="grid-3">
                {f.text("quiet-hours", "Quiet hours", "No SMS or WhatsApp then: 21:00-08:00. Empty: none.", |d| &d.quiet_hours, |d, v| d.quiet_hours = v)}
                {f.text("reminder-days", "Reminder days", "Days before the due date: 3,1. Empty: none.", |d| &d.reminder_days, |d, v| d.reminder_days = v)}
                {f.text("isp-phone", "Your phone", "For {isp_phone} in the texts.", |d| &d.isp_phone, |d, v| d.isp_phone = v)}
                {f.text("default-country", "Default country", "Of numbers written without +: KE, BR, NG…", |d| &d.default_country, |d, v| d.default_country = v)}
                {f.text("default-language", "Default language", "en, es, pt, fr, id, sw…", |d| &d.default_language, |d, v| d.default_language = v)}
            </div>
            <div class="grid-3">
                {f.text("email-rate", "E-mails a minute", "", |d| &d.email_rate, |d, v| d.email_rate = v)}
                {f.text("sms-rate", "SMS a minute", "", |d| &d.sms_rate, |d, v| d.sms_rate = v)}
                {f.text("whatsapp-rate", "WhatsApp messages a minute", "", |d| &d.whatsapp_rate, |d, v| d.whatsapp_rate = v)}
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="ms-save">"Save settings"</button>
                <Show when=move || saved.get()><span class="saved" id="ms-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}

/// "Send a test" on one channel, through the saved settings, with the
/// provider's answer or refusal.
#[component]
fn TestSend(channel: &'static str, placeholder: &'static str) -> impl IntoView {
    let to = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let sending = RwSignal::new(false);
    let answer = RwSignal::new(None::<String>);
    let send = move |_| {
        errors.set(Vec::new());
        answer.set(None);
        sending.set(true);
        let test = TestMessageForm { channel: channel.to_owned(), to: to.get_untracked() };
        leptos::task::spawn_local(async move {
            let sent = ipc::invoke::<_, TestMessageSent>(command::SEND_TEST_MESSAGE, TestArgs { test }).await;
            sending.set(false);
            match sent {
                Ok(s) if s.provider_id.is_empty() => answer.set(Some("Sent: the provider took it.".to_owned())),
                Ok(s) => answer.set(Some(format!("Sent: the provider took it as {}.", s.provider_id))),
                // Errors about the channel or the provider read best at the test.
                Err(e) => errors.set(vec![ErrorDto { field: Some("to".to_owned()), ..e }]),
            }
        });
    };
    view! {
        <div class="test-send" id=format!("test-{channel}")>
            <label class="field">
                <span class="field-label">"Send a test to"</span>
                <div class="field-input">
                    <input id=format!("test-{channel}-to") type="text" placeholder=placeholder class:invalid=has_error(errors, "to")
                        prop:value=move || to.get()
                        on:input=move |ev| { to.set(event_target_value(&ev)); clear_error(errors, "to"); } />
                    <button type="button" class="secondary" id=format!("test-{channel}-send") prop:disabled=move || sending.get() on:click=send>
                        {move || if sending.get() { "Sending…" } else { "Send a test" }}
                    </button>
                </div>
                <span class="field-help">"Through the saved settings: save first."</span>
                {move || answer.get().map(|a| view! { <span class="saved" id=format!("test-{channel}-answer")>{a}</span> })}
                {move || errors.with(|all| all.first().map(|e| view! {
                    <span class="field-error" role="alert" id=format!("test-{channel}-error")>{e.message.clone()}</span>
                }))}
            </label>
        </div>
    }
}
