//! Settings → Map tiles: which tile server the map draws from (a
//! `{z}/{x}/{y}` address), whose map it says it is, and how much of it is
//! kept on this computer. Errors sit next to their field ("tile_url",
//! "attribution").

use headend_ipc::map::{TileSettings, TileSettingsForm, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{Errors, FieldError, FormError, clear_error, has_error};
use crate::format;
use crate::ipc;

#[derive(Serialize)]
struct FormArgs {
    form: TileSettingsForm,
}

#[component]
pub fn MapTiles(initial: TileSettings) -> impl IntoView {
    let default_url = initial.default_url.clone();
    let current = RwSignal::new(initial.clone());
    let url = RwSignal::new(initial.tile_url);
    let attribution = RwSignal::new(initial.attribution);
    let errors: Errors = RwSignal::new(Vec::new());
    let saved = RwSignal::new(false);
    let saving = RwSignal::new(false);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        saved.set(false);
        saving.set(true);
        let form = TileSettingsForm { tile_url: url.get_untracked(), attribution: attribution.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, TileSettings>(command::SAVE_TILE_SETTINGS, FormArgs { form }).await {
                Ok(s) => {
                    url.set(s.tile_url.clone());
                    attribution.set(s.attribution.clone());
                    current.set(s);
                    saved.set(true);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    let edit = move |field: &'static str, value: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            value.set(event_target_value(&ev));
            saved.set(false);
            clear_error(errors, field);
        }
    };

    view! {
        <form class="card form" id="map-tiles" novalidate=true on:submit=save>
            <h2>"Map tiles"</h2>
            <p class="muted small">
                "The street map under your network comes from a tile server through Headend, which keeps every tile it shows on this computer: the map still works on site with no network. OpenStreetMap's tiles are free for light use such as this; a busy ISP may prefer its own tile server or a commercial one."
            </p>
            <div class="grid-2">
                <label class="field">
                    <span class="field-label">"Tile address"</span>
                    <input id="tile-url" type="text" class:invalid=has_error(errors, "tile_url")
                        prop:value=move || url.get() on:input=edit("tile_url", url) />
                    <span class="field-help">{format!("With {{z}}, {{x}} and {{y}}. The default is {default_url}.")}</span>
                    <FieldError errors=errors field="tile_url" />
                </label>
                <label class="field">
                    <span class="field-label">"Attribution"</span>
                    <input id="tile-attribution" type="text" class:invalid=has_error(errors, "attribution")
                        prop:value=move || attribution.get() on:input=edit("attribution", attribution) />
                    <span class="field-help">"Shown in the map's corner, as the tile server's terms ask."</span>
                    <FieldError errors=errors field="attribution" />
                </label>
            </div>
            <p class="muted small" id="tile-cache">
                {move || format!("Tiles kept on this computer: {}.", format::bytes(current.with(|c| c.cached_bytes)))}
            </p>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="tile-save" prop:disabled=move || saving.get()>"Save"</button>
                <Show when=move || saved.get()><span class="saved" id="tile-saved">"Saved."</span></Show>
            </div>
        </form>
    }
}
