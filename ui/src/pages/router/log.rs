//! "Sent to this router" on a router's page: the commands Headend last
//! sent it, with their outcomes and durations (the service page shows
//! one service's share of the same log).

use headend_ipc::{RouterLogRow, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::components::{ErrorBox, RouterLogTable};
use crate::ipc;

#[derive(Serialize)]
struct IdArgs {
    id: i64,
}

#[component]
pub fn RouterLogCard(id: i64) -> impl IntoView {
    let log = LocalResource::new(move || ipc::invoke::<_, Vec<RouterLogRow>>(command::ROUTER_LOG, IdArgs { id }));
    view! {
        <section class="card table-card" id="router-log">
            <div class="card-head"><h2>"Sent to this router"</h2><span class="muted small">"The latest commands, their outcome and how long they took"</span></div>
            {move || match log.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <div class="pad"><ErrorBox error=e /></div> }.into_any(),
                Some(Ok(rows)) => view! { <RouterLogTable log=rows empty="Nothing sent to this router yet." /> }.into_any(),
            }}
        </section>
    }
}
