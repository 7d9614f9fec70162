use leptos::prelude::*;

use crate::components::{EmptyState, Icon, PageHeader};

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
