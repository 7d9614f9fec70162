//! Calls into the app over Tauri's IPC (`window.__TAURI__`, enabled by
//! `withGlobalTauri`), typed with the shapes of `headend-ipc`.

use headend_ipc::{ErrorCode, ErrorDto};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "core"], js_name = invoke)]
    async fn tauri_invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(catch, js_namespace = ["window", "__TAURI__", "event"], js_name = listen)]
    async fn tauri_listen(event: &str, handler: &Closure<dyn FnMut(JsValue)>) -> Result<JsValue, JsValue>;
}

fn internal(message: impl ToString) -> ErrorDto {
    ErrorDto::new(ErrorCode::Internal, message.to_string())
}

/// Invokes `cmd` with `args` (a struct whose fields are the command's
/// parameters) and decodes the answer or the command's error.
pub async fn invoke<A: Serialize, T: DeserializeOwned>(cmd: &str, args: A) -> Result<T, ErrorDto> {
    let args = serde_wasm_bindgen::to_value(&args).map_err(internal)?;
    match tauri_invoke(cmd, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value).map_err(internal),
        Err(err) => Err(serde_wasm_bindgen::from_value(err.clone())
            .unwrap_or_else(|_| internal(err.as_string().unwrap_or_else(|| format!("{err:?}"))))),
    }
}

/// Invokes a command that takes no arguments.
pub async fn call<T: DeserializeOwned>(cmd: &str) -> Result<T, ErrorDto> {
    #[derive(Serialize)]
    struct NoArgs {}
    invoke(cmd, NoArgs {}).await
}

/// Calls `handler` with each payload of `event` for the life of the page.
pub fn listen<T: DeserializeOwned + 'static>(event: &'static str, mut handler: impl FnMut(T) + 'static) {
    let closure = Closure::new(move |raw: JsValue| {
        let payload = js_sys::Reflect::get(&raw, &JsValue::from_str("payload")).unwrap_or(JsValue::NULL);
        match serde_wasm_bindgen::from_value(payload) {
            Ok(value) => handler(value),
            Err(err) => web_sys::console::error_1(&format!("bad {event} payload: {err}").into()),
        }
    });
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(err) = tauri_listen(event, &closure).await {
            web_sys::console::error_1(&err);
        }
        // The listener lives as long as the page.
        closure.forget();
    });
}
