//! A RADIUS router's set-up on its page: the RouterOS commands it needs,
//! and the router read back ("Check the router") or put right over its API
//! ("Apply on the router"), with what is still wrong.

use headend_ipc::ErrorDto;
use headend_ipc::radius::command::ROUTER_RADIUS_SETUP;
use headend_ipc::radius::{RouterBackendView, RouterSetupDto};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{CopyBlock, ErrorBox};
use crate::ipc;

#[derive(Serialize)]
struct SetupArgs {
    id: i64,
    apply: bool,
}

/// What a router in RADIUS mode needs, what it lacks, and what its next
/// sweep does.
#[component]
pub fn RadiusSetup(view: RouterBackendView) -> impl IntoView {
    let id = view.id;
    let answer = RwSignal::new(None::<Result<RouterSetupDto, ErrorDto>>);
    let busy = RwSignal::new(false);
    let run = move |apply: bool| {
        busy.set(true);
        answer.set(None);
        leptos::task::spawn_local(async move {
            let result = ipc::invoke::<_, RouterSetupDto>(ROUTER_RADIUS_SETUP, SetupArgs { id, apply }).await;
            answer.set(Some(result));
            busy.set(false);
        });
    };
    let has_commands = !view.routeros_commands.is_empty();
    view! {
        <div id="radius-setup">
            <h3>"On the router"</h3>
            {if has_commands {
                view! {
                    <p class="muted small">"Paste these into the router's terminal, with the shared secret in place of the placeholder, or let Headend apply them over the API:"</p>
                    <CopyBlock id="routeros-commands" text=view.routeros_commands.join("\n") />
                    <div class="form-actions">
                        <button type="button" id="radius-setup-check" prop:disabled=move || busy.get()
                            on:click=move |_| run(false)>"Check the router"</button>
                        <button type="button" id="radius-setup-apply" prop:disabled=move || busy.get()
                            on:click=move |_| run(true)>"Apply on the router"</button>
                        <Show when=move || busy.get()><span class="muted small">"Talking to the router…"</span></Show>
                    </div>
                }.into_any()
            } else {
                view! { <p class="warn-text">"Save the RADIUS server's address in Settings → RADIUS to see the commands this router needs."</p> }.into_any()
            }}
            {move || answer.get().map(|result| view! { <SetupAnswer result=result /> })}
            <p class="muted small" id="radius-move-note">
                "The next sweep moves this router's users: FreeRADIUS gets them first, then the router's own PPP secrets go. Nobody is disconnected; customers who log in again are let in by FreeRADIUS."
            </p>
        </div>
    }
}

#[component]
fn SetupAnswer(result: Result<RouterSetupDto, ErrorDto>) -> impl IntoView {
    let setup = match result {
        Ok(setup) => setup,
        Err(error) => return view! { <div id="radius-setup-result"><ErrorBox error=error /></div> }.into_any(),
    };
    let applied = (!setup.applied.is_empty()).then(|| {
        view! {
            <p class="small">"Written to the router:"</p>
            <ul class="small mono" id="radius-setup-applied">
                {setup.applied.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
        }
    });
    let state = if !setup.unreadable.is_empty() {
        view! { <p class="warn-text" id="radius-setup-state">{format!("Not checked: {}", setup.unreadable)}</p> }
            .into_any()
    } else if setup.issues.is_empty() {
        view! { <p class="ok-text" id="radius-setup-state">"The router is set up for RADIUS."</p> }.into_any()
    } else {
        view! {
            <div id="radius-setup-state">
                <p class="warn-text">"The router's set-up is not right yet:"</p>
                <ul class="small" id="radius-setup-issues">
                    {setup.issues.into_iter().map(|issue| view! { <li class="warn-text">{issue}</li> }).collect_view()}
                </ul>
            </div>
        }
        .into_any()
    };
    view! { <div id="radius-setup-result">{applied}{state}</div> }.into_any()
}
