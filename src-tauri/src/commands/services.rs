//! Customers and their services: the paged list, the detail page, the
//! form, suspend/activate, payments and retries.

use std::net::IpAddr;
use std::str::FromStr;

use headend_core::activity::{Actor, Subject};
use headend_core::geo::GeoPoint;
use headend_core::provision::Password;
use headend_core::provision::policy::IspPolicy;
use headend_core::service::{Access, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_ipc::{
    CustomerDto, ErrorDto, ServiceDetail, ServiceForm, ServiceQueryDto, ServiceRow, ServicesPageDto, SetServiceStatus,
};
use headend_store::{ActivityQuery, ServiceOverview, ServiceQuery};
use headend_workflows::Workflows;
use headend_workflows::services::{CustomerInput, ServiceInput};
use jiff::civil::Date;
use tauri::State;

use super::activity::activity_row;
use super::provisioning::queue_row;
use super::{Answer, db, instant, workflow_error};
use crate::state::AppState;

/// The most rows one page of the list may ask for.
const MAX_PAGE: u32 = 500;
/// How much history the detail page shows.
const HISTORY: u32 = 100;

/// The ISP's policy and its "today", which decide what is overdue.
struct Calendar {
    policy: IspPolicy,
    today: Date,
}

impl Calendar {
    async fn now(state: &AppState) -> Answer<Self> {
        let (policy, today) = state.workflows.today().await.map_err(workflow_error)?;
        Ok(Self { policy, today })
    }
}

fn login(access: &Access) -> String {
    match access {
        Access::Pppoe { username, .. } => username.clone(),
        Access::StaticIp { address } => address.to_string(),
    }
}

fn service_row(s: ServiceOverview, cal: &Calendar) -> ServiceRow {
    let standing = Workflows::standing(&cal.policy, cal.today, &s);
    ServiceRow {
        id: s.id.0,
        customer_id: s.customer.0,
        customer_phone: s.customer_phone.unwrap_or_default(),
        kind: s.access.kind().to_owned(),
        login: login(&s.access),
        fixed_address: match &s.access {
            Access::Pppoe { address: Some(address), .. } => address.to_string(),
            _ => String::new(),
        },
        router_id: s.router.0,
        router_name: s.router_name,
        plan_id: s.plan.0,
        plan_name: s.plan_name,
        status: s.status.to_string(),
        next_billing_date: s.next_billing_date.map(|d| d.to_string()).unwrap_or_default(),
        days_overdue: standing.days_overdue,
        grace_ended: standing.grace_ended,
        grace_days: s.grace_days,
        should_be_on: standing.should_be_on,
        on_router: s.router_provisioned,
        provisioned_at: s.provisioned_at.map(instant).unwrap_or_default(),
        customer_name: s.customer_name,
    }
}

fn status_arg(text: &str) -> Answer<Option<ServiceStatus>> {
    match text.trim() {
        "" => Ok(None),
        s => ServiceStatus::from_str(s).map(Some).map_err(super::invalid),
    }
}

/// One page of the services matching the search and filters: the list
/// never loads more than a page, whatever the size of the network.
#[tauri::command]
pub async fn list_services(state: State<'_, AppState>, query: ServiceQueryDto) -> Answer<ServicesPageDto> {
    let search = query.search.trim();
    let list = ServiceQuery {
        status: status_arg(&query.status)?,
        router: query.router_id.map(RouterId),
        search: (!search.is_empty()).then(|| search.to_owned()),
        only: None,
        limit: query.limit.clamp(1, MAX_PAGE),
        offset: query.offset,
    };
    let page = state.workflows.services_page(list, query.went_off_today).await.map_err(workflow_error)?;
    let cal = Calendar::now(&state).await?;
    Ok(ServicesPageDto { total: page.total, rows: page.rows.into_iter().map(|s| service_row(s, &cal)).collect() })
}

async fn overview(state: &AppState, id: ServiceId) -> Answer<ServiceOverview> {
    state.workflows.service(id).await.map_err(workflow_error)
}

/// Everything about one service: itself, its customer, its queue rows,
/// what was done to it (activity and router log) and its payments.
#[tauri::command]
pub async fn get_service(state: State<'_, AppState>, id: i64) -> Answer<ServiceDetail> {
    let id = ServiceId(id);
    let s = overview(&state, id).await?;
    let label = s.label();
    let customer = state.store.customer(s.customer).await.map_err(db)?;
    let routers = state.store.routers().await.map_err(db)?;
    let router_name =
        |r: RouterId| routers.iter().find(|x| x.id == r).map(|x| x.name.clone()).unwrap_or_else(|| r.to_string());
    let queue = state
        .store
        .queue_for_service(id)
        .await
        .map_err(db)?
        .iter()
        .map(|e| queue_row(e, router_name(e.router), Some(label.clone())))
        .collect();
    let activity = state
        .store
        .activity(&ActivityQuery { subject: Some(Subject::Service(id)), limit: HISTORY, ..ActivityQuery::default() })
        .await
        .map_err(db)?
        .into_iter()
        .map(activity_row)
        .collect();
    let router_log = state
        .store
        .service_router_log(id, HISTORY)
        .await
        .map_err(db)?
        .into_iter()
        .map(super::routers::router_log_row)
        .collect();
    let payments = state.store.payments(id).await.map_err(db)?.iter().map(super::payments::payment_row).collect();
    let cal = Calendar::now(&state).await?;
    let customer = match customer {
        Some(c) => CustomerDto {
            id: c.id.0,
            name: c.name,
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            address: c.address.unwrap_or_default(),
            location: c.location.map(|l| l.to_string()).unwrap_or_default(),
        },
        None => CustomerDto {
            id: s.customer.0,
            name: s.customer_name.clone(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
            location: String::new(),
        },
    };
    Ok(ServiceDetail {
        isp_grace_days: cal.policy.grace_days,
        service: service_row(s, &cal),
        customer,
        queue,
        activity,
        router_log,
        payments,
    })
}

fn optional(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The form's fields as the workflow takes them; only what the form
/// itself spells (a kind, an address, a date, a number) is checked here.
fn parse_form(form: &ServiceForm) -> Result<ServiceInput, ErrorDto> {
    let router = form
        .router_id
        .map(RouterId)
        .ok_or_else(|| ErrorDto::field("router_id", "Choose the router the customer connects through."))?;
    let plan = form.plan_id.map(PlanId).ok_or_else(|| ErrorDto::field("plan_id", "Choose a plan."))?;
    let (access, password) = match form.kind.as_str() {
        "pppoe" => {
            let password = (!form.password.is_empty()).then(|| Password::new(form.password.as_str()));
            let address = match form.ip_address.trim() {
                "" => None,
                text => Some(IpAddr::from_str(text).map_err(|_| {
                    ErrorDto::field("ip_address", "Enter a fixed address such as 100.64.0.15, or leave it empty.")
                })?),
            };
            (Access::Pppoe { username: form.username.trim().to_owned(), address }, password)
        }
        "static" => {
            let address = IpAddr::from_str(form.ip_address.trim())
                .map_err(|_| ErrorDto::field("ip_address", "Enter the customer's IP address, such as 10.20.0.15."))?;
            (Access::StaticIp { address }, None)
        }
        _ => return Err(ErrorDto::field("kind", "Choose PPPoE or static IP.")),
    };
    let status = ServiceStatus::from_str(form.status.trim()).map_err(|e| ErrorDto::field("status", e.to_string()))?;
    let next_billing_date = match form.next_billing_date.trim() {
        "" => None,
        d => Some(Date::from_str(d).map_err(|_| ErrorDto::field("next_billing_date", "Use a date like 2026-12-05."))?),
    };
    let grace_days = match form.grace_days.trim() {
        "" => None,
        g => Some(g.parse::<u32>().map_err(|_| {
            ErrorDto::field("grace_days", "Grace is a whole number of days (0–365), or empty for the ISP's.")
        })?),
    };
    let location = match form.customer_location.trim() {
        "" => None,
        text => Some(GeoPoint::from_str(text).map_err(|e| ErrorDto::field("customer_location", e.to_string()))?),
    };
    Ok(ServiceInput {
        customer: CustomerInput {
            name: form.customer_name.clone(),
            phone: optional(&form.customer_phone),
            email: optional(&form.customer_email),
            address: optional(&form.customer_address),
            location,
        },
        router,
        plan,
        access,
        password,
        status,
        next_billing_date,
        grace_days,
    })
}

/// Adds a service (and its customer, unless one with exactly this name and
/// phone exists) or edits one and its customer.
#[tauri::command]
pub async fn save_service(state: State<'_, AppState>, form: ServiceForm) -> Answer<i64> {
    let input = parse_form(&form)?;
    let saved = match form.id {
        None => state.workflows.add_service(&Actor::Operator, input).await,
        Some(id) => state.workflows.edit_service(&Actor::Operator, ServiceId(id), input).await,
    };
    Ok(saved.map_err(workflow_error)?.id.0)
}

/// Suspend, activate (or any status): the router follows at once.
#[tauri::command]
pub async fn set_service_status(state: State<'_, AppState>, change: SetServiceStatus) -> Answer<()> {
    let status = ServiceStatus::from_str(change.status.trim()).map_err(super::invalid)?;
    state.workflows.set_service_status(&Actor::Operator, ServiceId(change.id), status).await.map_err(workflow_error)?;
    Ok(())
}

/// Tries everything queued for the service again, now.
#[tauri::command]
pub async fn retry_service(state: State<'_, AppState>, id: i64) -> Answer<()> {
    state.workflows.retry_service(&Actor::Operator, ServiceId(id)).await.map_err(workflow_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ServiceForm {
        ServiceForm {
            customer_name: "Ana Lima".into(),
            router_id: Some(1),
            plan_id: Some(1),
            kind: "pppoe".into(),
            username: "ana".into(),
            password: "s3cret".into(),
            status: "active".into(),
            ..ServiceForm::default()
        }
    }

    fn field_of(form: &ServiceForm) -> Option<String> {
        parse_form(form).err().and_then(|e| e.field)
    }

    #[test]
    fn each_badly_spelled_field_is_named() {
        assert!(parse_form(&form()).is_ok());
        assert_eq!(field_of(&ServiceForm { router_id: None, ..form() }).as_deref(), Some("router_id"));
        assert_eq!(field_of(&ServiceForm { plan_id: None, ..form() }).as_deref(), Some("plan_id"));
        assert_eq!(field_of(&ServiceForm { kind: "static".into(), ..form() }).as_deref(), Some("ip_address"));
        assert_eq!(
            field_of(&ServiceForm { next_billing_date: "5/12/2026".into(), ..form() }).as_deref(),
            Some("next_billing_date")
        );
        assert_eq!(field_of(&ServiceForm { grace_days: "ten".into(), ..form() }).as_deref(), Some("grace_days"));
        assert_eq!(field_of(&ServiceForm { status: "on".into(), ..form() }).as_deref(), Some("status"));
        // Editing keeps the stored password when the field is left empty.
        let edit = parse_form(&ServiceForm { id: Some(3), password: String::new(), ..form() }).unwrap();
        assert!(edit.password.is_none());
    }
}
