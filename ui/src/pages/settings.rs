mod map;
mod policy;
mod pops;
mod radius;
mod sessions;
mod signal;

use headend_ipc::policy::PolicyDto;
use headend_ipc::radius::RadiusSettingsDto;
use headend_ipc::sessions::RetentionDto;
use headend_ipc::{
    AppInfo, BackupMade, BackupsView, ErrorDto, RestoreStaged, SettingsDto, SettingsView, ThemeChoice, command,
};
use leptos::prelude::*;
use serde::Serialize;

use super::{fetch, loaded};
use crate::app::Console;
use crate::components::{ErrorBox, PageHeader};
use crate::{format, ipc};

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
        {loaded(fetch::<PolicyDto>(headend_ipc::policy::command::GET_POLICY), |p| view! { <policy::Policy initial=p /> })}
        {loaded(fetch::<Option<RadiusSettingsDto>>(headend_ipc::radius::command::GET_RADIUS_SETTINGS), |r| view! { <radius::RadiusSettings initial=r /> })}
        {loaded(fetch::<RetentionDto>(headend_ipc::sessions::command::GET_SESSION_RETENTION), |r| view! { <sessions::SessionHistory initial=r /> })}
        {loaded(fetch::<Vec<headend_ipc::PopRow>>(command::POP_OVERVIEWS), |p| view! { <pops::Pops initial=p /> })}
        {loaded(fetch::<headend_ipc::olt::SignalSettingsDto>(headend_ipc::olt::command::GET_SIGNAL_SETTINGS), |s| view! { <signal::SignalSettings initial=s /> })}
        {loaded(fetch::<headend_ipc::map::TileSettings>(headend_ipc::map::command::GET_TILE_SETTINGS), |t| view! { <map::MapTiles initial=t /> })}
        {loaded(fetch::<BackupsView>(command::GET_BACKUPS), |b: BackupsView| view! { <Backups initial=b /> })}
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

#[derive(Serialize)]
struct KeepDaysArgs {
    days: u16,
}

#[derive(Serialize)]
struct RestoreArgs {
    path: String,
}

/// Back up now, the days of daily backups kept, and Restore….
#[component]
fn Backups(initial: BackupsView) -> impl IntoView {
    let keep = RwSignal::new(initial.keep_days.to_string());
    let max_days = initial.max_keep_days;
    let made = RwSignal::new(None::<Result<BackupMade, ErrorDto>>);
    let kept = RwSignal::new(None::<Result<BackupsView, ErrorDto>>);
    let restore_path = RwSignal::new(String::new());
    let confirming = RwSignal::new(false);
    let staged = RwSignal::new(None::<Result<RestoreStaged, ErrorDto>>);

    let back_up = move |_| {
        made.set(None);
        leptos::task::spawn_local(async move { made.set(Some(ipc::call::<BackupMade>(command::BACK_UP_NOW).await)) });
    };
    let save_keep = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(days) = keep.get().trim().parse::<u16>() else {
            kept.set(Some(Err(ErrorDto::new(
                headend_ipc::ErrorCode::InvalidInput,
                format!("Days kept is a whole number from 0 to {max_days}."),
            ))));
            return;
        };
        leptos::task::spawn_local(async move {
            kept.set(Some(ipc::invoke::<_, BackupsView>(command::SET_BACKUP_KEEP_DAYS, KeepDaysArgs { days }).await));
        });
    };
    let restore = move |_| {
        confirming.set(false);
        let path = restore_path.get();
        leptos::task::spawn_local(async move {
            staged.set(Some(ipc::invoke::<_, RestoreStaged>(command::STAGE_RESTORE, RestoreArgs { path }).await));
        });
    };

    view! {
        <section class="card form" id="backups">
            <h2>"Backups"</h2>
            <p class="muted small">
                "A backup is the whole database as of one moment, made while Headend keeps working. It holds no password in clear: keep the key of subscriber passwords apart with "
                <code>"headend key export"</code>"."
            </p>
            <div class="form-actions">
                <button type="button" class="primary" id="back-up-now" on:click=back_up>"Back up now"</button>
                {move || match made.get() {
                    Some(Ok(backup)) => view! {
                        <span class="saved" id="backup-made">
                            "Wrote " <span class="mono selectable" id="backup-path">{backup.path}</span>
                            {format!(" ({})", format::bytes(backup.bytes))}
                        </span>
                    }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error=error /> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
            <form class="form" id="backup-keep-form" novalidate=true on:submit=save_keep>
                <label class="field">
                    <span class="field-label">"Daily backups"</span>
                    <span class="field-input">
                        <input
                            id="backup-keep-days"
                            type="number"
                            min=0
                            max=max_days
                            prop:value=move || keep.get()
                            on:input=move |ev| keep.set(event_target_value(&ev))
                        />
                        <span class="unit">"days kept"</span>
                    </span>
                    <span class="field-help">
                        {format!("Once a day into {}, as headend-YYYY-MM-DD.sqlite3; older ones are removed. 0 turns them off.", initial.folder)}
                    </span>
                </label>
                <div class="form-actions">
                    <button type="submit" id="backup-keep-save">"Save"</button>
                    {move || match kept.get() {
                        Some(Ok(_)) => view! { <span class="saved" id="backup-keep-saved">"Saved"</span> }.into_any(),
                        Some(Err(error)) => view! { <ErrorBox error=error /> }.into_any(),
                        None => ().into_any(),
                    }}
                </div>
            </form>
            <label class="field">
                <span class="field-label">"Restore…"</span>
                <input
                    id="restore-path"
                    type="text"
                    placeholder="/path/to/headend-2026-03-09.sqlite3"
                    prop:value=move || restore_path.get()
                    on:input=move |ev| restore_path.set(event_target_value(&ev))
                />
                <span class="field-help">
                    "The backup replaces the database when Headend next starts; the current one is kept beside it as headend.sqlite3.replaced-…"
                </span>
            </label>
            <div class="form-actions">
                {move || if confirming.get() {
                    view! {
                        <span id="confirm-restore">
                            "Replace the database with this backup at the next start? "
                            <button type="button" class="danger-button" id="confirm-restore-yes" on:click=restore>"Replace"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </span>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" id="restore" disabled=move || restore_path.get().trim().is_empty()
                            on:click=move |_| { staged.set(None); confirming.set(true) }>"Restore…"</button>
                    }.into_any()
                }}
                {move || match staged.get() {
                    Some(Ok(facts)) => view! {
                        <span class="saved" id="restore-staged">
                            {format!(
                                "Ready: installation {}, last change {}. Quit Headend (tray → Quit) and start it again to finish the restore.",
                                facts.installation_id,
                                facts.last_change.unwrap_or_else(|| "none".into())
                            )}
                        </span>
                    }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error=error /> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </section>
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
