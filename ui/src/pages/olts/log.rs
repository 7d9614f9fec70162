//! An OLT's command log: every command Headend sent, how it ended and how
//! long it took; a row opens to show the OLT's raw reply.

use headend_ipc::olt::{OltLogPage, OltLogQuery, OltLogRow, command};
use leptos::prelude::*;
use serde::Serialize;

use super::when;
use crate::app::Console;
use crate::components::{EmptyState, ErrorBox, Icon, Loading};
use crate::format;
use crate::ipc;

#[derive(Serialize)]
struct QueryArgs {
    query: OltLogQuery,
}

#[component]
pub fn CommandLog(olt: i64) -> impl IntoView {
    let console = Console::get();
    // Older pages the operator loaded.
    let older = RwSignal::new(Vec::<OltLogRow>::new());
    let more = RwSignal::new(None::<bool>);
    let open = RwSignal::new(None::<i64>);
    let first = LocalResource::new(move || {
        console.olts_changed.track();
        // New commands shift the pages: start again from the newest.
        older.set(Vec::new());
        more.set(None);
        ipc::invoke::<_, OltLogPage>(
            command::OLT_LOG,
            QueryArgs { query: OltLogQuery { olt_id: olt, before_id: None } },
        )
    });
    let load_older = move |before: i64| {
        leptos::task::spawn_local(async move {
            let query = OltLogQuery { olt_id: olt, before_id: Some(before) };
            if let Ok(page) = ipc::invoke::<_, OltLogPage>(command::OLT_LOG, QueryArgs { query }).await {
                older.update(|o| o.extend(page.rows));
                more.set(Some(page.more));
            }
        });
    };
    view! {
        {move || match first.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(page)) if page.rows.is_empty() => view! {
                <EmptyState
                    icon=Icon::List
                    title="No commands yet"
                    text="Every command Headend sends to this OLT (its sweeps, authorizations, reboots) is kept here with the OLT's raw reply, how it ended and how long it took."
                />
            }
            .into_any(),
            Some(Ok(page)) => {
                let newest_page_more = page.more;
                let rows = page.rows;
                view! {
                    <div class="card table-card">
                        <table class="table olt-log" id="olt-log">
                            <thead>
                                <tr><th>"When"</th><th>"Command"</th><th>"Outcome"</th><th class="num">"Took"</th><th class="num">"Reply"</th></tr>
                            </thead>
                            <tbody>
                                {move || {
                                    let all: Vec<OltLogRow> = rows.iter().cloned().chain(older.get()).collect();
                                    all.into_iter().map(|r| view! { <LogRow row=r open=open /> }).collect_view()
                                }}
                            </tbody>
                        </table>
                    </div>
                    <Show when=move || more.get().unwrap_or(newest_page_more)>
                        <div class="pager">
                            <button class="secondary" id="olt-log-older" on:click=move |_| {
                                let oldest = older.with(|o| o.last().map(|r| r.id));
                                let oldest = oldest.or_else(|| first.get().and_then(Result::ok).and_then(|p| p.rows.last().map(|r| r.id)));
                                if let Some(id) = oldest {
                                    load_older(id);
                                }
                            }>"Load older"</button>
                        </div>
                    </Show>
                }
                .into_any()
            }
        }}
    }
}

#[component]
fn LogRow(row: OltLogRow, open: RwSignal<Option<i64>>) -> impl IntoView {
    let id = row.id;
    let is_open = move || open.get() == Some(id);
    let (class, text) = match row.outcome.as_str() {
        "ok" => ("pill pill-ok", "ok"),
        "refused" => ("pill pill-bad", "refused"),
        "timeout" => ("pill pill-warn", "timeout"),
        _ => ("pill pill-bad", "failed"),
    };
    let size = if row.reply_bytes == 0 { "—".to_owned() } else { format::bytes(row.reply_bytes) };
    let reply = row.reply.clone();
    view! {
        <tr class="log-row" class:open=is_open data-log-id=id on:click=move |_| open.update(|o| *o = if *o == Some(id) { None } else { Some(id) })>
            <td class="small nowrap">{when(&row.at)}</td>
            <td class="mono command">
                <span class="disclosure">{move || if is_open() { "▾ " } else { "▸ " }}</span>
                {row.command.clone()}
                {(!row.error.is_empty()).then(|| view! { <div class="cell-error wide">{row.error.clone()}</div> })}
            </td>
            <td><span class=class>{text}</span></td>
            <td class="num mono small">{format!("{} ms", row.duration_ms)}</td>
            <td class="num mono small">{size}</td>
        </tr>
        <Show when=is_open>
            <tr class="log-reply">
                <td colspan="5">
                    {if reply.is_empty() {
                        view! { <p class="muted small pad">"The OLT printed nothing back."</p> }.into_any()
                    } else {
                        view! { <pre class="raw-reply selectable">{reply.clone()}</pre> }.into_any()
                    }}
                </td>
            </tr>
        </Show>
    }
}
