//! The service page's "Test login" card (PPPoE services, once RADIUS is
//! set up): the service's user and password sent with PAP, as its router
//! would, to a RADIUS server; Accept or Reject, the reply's attributes
//! and the time taken.

use headend_ipc::ErrorDto;
use headend_ipc::radius::{RadiusSettingsDto, TestLoginDto, TestLoginForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct TestArgs {
    test: TestLoginForm,
}

#[component]
pub fn TestLogin(id: i64) -> impl IntoView {
    let settings = LocalResource::new(|| ipc::call::<Option<RadiusSettingsDto>>(command::GET_RADIUS_SETTINGS));
    move || match settings.get() {
        Some(Ok(Some(s))) => view! { <TestLoginCard id=id server=s.server /> }.into_any(),
        _ => ().into_any(),
    }
}

#[component]
fn TestLoginCard(id: i64, server: String) -> impl IntoView {
    let server = RwSignal::new(server);
    let secret = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let testing = RwSignal::new(false);
    let answer = RwSignal::new(None::<TestLoginDto>);
    let test = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        answer.set(None);
        testing.set(true);
        let test = TestLoginForm { service_id: id, server: server.get_untracked(), secret: secret.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, TestLoginDto>(command::RADIUS_TEST_LOGIN, TestArgs { test }).await {
                Ok(login) => answer.set(Some(login)),
                // The server's silence reads best at the server; what is
                // wrong with the service, above the button.
                Err(e) if e.field.is_none() => errors.set(vec![ErrorDto { field: Some("server".to_owned()), ..e }]),
                Err(e) if e.field.as_deref() == Some("service") => errors.set(vec![ErrorDto { field: None, ..e }]),
                Err(e) => errors.set(vec![e]),
            }
            testing.set(false);
        });
    };
    view! {
        <form class="card form wide-form" id="test-login" novalidate=true on:submit=test>
            <h2>"Test login"</h2>
            <p class="muted small">"Sends this service's PPPoE user and password to the RADIUS server, as its router would, and shows the answer. Nothing changes."</p>
            <div class="grid-2">
                <label class="field"><span class="field-label">"RADIUS server"</span>
                    <input id="test-login-server" type="text" placeholder="10.0.0.5:1812" class:invalid=has_error(errors, "server")
                        prop:value=move || server.get()
                        on:input=move |ev| { server.set(event_target_value(&ev)); clear_error(errors, "server"); } />
                    <FieldError errors=errors field="server" /></label>
                <label class="field"><span class="field-label">"Shared secret"</span>
                    <input id="test-login-secret" type="password" autocomplete="off" class:invalid=has_error(errors, "secret")
                        prop:value=move || secret.get()
                        on:input=move |ev| { secret.set(event_target_value(&ev)); clear_error(errors, "secret"); } />
                    <span class="field-help">"One the server knows for this computer's address; not kept."</span>
                    <FieldError errors=errors field="secret" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="secondary" id="test-login-send" prop:disabled=move || testing.get()>
                    {move || if testing.get() { "Logging in…" } else { "Test login" }}
                </button>
            </div>
            {move || answer.get().map(|login| view! { <Verdict login=login /> })}
        </form>
    }
}

#[component]
fn Verdict(login: TestLoginDto) -> impl IntoView {
    let (class, word) = if login.accepted { ("pill pill-ok", "Accept") } else { ("pill pill-bad", "Reject") };
    view! {
        <div id="test-login-answer">
            <div class="login-verdict">
                <span class=class id="test-login-verdict">{word}</span>
                <span class="muted">{format!("{} on {} in {} ms", login.user, login.server, login.ms)}</span>
            </div>
            {if login.attributes.is_empty() {
                view! { <p class="muted small">"The reply carried no attributes."</p> }.into_any()
            } else {
                view! {
                    <dl class="facts login-attributes" id="test-login-attributes">
                        {login.attributes.into_iter().map(|a| view! { <dt class="mono">{a.name}</dt><dd class="mono selectable">{a.value}</dd> }).collect_view()}
                    </dl>
                }.into_any()
            }}
        </div>
    }
}
