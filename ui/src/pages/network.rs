//! The pages about network equipment: routers, their live sessions, OLTs.

use headend_ipc::{RouterRow, command};
use leptos::prelude::*;

use super::{fetch, loaded};
use crate::components::{EmptyState, Icon, PageHeader};

#[component]
pub fn Routers() -> impl IntoView {
    let routers = fetch::<Vec<RouterRow>>(command::LIST_ROUTERS);
    view! {
        <PageHeader title="Routers" subtitle="MikroTik routers Headend provisions and watches." />
        {loaded(routers, |routers: Vec<RouterRow>| {
            if routers.is_empty() {
                view! {
                    <EmptyState
                        icon=Icon::Router
                        title="No routers yet"
                        text="Start by connecting a MikroTik router (RouterOS 6.43 or later). On the router, enable the api or api-ssl service (or www-ssl for REST) and create a user for Headend in a group with the read, write, api and policy rights."
                    />
                }
                .into_any()
            } else {
                view! {
                    <div class="card table-card">
                        <table class="table" id="routers-table">
                            <thead>
                                <tr><th>"Name"</th><th>"Address"</th><th>"Transport"</th><th>"User"</th><th>"Location"</th></tr>
                            </thead>
                            <tbody>
                                {routers
                                    .into_iter()
                                    .map(|r| view! {
                                        <tr>
                                            <td class="strong">{r.name}</td>
                                            <td class="mono">{r.address}</td>
                                            <td>{r.transport}</td>
                                            <td>{r.username}</td>
                                            <td class="mono">{r.location.map(|(lat, lon)| format!("{lat:.4}, {lon:.4}")).unwrap_or_default()}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })}
    }
}

#[component]
pub fn Sessions() -> impl IntoView {
    view! {
        <PageHeader title="Live sessions" subtitle="Who is online right now, on every router." />
        <EmptyState
            icon=Icon::Pulse
            title="No live sessions"
            text="Connect a router first. Every PPPoE session on it then streams here as it comes up and goes down, with its address, caller id, uptime and rate."
        />
    }
}

#[component]
pub fn Olts() -> impl IntoView {
    view! {
        <PageHeader title="OLTs & ONUs" subtitle="GPON OLTs, their ONUs and optical signal." />
        <EmptyState
            icon=Icon::Fiber
            title="No OLTs yet"
            text="Add a Huawei, ZTE or VSOL OLT that Headend can reach over SSH. New ONUs it discovers appear here, ready to authorize by serial number, with their optical power."
        />
    }
}
