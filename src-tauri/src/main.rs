//! Headend's desktop app: a thin Tauri shell. It resolves the data
//! directory, starts logging, opens the database and the secret store,
//! starts the provisioning engine, then hands the window to the UI.
//! Everything with rules in it lives in the library crates; this crate only
//! wires them to windows, the tray and IPC.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod alerts;
mod backups;
mod commands;
mod demo;
mod demo_isp;
mod history;
mod invoicing;
mod live;
mod logging;
mod map_tiles;
mod messaging;
mod olts;
mod provisioning;
mod settings;
mod state;
mod tray;
mod window;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use headend_secrets::{SecretStore, SubscriberCipher};
use headend_store::{DataDir, Store};
use tauri::{Manager, RunEvent};

use crate::state::AppState;

#[derive(Debug, Parser)]
#[command(name = "headend-app", version, about = "Headend: network operations console for small ISPs")]
struct Args {
    /// The data directory (default: HEADEND_DATA_DIR, then the platform's application-data folder).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Open a demo ISP (simulated routers, an OLT and a town of customers)
    /// in a throwaway data directory, deleted when the window closes: made
    /// inside the temporary folder, or inside --data-dir when given (which
    /// is then never written to itself).
    #[arg(long)]
    demo_isp: bool,
}

fn main() -> ExitCode {
    let started = std::time::Instant::now();
    let args = Args::parse();
    if let Some(problem) = missing_display() {
        eprintln!("headend-app: {problem}");
        return ExitCode::FAILURE;
    }
    match run(args, started) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err:#}");
            eprintln!("headend-app: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Watches every stored router and keeps the UI in step with them.
fn start_watching(app: &tauri::AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        match state.store.routers().await {
            Ok(routers) => routers.into_iter().for_each(|r| state.fleet.watch(r)),
            Err(err) => tracing::error!("cannot read the routers: {err}"),
        }
        live::push_changes(app.clone(), state.fleet.clone(), state.session_watch.clone()).await;
    });
}

/// GTK aborts without a display; say so in words instead.
fn missing_display() -> Option<&'static str> {
    let has = |var| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    (cfg!(target_os = "linux") && !has("DISPLAY") && !has("WAYLAND_DISPLAY")).then_some(
        "no display: neither DISPLAY nor WAYLAND_DISPLAY is set. Run Headend in a desktop session \
         (or under xvfb-run on a server); for headless use there is the `headend` command line.",
    )
}

fn run(args: Args, started: std::time::Instant) -> anyhow::Result<()> {
    let demo_dir = args.demo_isp.then(|| demo_isp::data_dir(args.data_dir.as_deref(), std::process::id()));
    let data_dir = DataDir::resolve(demo_dir.as_deref().or(args.data_dir.as_deref()))?;
    let _log_guard = logging::init(&data_dir.log_dir())?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), data_dir = %data_dir.root().display(), "starting");

    // A restore the operator confirmed in Settings, before the database opens.
    match tauri::async_runtime::block_on(headend_workflows::backup::apply_pending_restore(
        &data_dir,
        jiff::Timestamp::now(),
    )) {
        Ok(Some(restored)) => tracing::info!(replaced = ?restored.replaced, "database restored from the staged backup"),
        Ok(None) => {}
        Err(err) => tracing::error!("the staged restore was not applied: {err}"),
    }
    let store =
        tauri::async_runtime::block_on(Store::open(&data_dir.database_path())).context("opening the database")?;
    // Scoped by the database, whose router ids repeat in other data directories.
    let scope = tauri::async_runtime::block_on(store.installation_id()).context("reading the database")?;
    let secrets = SecretStore::open().context("opening the secret store")?.scoped(&scope);
    tracing::info!(backend = %secrets.backend(), "secret store ready");
    let cipher = tauri::async_runtime::block_on(subscriber_cipher(&store, &secrets));
    let settings_path = data_dir.settings_path();
    let holder = tauri::async_runtime::block_on(store.engine_holder("app")).context("starting the engines")?;
    let map_tiles = map_tiles::MapTiles::open(data_dir.root()).context("opening the map's tile cache")?;
    let mut state = AppState::new(data_dir, store, secrets, cipher, holder, started);
    if args.demo_isp {
        let demo = tauri::async_runtime::block_on(demo_isp::DemoIsp::start(&state.workflows))?;
        state.demo_isp = Some(demo_isp::DemoIspRun::new(demo));
    }

    let builder = tauri::Builder::default();
    // First, so a second launch hands over before anything else starts. The
    // demo ISP runs beside the operator's app, so it is not the single one.
    let builder = if args.demo_isp {
        builder
    } else {
        builder.plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            tray::show_main_window(app);
        }))
    };
    builder
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .manage(map_tiles)
        .register_asynchronous_uri_scheme_protocol("tile", map_tiles::serve)
        .manage(window::GeometryChanges::default())
        .on_window_event(window::on_window_event)
        .setup(move |app| {
            settings::load(app.handle(), &settings_path)?;
            map_tiles::load(app.handle(), &settings_path)?;
            tray::create(app.handle())?;
            start_watching(app.handle());
            provisioning::start(app.handle());
            olts::start(app.handle());
            backups::start(app.handle());
            history::start(app.handle());
            invoicing::start(app.handle());
            messaging::start(app.handle());
            provisioning::quit_on_signals(app.handle());
            if let Some(window) = app.get_webview_window("main") {
                settings::apply_theme(&window, app.state::<AppState>().settings().theme);
                if args.demo_isp {
                    window.set_title("Headend — demo ISP")?;
                }
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::dashboard,
            commands::app::get_settings,
            commands::app::save_settings,
            commands::app::ui_ready,
            commands::backups::get_backups,
            commands::backups::set_backup_keep_days,
            commands::backups::back_up_now,
            commands::backups::stage_restore,
            commands::routers::list_routers,
            commands::routers::save_router,
            commands::routers::remove_router,
            commands::routers::pin_router_certificate,
            commands::routers::test_router,
            commands::routers::router_interfaces,
            commands::routers::watch_sessions,
            commands::routers::kick_session,
            commands::routers::start_demo,
            commands::demo_isp::explore_demo_isp,
            commands::demo_isp::leave_demo_isp,
            commands::routers::stop_demo,
            commands::radius::get_radius_settings,
            commands::radius::radius_overview,
            commands::radius::save_radius_settings,
            commands::radius::radius_server_status,
            commands::radius::get_router_backend,
            commands::radius::set_router_backend,
            commands::radius::router_radius_setup,
            commands::policy::get_policy,
            commands::policy::save_policy,
            commands::policy::get_router_suspension,
            commands::policy::set_router_suspension,
            commands::routers::session_service,
            commands::routers::router_log,
            commands::routers::list_pops,
            commands::routers::pop_overviews,
            commands::routers::rename_pop,
            commands::map::map_view,
            commands::map::count_map_area,
            commands::map::save_map_area,
            commands::map::get_tile_settings,
            commands::map::save_tile_settings,
            commands::radius::radius_test_login,
            commands::plans::list_plans,
            commands::plans::save_plan,
            commands::services::list_services,
            commands::services::get_service,
            commands::services::save_service,
            commands::services::set_service_status,
            commands::payments::preview_payment,
            commands::payments::record_payment,
            commands::services::retry_service,
            commands::bulk::bulk_change,
            commands::sessions::service_sessions,
            commands::sessions::service_usage,
            commands::sessions::get_session_retention,
            commands::sessions::set_session_retention,
            commands::billing::invoices::list_invoices,
            commands::billing::invoices::get_invoice,
            commands::billing::documents::save_invoice_pdf,
            commands::billing::documents::print_invoice,
            commands::billing::documents::save_receipt_pdf,
            commands::billing::invoices::void_invoice,
            commands::billing::invoices::credit_invoice,
            commands::billing::invoices::run_invoices,
            commands::billing::invoices::customer_statement,
            commands::billing::invoices::add_charge,
            commands::billing::invoices::revenue,
            commands::billing::invoices::overdue_customers,
            commands::billing::settings::get_billing_settings,
            commands::billing::settings::save_billing_settings,
            commands::billing::settings::set_company_logo,
            commands::billing::documents::export_billing,
            commands::messages::outbox::list_messages,
            commands::messages::outbox::retry_message,
            commands::messages::outbox::customer_messages,
            commands::messages::blast::message_options,
            commands::messages::settings::get_message_settings,
            commands::messages::settings::save_message_settings,
            commands::messages::settings::send_test_message,
            commands::messages::templates::get_message_template,
            commands::messages::templates::save_message_template,
            commands::messages::templates::reset_message_template,
            commands::messages::templates::preview_message_template,
            commands::messages::blast::preview_blast,
            commands::messages::blast::send_blast,
            commands::messages::contacts::get_customer_contact,
            commands::messages::contacts::save_customer_contact,
            commands::activity::list_activity,
            commands::provisioning::list_failures,
            commands::provisioning::list_queue,
            commands::provisioning::retry_queue_entry,
            commands::provisioning::dry_run,
            commands::provisioning::sweep_now,
            commands::import::import_services,
            commands::import::adopt_router_secrets,
            commands::olts::inventory::list_olts,
            commands::olts::inventory::save_olt,
            commands::olts::inventory::remove_olt,
            commands::olts::inventory::pin_olt_key,
            commands::olts::inventory::sweep_olt,
            commands::olts::onus::olt_ports,
            commands::olts::onus::list_onus,
            commands::olts::onus::get_onu,
            commands::olts::onus::read_onu_optical,
            commands::olts::onus::reboot_onu,
            commands::olts::onus::deregister_onu,
            commands::olts::authorize::list_unconfigured,
            commands::olts::authorize::refresh_autofind,
            commands::olts::authorize::authorize_draft,
            commands::olts::authorize::authorize_onu,
            commands::olts::inventory::olt_log,
            commands::olts::zero_touch::get_zero_touch,
            commands::olts::zero_touch::set_zero_touch,
            commands::olts::zero_touch::get_plan_olt_profile,
            commands::olts::zero_touch::set_plan_olt_profile,
            commands::olts::settings::get_signal_settings,
            commands::olts::settings::save_signal_settings,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .context("building the desktop app")?
        .run(|app, event| match event {
            // The window hides instead of closing, so this only comes from
            // Quit (with a code); anything else must not end the engine.
            RunEvent::ExitRequested { code: None, api, .. } => api.prevent_exit(),
            RunEvent::Exit => {
                let state = app.state::<AppState>();
                if let Some(demo) = &state.demo_isp {
                    demo.end(&state.secrets, state.data_dir.root());
                }
            }
            _ => {}
        });
    Ok(())
}

/// The key for the PPPoE passwords the operator types and the engine
/// pushes, as the database expects it (never a new key once passwords are
/// encrypted: `open_subscriber_cipher`). Without it the app still runs:
/// PPPoE passwords cannot be set and the engine leaves PPPoE secrets as
/// they are on the routers.
async fn subscriber_cipher(store: &Store, secrets: &SecretStore) -> Option<SubscriberCipher> {
    match headend_workflows::open_subscriber_cipher(store, secrets).await {
        Ok(cipher) => Some(cipher),
        Err(err) => {
            tracing::warn!(
                "no key for PPPoE passwords ({err}): PPPoE passwords cannot be set, and PPPoE secrets are left as they are on the routers"
            );
            None
        }
    }
}
