use headend_ipc::{AppInfo, ErrorDto, SettingsDto, SettingsView, ThemeChoice, command};
use leptos::prelude::*;
use serde::Serialize;

use super::{fetch, loaded};
use crate::app::Console;
use crate::components::{ErrorBox, PageHeader};
use crate::ipc;

#[derive(Serialize)]
struct SaveArgs {
    settings: SettingsDto,
}

#[component]
pub fn Settings() -> impl IntoView {
    let view_res = fetch::<SettingsView>(command::GET_SETTINGS);
    let info = fetch::<AppInfo>(command::APP_INFO);
    view! {
        <PageHeader title="Settings" subtitle="How Headend works on this computer." />
        {loaded(view_res, |v: SettingsView| view! { <SettingsForm initial=v /> })}
        {loaded(info, |i: AppInfo| view! { <Locations info=i /> })}
    }
}

fn theme_value(theme: ThemeChoice) -> &'static str {
    match theme {
        ThemeChoice::System => "system",
        ThemeChoice::Light => "light",
        ThemeChoice::Dark => "dark",
    }
}

fn theme_from_value(value: &str) -> ThemeChoice {
    match value {
        "light" => ThemeChoice::Light,
        "dark" => ThemeChoice::Dark,
        _ => ThemeChoice::System,
    }
}

#[component]
fn SettingsForm(initial: SettingsView) -> impl IntoView {
    let console = Console::get();
    let limits = initial.limits;
    let sweep = RwSignal::new(initial.settings.sweep_interval_secs.to_string());
    let notifications = RwSignal::new(initial.settings.notifications);
    let theme = RwSignal::new(initial.settings.theme);
    let outcome = RwSignal::new(None::<Result<(), ErrorDto>>);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(secs) = sweep.get().trim().parse::<u64>() else {
            outcome.set(Some(Err(ErrorDto::new(
                headend_ipc::ErrorCode::InvalidInput,
                "The sweep interval is a whole number of seconds.",
            ))));
            return;
        };
        let settings =
            SettingsDto { sweep_interval_secs: secs, notifications: notifications.get(), theme: theme.get() };
        leptos::task::spawn_local(async move {
            let saved = ipc::invoke::<_, SettingsView>(command::SAVE_SETTINGS, SaveArgs { settings }).await;
            if let Ok(v) = &saved {
                console.theme.set(v.settings.theme);
            }
            outcome.set(Some(saved.map(|_| ())));
        });
    };

    view! {
        <form class="card form" id="settings-form" novalidate=true on:submit=save>
            <h2>"Preferences"</h2>
            <label class="field">
                <span class="field-label">"Sweep interval"</span>
                <span class="field-input">
                    <input
                        id="sweep-interval"
                        type="number"
                        min=limits.sweep_min_secs
                        max=limits.sweep_max_secs
                        prop:value=move || sweep.get()
                        on:input=move |ev| sweep.set(event_target_value(&ev))
                    />
                    <span class="unit">"seconds"</span>
                </span>
                <span class="field-help">
                    {format!(
                        "How often every router is compared with what it should have ({}–{} s). Changes you make are pushed at once regardless.",
                        limits.sweep_min_secs, limits.sweep_max_secs
                    )}
                </span>
            </label>
            <label class="field field-inline">
                <input
                    id="notifications"
                    type="checkbox"
                    prop:checked=move || notifications.get()
                    on:change=move |ev| notifications.set(event_target_checked(&ev))
                />
                <span>
                    <span class="field-label">"Desktop notifications"</span>
                    <span class="field-help">"Tell me when a provisioning action has finally failed."</span>
                </span>
            </label>
            <label class="field">
                <span class="field-label">"Theme"</span>
                <select
                    id="theme"
                    prop:value=move || theme_value(theme.get())
                    on:change=move |ev| theme.set(theme_from_value(&event_target_value(&ev)))
                >
                    <option value="system">"Follow the system"</option>
                    <option value="light">"Light"</option>
                    <option value="dark">"Dark"</option>
                </select>
            </label>
            <div class="form-actions">
                <button type="submit" class="primary" id="settings-save">"Save"</button>
                {move || match outcome.get() {
                    Some(Ok(())) => view! { <span class="saved" id="settings-saved">"Saved"</span> }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error=error /> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </form>
    }
}

#[component]
fn Locations(info: AppInfo) -> impl IntoView {
    let rows = [
        ("Data folder", info.data_dir),
        ("Database", info.database_path),
        ("Logs", info.log_dir),
        ("Preferences file", info.settings_path),
        ("Passwords", info.secret_backend),
        ("Version", format!("{} (schema {})", info.version, info.schema_version)),
    ];
    view! {
        <section class="card" id="locations">
            <h2>"Where Headend keeps things"</h2>
            <dl class="facts">
                {rows
                    .into_iter()
                    .map(|(label, value)| view! { <dt>{label}</dt><dd class="mono selectable">{value}</dd> })
                    .collect_view()}
            </dl>
            <p class="muted small">"Passwords are never written to the database or to these files."</p>
        </section>
    }
}
