//! One module per page of the sidebar, plus the service and router pages
//! and the service form.

mod activity;
mod billing;
mod bulk;
mod customers;
mod dashboard;
mod import;
mod map;
mod messages;
mod olts;
mod provisioning;
mod router;
mod routers;
mod service;
mod service_form;
mod sessions;
mod settings;

use headend_ipc::ErrorDto;
use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::app::Page;
use crate::components::{ErrorBox, Loading};
use crate::ipc;

pub fn render(page: Page) -> AnyView {
    match page {
        Page::Dashboard => dashboard::Dashboard().into_any(),
        Page::Map => map::Map().into_any(),
        Page::Routers => routers::Routers().into_any(),
        Page::Sessions => sessions::Sessions().into_any(),
        Page::Customers => customers::Customers().into_any(),
        Page::Olts => olts::Olts().into_any(),
        Page::Billing => billing::Billing().into_any(),
        Page::Messages(tab) => messages::Messages(messages::MessagesProps { tab }).into_any(),
        Page::Provisioning(tab) => provisioning::Provisioning(provisioning::ProvisioningProps { tab }).into_any(),
        Page::Activity => activity::Activity().into_any(),
        Page::Settings => settings::Settings().into_any(),
        Page::Service(id) => service::Service(service::ServiceProps { id }).into_any(),
        Page::ServiceForm(id) => service_form::ServiceFormPage(service_form::ServiceFormPageProps { id }).into_any(),
        Page::Router(id) => router::Router(router::RouterProps { id }).into_any(),
        Page::Olt(id) => olts::OltPage(olts::OltPageProps { id }).into_any(),
        Page::Onu(id) => olts::OnuPage(olts::OnuPageProps { id }).into_any(),
    }
}

/// The arguments of a command taking one id.
#[derive(serde::Serialize)]
pub struct IdArgs {
    pub id: i64,
}

/// Loads what a page shows from a command taking no arguments.
pub fn fetch<T: DeserializeOwned + 'static>(cmd: &'static str) -> LocalResource<Result<T, ErrorDto>> {
    LocalResource::new(move || ipc::call::<T>(cmd))
}

/// Renders a loaded resource: a spinner while loading, the error if the
/// command failed, `body` otherwise.
pub fn loaded<T: Clone + 'static, V: IntoView + 'static>(
    resource: LocalResource<Result<T, ErrorDto>>,
    body: impl Fn(T) -> V + 'static,
) -> impl Fn() -> AnyView {
    move || match resource.get() {
        None => Loading().into_any(),
        Some(Err(error)) => view! { <ErrorBox error=error /> }.into_any(),
        Some(Ok(data)) => body(data).into_any(),
    }
}
