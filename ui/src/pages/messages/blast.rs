//! A blast: pick who (a router, a POP, a plan, a status, an OLT or one of
//! its PON ports for an outage), see how many it reaches on each channel
//! as the filter changes, write the text and send it after a confirm.

use headend_ipc::messages::{BlastFilterDto, BlastForm, BlastPreviewDto, BlastSentDto, Choice, OltChoice, command};
use leptos::prelude::*;
use serde::Serialize;

use super::{Options, PlaceholderChips, channel_label};
use crate::app::{Console, MessagesTab, Page};
use crate::components::{ErrorBox, Errors, FieldError, FormError, Loading, clear_error, has_error};
use crate::ipc;

#[derive(Serialize)]
struct FilterArgs {
    filter: BlastFilterDto,
}

#[derive(Serialize)]
struct FormArgs {
    form: BlastForm,
}

#[component]
pub fn Blast(options: Options) -> impl IntoView {
    move || match options.get() {
        None => Loading().into_any(),
        Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
        Some(Ok(o)) => view! {
            <BlastEditor
                routers=o.routers
                pops=o.pops
                plans=o.plans
                olts=o.olts
                placeholders=o.blast_placeholders
            />
        }
        .into_any(),
    }
}

/// "12 customers: 8 by e-mail, 3 by SMS; 1 cannot be reached".
fn reach(p: &BlastPreviewDto) -> String {
    let who = match p.customers {
        1 => "1 customer".to_owned(),
        n => format!("{n} customers"),
    };
    let by: Vec<String> = p
        .by_channel
        .iter()
        .map(|c| {
            let by = if c.channel == "email" { "e-mail" } else { channel_label(&c.channel) };
            format!("{} by {by}", c.count)
        })
        .collect();
    let mut text = if by.is_empty() { who } else { format!("{who}: {}", by.join(", ")) };
    match p.unreachable {
        0 => {}
        1 => text.push_str("; 1 cannot be reached"),
        n => text.push_str(&format!("; {n} cannot be reached")),
    }
    text
}

/// The messages a blast to `p` queues.
fn reached(p: &BlastPreviewDto) -> u64 {
    p.by_channel.iter().map(|c| c.count).sum()
}

#[component]
fn BlastEditor(
    routers: Vec<Choice>,
    pops: Vec<Choice>,
    plans: Vec<Choice>,
    olts: Vec<OltChoice>,
    placeholders: Vec<String>,
) -> impl IntoView {
    let console = Console::get();
    let filter = RwSignal::new(BlastFilterDto::default());
    let subject = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let whatsapp_name = RwSignal::new(String::new());
    let errors: Errors = RwSignal::new(Vec::new());
    let confirm = RwSignal::new(false);
    let sent = RwSignal::new(None::<BlastSentDto>);
    let count = LocalResource::new(move || {
        let filter = filter.get();
        ipc::invoke::<_, BlastPreviewDto>(command::PREVIEW_BLAST, FilterArgs { filter })
    });
    let olt_ports = {
        let olts = olts.clone();
        move |olt: Option<i64>| olts.iter().find(|o| Some(o.id) == olt).map(|o| o.ports.clone()).unwrap_or_default()
    };
    let id_select = move |id: &'static str,
                          label: &'static str,
                          items: Vec<Choice>,
                          get: fn(&BlastFilterDto) -> Option<i64>,
                          set: fn(&mut BlastFilterDto, Option<i64>)| {
        view! {
            <label class="field"><span class="field-label">{label}</span>
                <select id=id prop:value=move || filter.with(|f| get(f).map(|v| v.to_string()).unwrap_or_default())
                    on:change=move |ev| {
                        filter.update(|f| set(f, event_target_value(&ev).parse().ok()));
                        sent.set(None);
                    }>
                    <option value="">"Any"</option>
                    {items.into_iter().map(|c| view! { <option value=c.id.to_string()>{c.name}</option> }).collect_view()}
                </select>
            </label>
        }
    };
    let olt_choices: Vec<Choice> = olts.iter().map(|o| Choice { id: o.id, name: o.name.clone() }).collect();
    let send = move |_| {
        confirm.set(false);
        errors.set(Vec::new());
        let form = BlastForm {
            filter: filter.get_untracked(),
            subject: subject.get_untracked(),
            body: body.get_untracked(),
            whatsapp_name: whatsapp_name.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, BlastSentDto>(command::SEND_BLAST, FormArgs { form }).await {
                Ok(done) => sent.set(Some(done)),
                Err(e) => errors.set(vec![e]),
            }
        });
    };
    let ask = move |_| {
        errors.set(Vec::new());
        sent.set(None);
        if body.with_untracked(|b| b.trim().is_empty()) {
            errors.set(vec![headend_ipc::ErrorDto::field("body", "Write the message to send.")]);
            return;
        }
        confirm.set(true);
    };
    let reach_text = move || count.get().and_then(Result::ok).map(|p| reach(&p));
    let nobody = move || count.get().and_then(Result::ok).is_none_or(|p| reached(&p) == 0);
    view! {
        <div class="blast-layout">
            <section class="card form" id="blast-filter">
                <h2>"Who"</h2>
                <p class="field-help">"Customers with a service that matches every choice; \"Any\" everywhere is every customer."</p>
                <div class="grid-2">
                    {id_select("blast-router", "Router", routers, |f| f.router_id, |f, v| f.router_id = v)}
                    {id_select("blast-pop", "POP", pops, |f| f.pop_id, |f, v| f.pop_id = v)}
                    {id_select("blast-plan", "Plan", plans, |f| f.plan_id, |f, v| f.plan_id = v)}
                    <label class="field"><span class="field-label">"Service status"</span>
                        <select id="blast-status" prop:value=move || filter.with(|f| f.status.clone())
                            on:change=move |ev| { filter.update(|f| f.status = event_target_value(&ev)); sent.set(None); }>
                            <option value="">"Any"</option>
                            <option value="active">"Active"</option>
                            <option value="suspended">"Suspended"</option>
                            <option value="pending">"Pending"</option>
                        </select>
                    </label>
                    {id_select("blast-olt", "OLT", olt_choices, |f| f.olt_id, |f, v| { f.olt_id = v; f.port.clear(); })}
                    <label class="field"><span class="field-label">"PON port"</span>
                        <select id="blast-port" prop:value=move || filter.with(|f| f.port.clone())
                            prop:disabled=move || filter.with(|f| f.olt_id.is_none())
                            on:change=move |ev| { filter.update(|f| f.port = event_target_value(&ev)); clear_error(errors, "port"); }>
                            <option value="">"Every port"</option>
                            {move || olt_ports(filter.with(|f| f.olt_id)).into_iter().map(|p| view! { <option value=p.clone()>{p.clone()}</option> }).collect_view()}
                        </select>
                        <FieldError errors=errors field="port" />
                    </label>
                </div>
                <div class="blast-count" id="blast-count" class:muted=nobody>
                    {move || match count.get() {
                        None => "Counting…".to_owned(),
                        Some(Err(e)) => e.message,
                        Some(Ok(p)) => reach(&p),
                    }}
                </div>
            </section>
            <section class="card form" id="blast-message">
                <h2>"Message"</h2>
                <label class="field"><span class="field-label">"E-mail subject"</span>
                    <input id="blast-subject" type="text" placeholder="A message from {isp_name}" class:invalid=has_error(errors, "subject")
                        prop:value=move || subject.get()
                        on:input=move |ev| { subject.set(event_target_value(&ev)); clear_error(errors, "subject"); } />
                    <FieldError errors=errors field="subject" />
                </label>
                <PlaceholderChips placeholders=placeholders target="blast-body"
                    on_insert=move |text: String| { body.set(text); clear_error(errors, "body"); } />
                <label class="field"><span class="field-label">"Text"</span>
                    <textarea id="blast-body" rows="5" class:invalid=has_error(errors, "body")
                        placeholder="Planned maintenance tonight from 01:00 to 03:00: your connection may drop for a few minutes. {isp_name}"
                        prop:value=move || body.get()
                        on:input=move |ev| { body.set(event_target_value(&ev)); clear_error(errors, "body"); }></textarea>
                    <span class="field-help">"The same text goes by e-mail and SMS; each customer gets it on their channel."</span>
                    <FieldError errors=errors field="body" />
                </label>
                <label class="field"><span class="field-label">"WhatsApp template"</span>
                    <input id="blast-whatsapp" type="text" placeholder="Optional: an approved template's name" class:invalid=has_error(errors, "whatsapp_name")
                        prop:value=move || whatsapp_name.get()
                        on:input=move |ev| { whatsapp_name.set(event_target_value(&ev)); clear_error(errors, "whatsapp_name"); } />
                    <span class="field-help">"WhatsApp only carries approved templates: without one, customers written to on WhatsApp are left out."</span>
                    <FieldError errors=errors field="whatsapp_name" />
                </label>
                <FormError errors=errors />
                <div class="form-actions">
                    <button class="primary" id="blast-send" prop:disabled=nobody on:click=ask>"Send…"</button>
                    {move || sent.get().map(|s| view! {
                        <span class="saved" id="blast-sent">{format!("Blast {}: {} message(s) queued. ", s.id, s.queued)}
                            <button class="link" id="blast-outbox" on:click=move |_| console.open(Page::Messages(MessagesTab::Outbox { failed_only: false }))>"Follow them in the outbox →"</button>
                        </span>
                    })}
                </div>
            </section>
        </div>
        <Show when=move || confirm.get()>
            <div class="modal-backdrop">
                <div class="modal" role="dialog" id="confirm-blast">
                    <h2>"Send this blast?"</h2>
                    <p class="muted">{move || format!("{}. The messages go out at once (SMS and WhatsApp wait out quiet hours) and cannot be called back.", reach_text().unwrap_or_default())}</p>
                    <div class="form-actions">
                        <button class="primary" id="confirm-blast-yes" on:click=send>
                            {move || format!("Send {} message(s)", count.get().and_then(Result::ok).map_or(0, |p| reached(&p)))}
                        </button>
                        <button class="secondary" on:click=move |_| confirm.set(false)>"Cancel"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
