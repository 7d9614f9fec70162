//! Settings → POPs: the sites routers and OLTs stand in, with what stands
//! in each, renamed here (`headend pop rename`). A POP is made by naming
//! it on a router's or an OLT's form.

use headend_ipc::{PopRow, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::ErrorBox;
use crate::ipc;

#[derive(Serialize)]
struct RenameArgs {
    id: i64,
    name: String,
}

#[component]
pub fn Pops(initial: Vec<PopRow>) -> impl IntoView {
    view! {
        <section class="card" id="pops">
            <h2>"POPs"</h2>
            <p class="muted small">"The sites your routers and OLTs stand in. Name a new one on a router's or an OLT's form; the map filters by them."</p>
            {if initial.is_empty() {
                view! { <p class="muted" id="pops-none">"No POPs yet."</p> }.into_any()
            } else {
                view! {
                    <table class="table" id="pops-table">
                        <thead><tr><th>"Name"</th><th class="num">"Routers"</th><th class="num">"OLTs"</th><th></th></tr></thead>
                        <tbody>{initial.into_iter().map(|p| view! { <PopLine pop=p /> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PopLine(pop: PopRow) -> impl IntoView {
    let id = pop.id;
    let name = RwSignal::new(pop.name.clone());
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<headend_ipc::ErrorDto>);
    let rename = move |_| {
        error.set(None);
        saved.set(false);
        let args = RenameArgs { id, name: name.get_untracked() };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, PopRow>(command::RENAME_POP, args).await {
                Ok(p) => {
                    name.set(p.name);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <tr class="pop-row" data-pop-id=id>
            <td><input type="text" class="pop-name" prop:value=move || name.get()
                on:input=move |ev| { name.set(event_target_value(&ev)); saved.set(false); } />
                {move || error.get().map(|e| view! { <ErrorBox error=e /> })}</td>
            <td class="num mono">{pop.routers}</td>
            <td class="num mono">{pop.olts}</td>
            <td><button type="button" class="secondary pop-rename" on:click=rename>"Rename"</button>
                <Show when=move || saved.get()><span class="saved pop-saved">" Saved."</span></Show></td>
        </tr>
    }
}
