//! The Billing area: invoices (and one shown as it prints), the plans
//! (each a PPP profile on every router, with its rate limit, optional
//! burst, price, cycle and tax), the billing settings and the exports.

mod exports;
mod invoice;
mod invoices;
mod olt_profile;
mod settings;

use headend_ipc::{BurstDto, PlanForm, PlanRow, PlanSessionDto, command};
use leptos::prelude::*;
use serde::Serialize;

use crate::app::{BillingTab, Console};
use crate::components::{EmptyState, ErrorBox, Errors, FieldError, FormError, Icon, Loading, clear_error, has_error};
use crate::ipc;

/// The Billing area: its tabs, or one invoice when one is open.
#[component]
pub fn Billing() -> impl IntoView {
    let console = Console::get();
    let tab = console.billing_tab;
    let tabs = [
        (BillingTab::Invoices, "tab-invoices", "Invoices"),
        (BillingTab::Plans, "tab-plans", "Plans"),
        (BillingTab::Settings, "tab-billing-settings", "Settings"),
        (BillingTab::Exports, "tab-exports", "Exports"),
    ];
    view! {
        {move || match console.invoice.get() {
            Some(number) => view! { <invoice::InvoicePage number=number /> }.into_any(),
            None => view! {
                <div class="page-header">
                    <h1 id="page-title">"Billing"</h1>
                    <p class="muted">"Invoices, payments and what customers owe; the plans they buy; how documents print."</p>
                </div>
                <div class="tabs" role="tablist">
                    {tabs.into_iter().map(|(t, id, label)| view! {
                        <button class="tab" id=id role="tab" class:active=move || tab.get() == t on:click=move |_| tab.set(t)>{label}</button>
                    }).collect_view()}
                </div>
                {move || match tab.get() {
                    BillingTab::Invoices => invoices::Invoices().into_any(),
                    BillingTab::Plans => Plans().into_any(),
                    BillingTab::Settings => settings::BillingSettings().into_any(),
                    BillingTab::Exports => exports::Exports().into_any(),
                }}
            }.into_any(),
        }}
    }
}

#[derive(Serialize)]
struct FormArgs {
    form: PlanForm,
}

fn blank() -> PlanForm {
    PlanForm { cycle: "monthly".into(), ..PlanForm::default() }
}

fn edit_form(p: &PlanRow) -> PlanForm {
    PlanForm {
        id: Some(p.id),
        name: p.name.clone(),
        download: p.download.clone(),
        upload: p.upload.clone(),
        burst: p.burst.clone().unwrap_or_default(),
        price: p.price.clone(),
        cycle: p.cycle.clone(),
        tax_rate: p.tax_rate.clone(),
        session: p.session.clone(),
    }
}

/// A plan's timeouts and pool in a line, `None` when it has none.
fn session_text(s: &PlanSessionDto) -> Option<String> {
    let parts: Vec<String> =
        [("session-timeout", &s.session_timeout), ("idle-timeout", &s.idle_timeout), ("pool", &s.address_pool)]
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(name, value)| format!("{name} {value}"))
            .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The rate-limit RouterOS will hold, as typed so far (upload first).
fn preview(f: &PlanForm) -> String {
    let or = |s: &str, d: &'static str| if s.trim().is_empty() { d.to_owned() } else { s.trim().to_owned() };
    let mut text = format!("{}/{}", or(&f.upload, "?"), or(&f.download, "?"));
    let b = &f.burst;
    if ![&b.download, &b.upload, &b.threshold_download, &b.threshold_upload, &b.time_secs]
        .iter()
        .all(|v| v.trim().is_empty())
    {
        let time = or(&b.time_secs, "?");
        let time = if time.contains('/') { time } else { format!("{time}/{time}") };
        text.push_str(&format!(
            " {}/{} {}/{} {}",
            or(&b.upload, "?"),
            or(&b.download, "?"),
            or(&b.threshold_upload, "?"),
            or(&b.threshold_download, "?"),
            time
        ));
    }
    text
}

#[component]
fn Plans() -> impl IntoView {
    let console = Console::get();
    let reload = RwSignal::new(0_u32);
    let plans = LocalResource::new(move || {
        reload.track();
        console.provisioning_changed.track();
        ipc::call::<Vec<PlanRow>>(command::LIST_PLANS)
    });
    let form = RwSignal::new(None::<PlanForm>);
    let saved = RwSignal::new(None::<PlanRow>);
    view! {
        <div class="toolbar with-actions">
            <p class="muted">"Plans are what customers buy: each becomes a PPP profile on every router, with its rate limit."</p>
            <div class="actions">
                <button class="primary with-icon" id="new-plan" on:click=move |_| { saved.set(None); form.set(Some(blank())) }>
                    {Icon::Plus.view()}"New plan"
                </button>
            </div>
        </div>
        {move || saved.get().map(|p| view! {
            <div class="ok-box" id="plan-saved">
                {format!("{} saved. On the routers it is the PPP profile {} with rate-limit {}.", p.name, p.profile, p.rate_limit)}
            </div>
        })}
        {move || form.get().map(|f| view! { <PlanEditor initial=f form=form saved=saved reload=reload /> })}
        {move || match plans.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(list)) if list.is_empty() && form.with(Option::is_some) => ().into_any(),
            Some(Ok(list)) if list.is_empty() => view! {
                <EmptyState
                    icon=Icon::Receipt
                    title="No plans yet"
                    text="Create your plans first: each has a download and upload rate (with an optional burst), a price and a billing cycle. A plan's rate becomes a PPP profile on every router, and its price drives due dates and automatic suspension."
                >
                    <div class="empty-actions">
                        <button class="primary" on:click=move |_| form.set(Some(blank()))>"New plan"</button>
                    </div>
                </EmptyState>
            }
            .into_any(),
            Some(Ok(list)) => view! { <PlanTable plans=list form=form saved=saved /> }.into_any(),
        }}
    }
}

/// A cycle of days ("7d").
fn is_days(cycle: &str) -> bool {
    cycle.strip_suffix('d').is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
}

/// A cycle as the table reads: "monthly", "every 7 days".
fn cycle_text(cycle: &str) -> String {
    match cycle.strip_suffix('d') {
        Some(n) if is_days(cycle) => format!("every {n} days"),
        _ => cycle.to_owned(),
    }
}

#[component]
fn PlanTable(plans: Vec<PlanRow>, form: RwSignal<Option<PlanForm>>, saved: RwSignal<Option<PlanRow>>) -> impl IntoView {
    view! {
        <div class="card table-card">
            <table class="table" id="plans-table">
                <thead>
                    <tr>
                        <th>"Plan"</th><th class="num">"Download"</th><th class="num">"Upload"</th><th>"Burst"</th>
                        <th>"Router profile"</th><th class="num">"Price"</th><th>"Cycle"</th><th class="num">"Tax"</th><th></th>
                    </tr>
                </thead>
                <tbody>
                    {plans
                        .into_iter()
                        .map(|p| {
                            let editable = p.clone();
                            let burst = p.burst.as_ref().map(|b| format!("{} / {} for {} s", b.download, b.upload, b.time_secs));
                            view! {
                                <tr class="plan-row" data-plan-id=p.id>
                                    <td class="strong">{p.name.clone()}</td>
                                    <td class="mono num">{p.download.clone()}</td>
                                    <td class="mono num">{p.upload.clone()}</td>
                                    <td class="mono">{burst.unwrap_or_else(|| "—".to_owned())}</td>
                                    <td>
                                        <div class="mono">{p.profile.clone()}</div>
                                        <div class="mono muted small" title="rate-limit, upload first as RouterOS writes it">{p.rate_limit.clone()}</div>
                                        {session_text(&p.session).map(|text| view! { <div class="muted small plan-session">{text}</div> })}
                                    </td>
                                    <td class="mono num">{p.price.clone()}</td>
                                    <td>{cycle_text(&p.cycle)}</td>
                                    <td class="mono num">{if p.tax_rate.is_empty() { "ISP rate".to_owned() } else { format!("{}%", p.tax_rate) }}</td>
                                    <td class="row-actions">
                                        <button class="link" on:click=move |_| { saved.set(None); form.set(Some(edit_form(&editable))) }>"Edit"</button>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn PlanEditor(
    initial: PlanForm,
    form: RwSignal<Option<PlanForm>>,
    saved: RwSignal<Option<PlanRow>>,
    reload: RwSignal<u32>,
) -> impl IntoView {
    let editing = initial.id.is_some();
    let plan_id = initial.id;
    let burst_on = RwSignal::new(initial.burst != BurstDto::default());
    let draft = RwSignal::new(initial);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    // A field's value, and its setter, which also forgets its error.
    let text = move |field: &'static str, get: fn(&PlanForm) -> &String, set: fn(&mut PlanForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| {
                draft.update(|d| set(d, event_target_value(&ev)));
                clear_error(errors, field);
            },
        )
    };
    let (name, set_name) = text("name", |d| &d.name, |d, v| d.name = v);
    let (down, set_down) = text("download", |d| &d.download, |d, v| d.download = v);
    let (up, set_up) = text("upload", |d| &d.upload, |d, v| d.upload = v);
    let (price, set_price) = text("price", |d| &d.price, |d, v| d.price = v);
    let cycle = move || draft.with(|d| d.cycle.clone());
    let days = RwSignal::new(draft.with_untracked(|d| d.cycle.strip_suffix('d').unwrap_or("7").to_owned()));
    let (tax_rate, set_tax_rate) = text("tax_rate", |d| &d.tax_rate, |d, v| d.tax_rate = v);
    let (b_down, set_b_down) = text("burst_download", |d| &d.burst.download, |d, v| d.burst.download = v);
    let (b_up, set_b_up) = text("burst_upload", |d| &d.burst.upload, |d, v| d.burst.upload = v);
    let (t_down, set_t_down) =
        text("threshold_download", |d| &d.burst.threshold_download, |d, v| d.burst.threshold_download = v);
    let (t_up, set_t_up) = text("threshold_upload", |d| &d.burst.threshold_upload, |d, v| d.burst.threshold_upload = v);
    let (b_time, set_b_time) = text("burst_time", |d| &d.burst.time_secs, |d, v| d.burst.time_secs = v);
    let (s_timeout, set_s_timeout) =
        text("session_timeout", |d| &d.session.session_timeout, |d, v| d.session.session_timeout = v);
    let (i_timeout, set_i_timeout) =
        text("idle_timeout", |d| &d.session.idle_timeout, |d, v| d.session.idle_timeout = v);
    let (pool, set_pool) = text("address_pool", |d| &d.session.address_pool, |d, v| d.session.address_pool = v);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut plan = draft.get();
        if !burst_on.get() {
            plan.burst = BurstDto::default();
        }
        errors.set(Vec::new());
        saving.set(true);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, PlanRow>(command::SAVE_PLAN, FormArgs { form: plan }).await {
                Ok(row) => {
                    saved.set(Some(row));
                    form.set(None);
                    reload.update(|n| *n += 1);
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };
    view! {
        <form class="card form wide-form" id="plan-form" novalidate=true on:submit=save>
            <h2>{if editing { "Edit plan" } else { "New plan" }}</h2>
            <div class="grid-3">
                <label class="field"><span class="field-label">"Name"</span>
                    <input id="plan-name" type="text" placeholder="Home 20" class:invalid=has_error(errors, "name") prop:value=name on:input=set_name />
                    <FieldError errors=errors field="name" /></label>
                <label class="field"><span class="field-label">"Download"</span>
                    <input id="plan-download" type="text" placeholder="20M" class:invalid=has_error(errors, "download") prop:value=down on:input=set_down />
                    <span class="field-help">"To the customer: 512k, 20M, 1G."</span>
                    <FieldError errors=errors field="download" /></label>
                <label class="field"><span class="field-label">"Upload"</span>
                    <input id="plan-upload" type="text" placeholder="5M" class:invalid=has_error(errors, "upload") prop:value=up on:input=set_up />
                    <span class="field-help">"From the customer."</span>
                    <FieldError errors=errors field="upload" /></label>
                <label class="field"><span class="field-label">"Price"</span>
                    <input id="plan-price" type="text" inputmode="decimal" placeholder="25.00" class:invalid=has_error(errors, "price") prop:value=price on:input=set_price />
                    <FieldError errors=errors field="price" /></label>
                <label class="field"><span class="field-label">"Billing cycle"</span>
                    <span class="field-input">
                        <select id="plan-cycle" prop:value=move || if is_days(&cycle()) { "days".to_owned() } else { cycle() }
                            on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let v = if v == "days" { format!("{}d", days.get_untracked()) } else { v };
                                draft.update(|d| d.cycle = v);
                                clear_error(errors, "cycle");
                            }>
                            <option value="monthly">"Monthly"</option>
                            <option value="quarterly">"Quarterly"</option>
                            <option value="yearly">"Yearly"</option>
                            <option value="days">"Days (prepaid)"</option>
                        </select>
                        <Show when=move || is_days(&cycle())>
                            <input id="plan-cycle-days" class="short" type="number" min="1" max="366" prop:value=move || days.get()
                                on:input=move |ev| {
                                    let n = event_target_value(&ev);
                                    days.set(n.clone());
                                    draft.update(|d| d.cycle = format!("{}d", n.trim()));
                                    clear_error(errors, "cycle");
                                } />
                            <span class="unit">"days"</span>
                        </Show>
                    </span>
                    <FieldError errors=errors field="cycle" /></label>
                <label class="field"><span class="field-label">"Tax rate (%)"</span>
                    <input id="plan-tax-rate" type="text" inputmode="decimal" placeholder="ISP rate" class:invalid=has_error(errors, "tax_rate") prop:value=tax_rate on:input=set_tax_rate />
                    <span class="field-help">"Empty: the ISP's rate from Billing settings."</span>
                    <FieldError errors=errors field="tax_rate" /></label>
            </div>
            <label class="field field-inline">
                <input id="plan-burst" type="checkbox" prop:checked=move || burst_on.get() on:change=move |ev| burst_on.set(event_target_checked(&ev)) />
                <span>
                    <span class="field-label">"Burst"</span>
                    <span class="field-help">"Short bursts above the plan's rate while the average over the burst time stays under the threshold."</span>
                </span>
            </label>
            <Show when=move || burst_on.get()>
                <div class="grid-3 burst-fields">
                    <label class="field"><span class="field-label">"Burst download"</span>
                        <input id="plan-burst-download" type="text" placeholder="40M" class:invalid=has_error(errors, "burst_download") prop:value=b_down on:input=set_b_down />
                        <FieldError errors=errors field="burst_download" /></label>
                    <label class="field"><span class="field-label">"Burst upload"</span>
                        <input id="plan-burst-upload" type="text" placeholder="10M" class:invalid=has_error(errors, "burst_upload") prop:value=b_up on:input=set_b_up />
                        <FieldError errors=errors field="burst_upload" /></label>
                    <label class="field"><span class="field-label">"Burst time"</span>
                        <span class="field-input">
                            <input id="plan-burst-time" type="text" inputmode="numeric" placeholder="16" class:invalid=has_error(errors, "burst_time") prop:value=b_time on:input=set_b_time />
                            <span class="unit">"seconds"</span>
                        </span>
                        <FieldError errors=errors field="burst_time" /></label>
                    <label class="field"><span class="field-label">"Threshold download"</span>
                        <input id="plan-threshold-download" type="text" placeholder="16M" class:invalid=has_error(errors, "threshold_download") prop:value=t_down on:input=set_t_down />
                        <FieldError errors=errors field="threshold_download" /></label>
                    <label class="field"><span class="field-label">"Threshold upload"</span>
                        <input id="plan-threshold-upload" type="text" placeholder="4M" class:invalid=has_error(errors, "threshold_upload") prop:value=t_up on:input=set_t_up />
                        <FieldError errors=errors field="threshold_upload" /></label>
                </div>
            </Show>
            <div class="grid-3">
                <label class="field"><span class="field-label">"Session timeout"</span>
                    <input id="plan-session-timeout" type="text" placeholder="none" class:invalid=has_error(errors, "session_timeout") prop:value=s_timeout on:input=set_s_timeout />
                    <span class="field-help">"Longest session before the router ends it: 1d, 12h. Empty: no limit."</span>
                    <FieldError errors=errors field="session_timeout" /></label>
                <label class="field"><span class="field-label">"Idle timeout"</span>
                    <input id="plan-idle-timeout" type="text" placeholder="none" class:invalid=has_error(errors, "idle_timeout") prop:value=i_timeout on:input=set_i_timeout />
                    <span class="field-help">"Ends a session that passes no traffic this long: 30m."</span>
                    <FieldError errors=errors field="idle_timeout" /></label>
                <label class="field"><span class="field-label">"Address pool"</span>
                    <input id="plan-address-pool" type="text" placeholder="router's default" class:invalid=has_error(errors, "address_pool") prop:value=pool on:input=set_pool />
                    <span class="field-help">"An /ip pool on the routers the plan's customers get addresses from."</span>
                    <FieldError errors=errors field="address_pool" /></label>
            </div>
            <p class="preview-line">
                <span class="muted">"On the routers: rate-limit "</span>
                <code id="plan-preview">{move || {
                    let mut f = draft.get();
                    if !burst_on.get() {
                        f.burst = BurstDto::default();
                    }
                    preview(&f)
                }}</code>
                <span class="muted">{if editing { " (the profile keeps its name)" } else { " on a profile named after the plan" }}</span>
            </p>
            {match plan_id {
                Some(id) => view! { <olt_profile::PlanOltProfile plan=id /> }.into_any(),
                None => view! { <p class="muted small">"Once the plan is created, edit it to say what the OLTs register its subscribers' ONUs with."</p> }.into_any(),
            }}
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="plan-save" disabled=move || saving.get()>{if editing { "Save" } else { "Create plan" }}</button>
                <button type="button" class="secondary" on:click=move |_| form.set(None)>"Cancel"</button>
            </div>
        </form>
    }
}
