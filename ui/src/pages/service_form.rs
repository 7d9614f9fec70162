//! The customer and service form: a new customer with their first service,
//! or an edit of a service and its customer. Required fields are checked
//! here as the operator saves; the app checks everything again and its
//! answer (a user name already on the router, say) shows next to the field
//! it is about.

use headend_ipc::{ErrorDto, PlanRow, RouterRow, ServiceDetail, ServiceForm, command};
use leptos::prelude::*;
use serde::Serialize;

use super::customers::STATUSES;
use super::{IdArgs, fetch};
use crate::app::{Console, Page};
use crate::components::{ErrorBox, Errors, FieldError, FormError, Loading, clear_error, has_error};
use crate::format;
use crate::ipc;
use crate::location::LocationPicker;

#[derive(Serialize)]
struct FormArgs {
    form: ServiceForm,
}

fn blank() -> ServiceForm {
    ServiceForm {
        kind: "pppoe".into(),
        status: "active".into(),
        next_billing_date: format::date_in_months(1),
        ..ServiceForm::default()
    }
}

fn from_detail(d: &ServiceDetail) -> ServiceForm {
    let s = &d.service;
    let pppoe = s.kind == "pppoe";
    ServiceForm {
        id: Some(s.id),
        customer_name: d.customer.name.clone(),
        customer_phone: d.customer.phone.clone(),
        customer_email: d.customer.email.clone(),
        customer_address: d.customer.address.clone(),
        customer_location: d.customer.location.clone(),
        router_id: Some(s.router_id),
        plan_id: Some(s.plan_id),
        kind: s.kind.clone(),
        username: if pppoe { s.login.clone() } else { String::new() },
        password: String::new(),
        ip_address: if pppoe { s.fixed_address.clone() } else { s.login.clone() },
        status: s.status.clone(),
        next_billing_date: s.next_billing_date.clone(),
        grace_days: s.grace_days.map(|g| g.to_string()).unwrap_or_default(),
    }
}

/// What is missing, before asking the app.
fn missing(f: &ServiceForm) -> Vec<ErrorDto> {
    let mut errors = Vec::new();
    let mut need = |empty: bool, field: &str, message: &str| {
        if empty {
            errors.push(ErrorDto::field(field, message));
        }
    };
    need(f.customer_name.trim().is_empty(), "customer_name", "Enter the customer's name.");
    need(f.router_id.is_none(), "router_id", "Choose the router the customer connects through.");
    need(f.plan_id.is_none(), "plan_id", "Choose a plan.");
    if f.kind == "pppoe" {
        need(f.username.trim().is_empty(), "username", "Enter the PPPoE user name.");
        need(f.id.is_none() && f.password.is_empty(), "password", "Enter the PPPoE password.");
    } else {
        need(f.ip_address.trim().is_empty(), "ip_address", "Enter the customer's IP address.");
    }
    errors
}

#[component]
pub fn ServiceFormPage(id: Option<i64>) -> impl IntoView {
    let console = Console::get();
    let back = move || console.open(id.map_or(Page::Customers, Page::Service));
    let initial = LocalResource::new(move || async move {
        match id {
            None => Ok(blank()),
            Some(id) => {
                ipc::invoke::<_, ServiceDetail>(command::GET_SERVICE, IdArgs { id }).await.map(|d| from_detail(&d))
            }
        }
    });
    view! {
        <button class="link back" on:click=move |_| back()>{if id.is_some() { "← Service" } else { "← Customers" }}</button>
        <div class="page-header">
            <h1 id="page-title">{if id.is_some() { "Edit service" } else { "New customer" }}</h1>
            <p class="muted">{if id.is_some() {
                "Changes reach the router at once."
            } else {
                "The customer and their first service. An active, paid service is on its router within seconds of saving."
            }}</p>
        </div>
        {move || match initial.get() {
            None => Loading().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e /> }.into_any(),
            Some(Ok(form)) => view! { <Editor initial=form /> }.into_any(),
        }}
    }
}

#[component]
fn Editor(initial: ServiceForm) -> impl IntoView {
    let console = Console::get();
    let editing = initial.id;
    let draft = RwSignal::new(initial);
    let errors: Errors = RwSignal::new(Vec::new());
    let saving = RwSignal::new(false);
    let routers = fetch::<Vec<RouterRow>>(command::LIST_ROUTERS);
    let plans = fetch::<Vec<PlanRow>>(command::LIST_PLANS);

    // A field's value, and its setter, which also forgets its error.
    let text = move |field: &'static str, get: fn(&ServiceForm) -> &String, set: fn(&mut ServiceForm, String)| {
        (
            move || draft.with(|d| get(d).clone()),
            move |ev: leptos::ev::Event| {
                draft.update(|d| set(d, event_target_value(&ev)));
                clear_error(errors, field);
            },
        )
    };
    let (name, set_name) = text("customer_name", |d| &d.customer_name, |d, v| d.customer_name = v);
    let (phone, set_phone) = text("customer_phone", |d| &d.customer_phone, |d, v| d.customer_phone = v);
    let (email, set_email) = text("customer_email", |d| &d.customer_email, |d, v| d.customer_email = v);
    let (address, set_address) = text("customer_address", |d| &d.customer_address, |d, v| d.customer_address = v);
    let (location, set_location) = text("customer_location", |d| &d.customer_location, |d, v| d.customer_location = v);
    let (kind, set_kind) = text("kind", |d| &d.kind, |d, v| d.kind = v);
    let (username, set_username) = text("username", |d| &d.username, |d, v| d.username = v);
    let (password, set_password) = text("password", |d| &d.password, |d, v| d.password = v);
    let (ip, set_ip) = text("ip_address", |d| &d.ip_address, |d, v| d.ip_address = v);
    let (status, set_status) = text("status", |d| &d.status, |d, v| d.status = v);
    let (due, set_due) = text("next_billing_date", |d| &d.next_billing_date, |d, v| d.next_billing_date = v);
    let (grace, set_grace) = text("grace_days", |d| &d.grace_days, |d, v| d.grace_days = v);
    let pppoe = move || draft.with(|d| d.kind == "pppoe");

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = draft.get();
        let missing = missing(&form);
        if !missing.is_empty() {
            errors.set(missing);
            return;
        }
        errors.set(Vec::new());
        saving.set(true);
        leptos::task::spawn_local(async move {
            match ipc::invoke::<_, i64>(command::SAVE_SERVICE, FormArgs { form }).await {
                Ok(id) => {
                    console.changed();
                    console.open(Page::Service(id));
                }
                Err(e) => errors.set(vec![e]),
            }
            saving.set(false);
        });
    };

    let stored_routers = move || {
        routers.get().and_then(Result::ok).unwrap_or_default().into_iter().filter(|r| !r.demo).collect::<Vec<_>>()
    };
    let plan_list = move || plans.get().and_then(Result::ok).unwrap_or_default();
    let no_routers = move || routers.get().is_some_and(|r| r.is_ok()) && stored_routers().is_empty();
    let no_plans = move || plans.get().is_some_and(|p| p.is_ok()) && plan_list().is_empty();

    view! {
        <Show when=move || no_routers() || no_plans()>
            <div class="warn-box" id="service-form-missing">
                {move || match (no_routers(), no_plans()) {
                    (true, true) => "Add a router and create a plan first: every service lives on a router, under a plan.",
                    (true, false) => "Add a router first: every service lives on a router.",
                    _ => "Create a plan first: every service has one (its rate becomes a PPP profile on the router).",
                }}
                " "
                <button class="link" on:click=move |_| console.open(if no_routers() { Page::Routers } else { Page::Billing })>
                    {move || if no_routers() { "Go to routers" } else { "Go to plans" }}
                </button>
            </div>
        </Show>
        <form class="card form wide-form" id="service-form" novalidate=true on:submit=save>
            <h2>"Customer"</h2>
            <div class="grid-2">
                <label class="field"><span class="field-label">"Name"<span class="required">"*"</span></span>
                    <input id="svc-customer-name" type="text" placeholder="Ana Lima" class:invalid=has_error(errors, "customer_name")
                        prop:value=name on:input=set_name />
                    <FieldError errors=errors field="customer_name" /></label>
                <label class="field"><span class="field-label">"Phone"</span>
                    <input id="svc-phone" type="text" placeholder="+254 700 000 001" prop:value=phone on:input=set_phone />
                    <span class="field-help">"A customer is found again by exactly this name and phone."</span></label>
                <label class="field"><span class="field-label">"Email"</span>
                    <input id="svc-email" type="text" prop:value=email on:input=set_email /></label>
                <label class="field"><span class="field-label">"Address"</span>
                    <input id="svc-address" type="text" prop:value=address on:input=set_address /></label>
                <div class="field"><label class="field-label" for="svc-location">"Location"</label>
                    <input id="svc-location" type="text" placeholder="-1.2921,36.8219" class:invalid=has_error(errors, "customer_location")
                        prop:value=location on:input=set_location />
                    <span class="field-help">"Latitude,longitude, or a pasted Google Maps or OpenStreetMap link: puts the customer on the map."</span>
                    <LocationPicker field="svc-location" value=Signal::derive(location)
                        set=move |v: String| { draft.update(|d| d.customer_location = v); clear_error(errors, "customer_location"); } />
                    <FieldError errors=errors field="customer_location" /></div>
            </div>
            <h2>"Service"</h2>
            <div class="grid-2">
                <label class="field"><span class="field-label">"Router"<span class="required">"*"</span></span>
                    <select id="svc-router" class:invalid=has_error(errors, "router_id")
                        on:change=move |ev| { draft.update(|d| d.router_id = event_target_value(&ev).parse().ok()); clear_error(errors, "router_id"); }>
                        <option value="">"Choose a router"</option>
                        // Options arrive after the form: each says whether it is the chosen one.
                        {move || stored_routers().into_iter().map(|r| {
                            let id = r.id;
                            view! { <option value=id.to_string() prop:selected=move || draft.with(|d| d.router_id == Some(id))>{r.name}</option> }
                        }).collect_view()}
                    </select>
                    <FieldError errors=errors field="router_id" /></label>
                <label class="field"><span class="field-label">"Plan"<span class="required">"*"</span></span>
                    <select id="svc-plan" class:invalid=has_error(errors, "plan_id")
                        on:change=move |ev| { draft.update(|d| d.plan_id = event_target_value(&ev).parse().ok()); clear_error(errors, "plan_id"); }>
                        <option value="">"Choose a plan"</option>
                        {move || plan_list().into_iter().map(|p| {
                            let id = p.id;
                            view! {
                                <option value=id.to_string() prop:selected=move || draft.with(|d| d.plan_id == Some(id))>
                                    {format!("{} · {} down / {} up · {}", p.name, p.download, p.upload, p.price)}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <FieldError errors=errors field="plan_id" /></label>
                <label class="field"><span class="field-label">"Connects with"</span>
                    <select id="svc-kind" prop:value=kind on:change=set_kind>
                        <option value="pppoe">"PPPoE (user name and password)"</option>
                        <option value="static">"Static IP address"</option>
                    </select>
                    <FieldError errors=errors field="kind" /></label>
                <label class="field"><span class="field-label">"Status"</span>
                    <select id="svc-status" prop:value=status on:change=set_status>
                        {STATUSES.into_iter().map(|s| view! { <option value=s>{s}</option> }).collect_view()}
                    </select>
                    <span class="field-help">"Only an active, paid service is on its router."</span>
                    <FieldError errors=errors field="status" /></label>
                <Show
                    when=pppoe
                    fallback=move || view! {
                        <label class="field"><span class="field-label">"IP address"<span class="required">"*"</span></span>
                            <input id="svc-ip" type="text" placeholder="10.20.0.15" class:invalid=has_error(errors, "ip_address")
                                prop:value=ip on:input=set_ip />
                            <span class="field-help">"Allowed through the router's headend-allowed address-list."</span>
                            <FieldError errors=errors field="ip_address" /></label>
                    }
                >
                    <label class="field"><span class="field-label">"PPPoE user name"<span class="required">"*"</span></span>
                        <input id="svc-username" type="text" autocomplete="off" placeholder="ana.lima" class:invalid=has_error(errors, "username")
                            prop:value=username on:input=set_username />
                        <span class="field-help">"Up to 64 characters, no spaces; unique on the router."</span>
                        <FieldError errors=errors field="username" /></label>
                    <label class="field"><span class="field-label">"PPPoE password"{(editing.is_none()).then(|| view! { <span class="required">"*"</span> })}</span>
                        <input id="svc-password" type="password" autocomplete="new-password" class:invalid=has_error(errors, "password")
                            placeholder=if editing.is_some() { "unchanged" } else { "" } prop:value=password on:input=set_password />
                        <span class="field-help">"Stored encrypted; pushed only to the router."</span>
                        <FieldError errors=errors field="password" /></label>
                    <label class="field"><span class="field-label">"Fixed address"</span>
                        <input id="svc-fixed-address" type="text" placeholder="from the plan's pool" class:invalid=has_error(errors, "ip_address")
                            prop:value=ip on:input=set_ip />
                        <span class="field-help">"Optional: the address the router always gives this user."</span>
                        <FieldError errors=errors field="ip_address" /></label>
                </Show>
                <label class="field"><span class="field-label">"Next billing date"</span>
                    <input id="svc-due" type="text" placeholder="2026-12-05" class:invalid=has_error(errors, "next_billing_date")
                        prop:value=due on:input=set_due />
                    <span class="field-help">"YYYY-MM-DD. Empty: never cut off for payment."</span>
                    <FieldError errors=errors field="next_billing_date" /></label>
                <label class="field"><span class="field-label">"Grace days"</span>
                    <input id="svc-grace" type="text" inputmode="numeric" placeholder="the ISP's" class:invalid=has_error(errors, "grace_days")
                        prop:value=grace on:input=set_grace />
                    <span class="field-help">"Days after the due date before the router cuts the service off."</span>
                    <FieldError errors=errors field="grace_days" /></label>
            </div>
            <FormError errors=errors />
            <div class="form-actions">
                <button type="submit" class="primary" id="svc-save" disabled=move || saving.get()>
                    {if editing.is_some() { "Save" } else { "Add customer" }}
                </button>
                <button type="button" class="secondary" on:click=move |_| console.open(editing.map_or(Page::Customers, Page::Service))>"Cancel"</button>
            </div>
        </form>
    }
}
