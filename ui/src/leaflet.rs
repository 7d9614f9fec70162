//! The bridge to the map widget (`ui/js/headend-map.js` over the vendored
//! Leaflet): loads its scripts the first time a map opens (the console
//! starts without them), then drives one map per element.

use std::cell::Cell;

use headend_ipc::map::MapFeature;
use js_sys::{Function, Object, Promise, Reflect};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = HeadendMap)]
    type JsMap;

    #[wasm_bindgen(constructor, js_class = "HeadendMap")]
    fn new(el: &web_sys::HtmlElement, options: JsValue, handlers: &Object) -> JsMap;
    #[wasm_bindgen(method, js_name = setFeatures)]
    fn set_features(this: &JsMap, kind: &str, features: JsValue);
    #[wasm_bindgen(method, js_name = setLines)]
    fn set_lines(this: &JsMap, lines: JsValue);
    #[wasm_bindgen(method, js_name = showLayer)]
    fn show_layer(this: &JsMap, name: &str, on: bool);
    #[wasm_bindgen(method, js_name = fitAll)]
    fn fit_all(this: &JsMap);
    #[wasm_bindgen(method)]
    fn focus(this: &JsMap, kind: &str, id: f64) -> bool;
    #[wasm_bindgen(method, js_name = setView)]
    fn set_view(this: &JsMap, lat: f64, lon: f64, zoom: f64);
    #[wasm_bindgen(method)]
    fn view(this: &JsMap) -> JsValue;
    #[wasm_bindgen(method, js_name = setPicking)]
    fn set_picking(this: &JsMap, on: bool);
    #[wasm_bindgen(method, js_name = showPick)]
    fn show_pick(this: &JsMap, lat: f64, lon: f64);
    #[wasm_bindgen(method)]
    fn destroy(this: &JsMap);

    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], js_name = convertFileSrc)]
    fn convert_file_src(path: &str, protocol: &str) -> String;
}

/// The files, in load order: each script needs the one before it.
const STYLES: [&str; 2] = ["leaflet/leaflet.css", "leaflet.markercluster/MarkerCluster.css"];
const SCRIPTS: [&str; 3] = ["leaflet/leaflet.js", "leaflet.markercluster/leaflet.markercluster.js", "headend-map.js"];

thread_local! {
    static LOADED: Cell<bool> = const { Cell::new(false) };
}

/// Adds one `<script>` or `<link>` and waits for it.
async fn load(tag: &str, url: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let el = document.create_element(tag).map_err(|_| "cannot create an element")?;
    let head = document.head().ok_or("no <head>")?;
    let done = Promise::new(&mut |resolve: Function, reject: Function| {
        let _ = Reflect::set(&el, &"onload".into(), &resolve);
        let _ = Reflect::set(&el, &"onerror".into(), &reject);
    });
    if tag == "link" {
        el.set_attribute("rel", "stylesheet").map_err(|_| "cannot set rel")?;
        el.set_attribute("href", url).map_err(|_| "cannot set href")?;
    } else {
        el.set_attribute("src", url).map_err(|_| "cannot set src")?;
    }
    head.append_child(&el).map_err(|_| "cannot add to <head>")?;
    JsFuture::from(done).await.map(|_| ()).map_err(|_| format!("the map's {url} did not load"))
}

/// Loads Leaflet and the widget once per window.
pub async fn ensure_loaded() -> Result<(), String> {
    if LOADED.with(Cell::get) {
        return Ok(());
    }
    for url in STYLES {
        load("link", url).await?;
    }
    for url in SCRIPTS {
        load("script", url).await?;
    }
    LOADED.with(|l| l.set(true));
    Ok(())
}

/// What a map does when the operator acts on it.
pub struct Handlers {
    /// A popup's button: (kind, id).
    pub open: Box<dyn Fn(String, i64)>,
    /// A click while picking: (lat, lon).
    pub picked: Box<dyn Fn(f64, f64)>,
    /// The view moved or zoomed.
    pub moved: Box<dyn Fn()>,
    /// A tile could not be loaded (offline and not on disk).
    pub tile_failed: Box<dyn Fn()>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Options<'a> {
    tile_url: String,
    attribution: &'a str,
    center: [f64; 2],
    zoom: u8,
}

/// What is on screen.
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
pub struct View {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
    pub zoom: f64,
}

/// A callback the widget calls with up to two arguments.
type Callback = Closure<dyn Fn(JsValue, JsValue)>;

/// One map in one element; destroyed with the page.
pub struct Map {
    js: JsMap,
    // The callbacks live as long as the map.
    _closures: Vec<Callback>,
}

impl Map {
    /// A map in `el` at `center` and `zoom`, its tiles through the app's
    /// `tile:` protocol.
    pub fn new(
        el: &web_sys::HtmlElement,
        attribution: &str,
        center: (f64, f64),
        zoom: u8,
        handlers: Handlers,
    ) -> Result<Self, String> {
        let tile_url = format!("{}{{z}}/{{x}}/{{y}}.png", convert_file_src("", "tile"));
        let options = Options { tile_url, attribution, center: [center.0, center.1], zoom };
        let options = serde_wasm_bindgen::to_value(&options).map_err(|e| e.to_string())?;
        let Handlers { open, picked, moved, tile_failed } = handlers;
        let closures: Vec<(&str, Callback)> = vec![
            (
                "open",
                Closure::new(move |kind: JsValue, id: JsValue| {
                    if let (Some(kind), Some(id)) = (kind.as_string(), id.as_f64()) {
                        open(kind, id as i64);
                    }
                }),
            ),
            (
                "picked",
                Closure::new(move |lat: JsValue, lon: JsValue| {
                    if let (Some(lat), Some(lon)) = (lat.as_f64(), lon.as_f64()) {
                        picked(lat, lon);
                    }
                }),
            ),
            ("moved", Closure::new(move |_: JsValue, _: JsValue| moved())),
            ("tileFailed", Closure::new(move |_: JsValue, _: JsValue| tile_failed())),
        ];
        let object = Object::new();
        for (name, closure) in &closures {
            Reflect::set(&object, &(*name).into(), closure.as_ref().unchecked_ref()).map_err(|_| "handlers")?;
        }
        let js = JsMap::new(el, options, &object);
        Ok(Self { js, _closures: closures.into_iter().map(|(_, c)| c).collect() })
    }

    /// Shows `features` as the markers of `kind`; markers already shown
    /// only change what changed.
    pub fn set_features(&self, kind: &str, features: &[&MapFeature]) {
        match serde_wasm_bindgen::to_value(features) {
            Ok(value) => self.js.set_features(kind, value),
            Err(err) => web_sys::console::error_1(&format!("map features: {err}").into()),
        }
    }

    pub fn set_lines(&self, lines: &[[f64; 4]]) {
        if let Ok(value) = serde_wasm_bindgen::to_value(lines) {
            self.js.set_lines(value);
        }
    }

    pub fn show_layer(&self, name: &str, on: bool) {
        self.js.show_layer(name, on);
    }

    pub fn fit_all(&self) {
        self.js.fit_all();
    }

    /// Opens one marker's popup; false if it is not on the map.
    pub fn focus(&self, kind: &str, id: i64) -> bool {
        self.js.focus(kind, id as f64)
    }

    pub fn set_view(&self, lat: f64, lon: f64, zoom: u8) {
        self.js.set_view(lat, lon, f64::from(zoom));
    }

    pub fn view(&self) -> Option<View> {
        serde_wasm_bindgen::from_value(self.js.view()).ok()
    }

    pub fn set_picking(&self, on: bool) {
        self.js.set_picking(on);
    }

    pub fn show_pick(&self, lat: f64, lon: f64) {
        self.js.show_pick(lat, lon);
    }
}

impl Drop for Map {
    fn drop(&mut self) {
        self.js.destroy();
    }
}
