//! The console's front end: Leptos, client-side rendered, built with Trunk
//! into `ui/dist`, which the desktop app embeds. It knows the app only
//! through the IPC shapes of `headend-ipc`.

mod app;
mod components;
mod format;
mod ipc;
mod leaflet;
mod location;
mod pages;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
