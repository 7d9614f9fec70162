//! Settings → RADIUS: FreeRADIUS's database (its password checked, then
//! kept in the keyring and never shown again), the server routers ask,
//! what the database holds, and whether the server answers. Errors sit
//! next to their field ("url", "password", "server", "secret").

use headend_ipc::ErrorDto;
use headend_ipc::radius::{
    RadiusForm, RadiusOverviewDto, RadiusServerCheck, RadiusServerStatus, RadiusSettingsDto, command,
};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::{format, ipc};

#[derive(Serialize)]
struct FormArgs {
    form: RadiusForm,
}

#[derive(Serialize)]
struct CheckArgs {
    check: RadiusServerCheck,
}

/// The overview as last read: `None` while reading.
type Overview = RwSignal<Option<Result<Option<RadiusOverviewDto>, ErrorDto>>>;

#[component]
pub fn RadiusSettings(initial: Option<RadiusSettingsDto>) -> impl IntoView {
    let initial = initial.unwrap_or_default();
    let url = RwSignal::new(initial.url);
    let password = RwSignal::new(String::new());
    let server = RwSignal::new(initial.server);
    let create_schema = RwSignal::new(false);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let overview: Overview = RwSignal::new(None);
    leptos::task::spawn_local(async move {
        overview.set(Some(ipc::call::<Option<RadiusOverviewDto>>(command::RADIUS_OVERVIEW).await));
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = RadiusForm {
            url: url.get_untracked(),
            password: password.get_untracked(),
            server: server.get_untracked(),
            create_schema: create_schema.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, RadiusOverviewDto>(command::SAVE_RADIUS_SETTINGS, FormArgs { form }).await {
                Ok(o) => {
                    password.set(String::new());
                    url.set(o.settings.url.clone());
                    server.set(o.settings.server.clone());
                    overview.set(Some(Ok(Some(o))));
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let text_field = move |field: &'static str, value: RwSignal<String>| {
        (
            move || value.get(),
            move |ev: leptos::ev::Event| {
                value.set(event_target_value(&ev));
                clear_error(errors, field);
            },
        )
    };
    let (url_value, set_url) = text_field("url", url);
    let (password_value, set_password) = text_field("password", password);
    let (server_value, set_server) = text_field("server", server);

    view! {
        <section class="card form wide-form" id="radius">
            <h2>"RADIUS"</h2>
            <p class="muted small">
                "Routers in RADIUS mode ask a FreeRADIUS server whether a subscriber may log in. Headend keeps FreeRADIUS's database in step with your customers and plans; users and groups that are not Headend's are left exactly as they are."
            </p>
            <form id="radius-form" novalidate=true on:submit=save>
                <div class="grid-2">
                    <label class="field"><span class="field-label">"Database address"</span>
                        <input id="radius-url" type="text" placeholder="postgres://radius@10.0.0.5:5432/radius"
                            class:invalid=has_error(errors, "url") prop:value=url_value on:input=set_url />
                        <span class="field-help">"postgres://USER@HOST:PORT/DATABASE, or mysql://… for MySQL and MariaDB, without the password."</span>
                        <FieldError errors=errors field="url" /></label>
                    <label class="field"><span class="field-label">"Database password"</span>
                        <input id="radius-password" type="password" autocomplete="new-password"
                            class:invalid=has_error(errors, "password") prop:value=password_value on:input=set_password />
                        <span class="field-help">"Checked against the database on each save, then kept in this computer's keyring; never shown again."</span>
                        <FieldError errors=errors field="password" /></label>
                    <label class="field"><span class="field-label">"RADIUS server"</span>
                        <input id="radius-server" type="text" placeholder="10.0.0.5 or 10.0.0.5:1812"
                            class:invalid=has_error(errors, "server") prop:value=server_value on:input=set_server />
                        <span class="field-help">"Where your routers send logins (port 1812 unless you add another). Used for the routers' set-up and for test logins."</span>
                        <FieldError errors=errors field="server" /></label>
                </div>
                <label class="field field-inline">
                    <input id="radius-create-schema" type="checkbox" prop:checked=move || create_schema.get()
                        on:change=move |ev| create_schema.set(event_target_checked(&ev)) />
                    <span>
                        <span class="field-label">"Create FreeRADIUS's tables"</span>
                        <span class="field-help">"For an empty database. Tables that already exist are never changed."</span>
                    </span>
                </label>
                <FormError errors=errors />
                <div class="form-actions">
                    <button type="submit" class="primary" id="radius-save" prop:disabled=move || saving.get()>
                        {move || if saving.get() { "Checking the database…" } else { "Save" }}
                    </button>
                    <Show when=move || saved.get()><span class="saved" id="radius-saved">"Saved."</span></Show>
                </div>
            </form>
            <h3>"What the database holds"</h3>
            {move || match overview.get() {
                None => view! { <p class="muted" id="radius-overview">"Reading the database…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" id="radius-overview">{e.message}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <p class="muted" id="radius-overview">"RADIUS is not set up: every router keeps its PPPoE users in its own PPP secrets."</p>
                }.into_any(),
                Some(Ok(Some(o))) => view! { <OverviewFacts overview=o /> }.into_any(),
            }}
            <ServerCheck />
        </section>
    }
}

#[component]
fn OverviewFacts(overview: RadiusOverviewDto) -> impl IntoView {
    let o = overview;
    let answered = o.error.is_empty();
    let reachable = if answered {
        view! { <span class="pill pill-ok">"Reachable"</span> }.into_any()
    } else {
        view! { <span class="pill pill-bad">"Unreachable"</span><div class="cell-error">{o.error.clone()}</div> }
            .into_any()
    };
    let schema = match (o.schema_version.as_str(), o.missing_tables.is_empty()) {
        (_, false) => format!("Missing tables: {}", o.missing_tables.join(", ")),
        ("", true) => "—".to_owned(),
        (version, true) => format!("FreeRADIUS {version}"),
    };
    let routers = if o.routers.is_empty() {
        "None yet: switch a router to RADIUS on its page.".to_owned()
    } else {
        o.routers.join(", ")
    };
    view! {
        <dl class="facts" id="radius-overview">
            <dt>"Database"</dt><dd class="mono selectable">{o.settings.url.clone()}</dd>
            <dt>"State"</dt><dd id="radius-reachable">{reachable}</dd>
            {answered.then(|| view! {
                <dt>"Schema"</dt><dd id="radius-schema">{schema}</dd>
                <dt>"Users Headend keeps"</dt><dd id="radius-managed">{o.users_managed}</dd>
                <dt>"Left alone"</dt>
                <dd id="radius-unmanaged">{format!(
                    "{} other user{}, {} row{} of other groups",
                    o.users_unmanaged, format::plural(o.users_unmanaged), o.unmanaged_group_rows, format::plural(o.unmanaged_group_rows)
                )}</dd>
            })}
            <dt>"RADIUS routers"</dt><dd id="radius-routers">{routers}</dd>
        </dl>
    }
}

/// "Is the server up?": Status-Server with a shared secret it knows.
#[component]
fn ServerCheck() -> impl IntoView {
    let secret = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let checking = RwSignal::new(false);
    let answer = RwSignal::new(None::<RadiusServerStatus>);
    let check = move |_| {
        errors.set(Vec::new());
        answer.set(None);
        checking.set(true);
        let check = RadiusServerCheck { server: String::new(), secret: secret.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, RadiusServerStatus>(command::RADIUS_SERVER_STATUS, CheckArgs { check }).await {
                Ok(status) => answer.set(Some(status)),
                // The server's silence or refusal reads best at the secret.
                Err(e) if e.field.is_none() => errors.set(vec![ErrorDto { field: Some("secret".to_owned()), ..e }]),
                Err(e) => errors.set(vec![e]),
            }
            checking.set(false);
        });
    };
    view! {
        <div class="test-send" id="radius-status">
            <label class="field">
                <span class="field-label">"Is the server up?"</span>
                <div class="field-input">
                    <input id="radius-status-secret" type="password" autocomplete="off" placeholder="a shared secret it knows"
                        class:invalid=has_error(errors, "secret") prop:value=move || secret.get()
                        on:input=move |ev| { secret.set(event_target_value(&ev)); clear_error(errors, "secret"); } />
                    <button type="button" class="secondary" id="radius-status-check" prop:disabled=move || checking.get() on:click=check>
                        {move || if checking.get() { "Asking…" } else { "Ask the saved server" }}
                    </button>
                </div>
                <span class="field-help">"Sends a Status-Server request (RFC 5997) to the RADIUS server saved above."</span>
                {move || answer.get().map(|s| view! {
                    <span class="saved" id="radius-status-answer">{format!("Up: {} answered {} in {} ms.", s.server, s.answer, s.ms)}</span>
                })}
                <FieldError errors=errors field="server" />
                <FieldError errors=errors field="secret" />
            </label>
        </div>
    }
}
