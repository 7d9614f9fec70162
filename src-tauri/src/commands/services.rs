//! Customers and their services: the paged list, the detail page, the
//! form, suspend/activate, payments and retries.

use std::net::IpAddr;
use std::str::FromStr;

use headend_core::activity::{Actor, Subject};
use headend_core::billing::{MAX_MONTHS, advance_due};
use headend_core::provision::policy::IspPolicy;
use headend_core::provision::{Password, validate_password, validate_username};
use headend_core::service::{Access, Service, ServiceStatus};
use headend_core::{PlanId, RouterId, ServiceId};
use headend_ipc::{
    CustomerDto, ErrorCode, ErrorDto, PaymentForm, PaymentOutcome, PaymentRow, RouterLogRow, ServiceDetail,
    ServiceForm, ServiceQueryDto, ServiceRow, ServicesPageDto, SetServiceStatus,
};
use headend_store::{ActivityQuery, NewCustomer, NewService, ServiceOverview, ServiceQuery, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use tauri::State;

use super::activity::activity_row;
use super::provisioning::queue_row;
use super::{Answer, db, error, instant, log, store_error};
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
        let policy = state.store.isp_policy().await.map_err(db)?;
        let today = policy.today(Timestamp::now());
        Ok(Self { policy, today })
    }
}

fn login(access: &Access) -> String {
    match access {
        Access::Pppoe { username } => username.clone(),
        Access::StaticIp { address } => address.to_string(),
    }
}

fn service_row(s: ServiceOverview, cal: &Calendar) -> ServiceRow {
    let service = Service {
        id: s.id,
        customer: s.customer,
        router: s.router,
        plan: s.plan,
        access: s.access.clone(),
        status: s.status,
        next_billing_date: s.next_billing_date,
        grace_days: s.grace_days,
    };
    let grace_ended = cal.policy.paid_through(&service).is_some_and(|last| last < cal.today);
    let days_overdue =
        s.next_billing_date.filter(|due| *due < cal.today).map(|due| i64::from((cal.today - due).get_days()));
    ServiceRow {
        id: s.id.0,
        customer_id: s.customer.0,
        customer_phone: s.customer_phone.unwrap_or_default(),
        kind: s.access.kind().to_owned(),
        login: login(&s.access),
        router_id: s.router.0,
        router_name: s.router_name,
        plan_id: s.plan.0,
        plan_name: s.plan_name,
        status: s.status.to_string(),
        next_billing_date: s.next_billing_date.map(|d| d.to_string()).unwrap_or_default(),
        days_overdue,
        grace_ended,
        grace_days: s.grace_days,
        should_be_on: s.status == ServiceStatus::Active && !grace_ended,
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
    let page = state
        .store
        .services_page(&ServiceQuery {
            status: status_arg(&query.status)?,
            router: query.router_id.map(RouterId),
            search: (!search.is_empty()).then(|| search.to_owned()),
            limit: query.limit.clamp(1, MAX_PAGE),
            offset: query.offset,
        })
        .await
        .map_err(db)?;
    let cal = Calendar::now(&state).await?;
    Ok(ServicesPageDto { total: page.total, rows: page.rows.into_iter().map(|s| service_row(s, &cal)).collect() })
}

async fn overview(state: &AppState, id: ServiceId) -> Answer<ServiceOverview> {
    state
        .store
        .service(id)
        .await
        .map_err(db)?
        .ok_or_else(|| error(ErrorCode::NotFound, format!("there is no service {id}")))
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
        .map(|l| RouterLogRow {
            id: l.id,
            at: instant(l.at),
            router_id: l.router.0,
            command: l.command,
            outcome: l.outcome.to_string(),
            error: l.error.unwrap_or_default(),
            duration_ms: l.duration_ms,
        })
        .collect();
    let payments = state
        .store
        .payments(id)
        .await
        .map_err(db)?
        .into_iter()
        .map(|p| PaymentRow {
            id: p.id,
            paid_at: instant(p.paid_at),
            amount: p.amount.to_string(),
            months: p.months,
            actor: p.actor.as_str().to_owned(),
            previous_due: p.previous_due.map(|d| d.to_string()).unwrap_or_default(),
            new_due: p.new_due.to_string(),
        })
        .collect();
    let cal = Calendar::now(&state).await?;
    let customer = match customer {
        Some(c) => CustomerDto {
            id: c.id.0,
            name: c.name,
            phone: c.phone.unwrap_or_default(),
            email: c.email.unwrap_or_default(),
            address: c.address.unwrap_or_default(),
        },
        None => CustomerDto {
            id: s.customer.0,
            name: s.customer_name.clone(),
            phone: String::new(),
            email: String::new(),
            address: String::new(),
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

/// The form, checked field by field.
struct ParsedForm {
    customer: NewCustomer,
    router: RouterId,
    plan: PlanId,
    access: Access,
    password: Option<Password>,
    status: ServiceStatus,
    due: Option<Date>,
    grace: Option<u16>,
}

fn parse_form(form: &ServiceForm) -> Result<ParsedForm, ErrorDto> {
    let name = form.customer_name.trim();
    if name.is_empty() {
        return Err(ErrorDto::field("customer_name", "Enter the customer's name."));
    }
    let router = form
        .router_id
        .map(RouterId)
        .ok_or_else(|| ErrorDto::field("router_id", "Choose the router the customer connects through."))?;
    let plan = form.plan_id.map(PlanId).ok_or_else(|| ErrorDto::field("plan_id", "Choose a plan."))?;
    let (access, password) = match form.kind.as_str() {
        "pppoe" => {
            let username = form.username.trim();
            validate_username(username).map_err(|e| ErrorDto::field("username", capitalized(&e.to_string())))?;
            let password = match form.password.as_str() {
                "" if form.id.is_some() => None,
                p => {
                    validate_password(p).map_err(|e| ErrorDto::field("password", capitalized(&e.to_string())))?;
                    Some(Password::new(p))
                }
            };
            (Access::Pppoe { username: username.to_owned() }, password)
        }
        "static" => {
            let address = IpAddr::from_str(form.ip_address.trim())
                .map_err(|_| ErrorDto::field("ip_address", "Enter the customer's IP address, such as 10.20.0.15."))?;
            (Access::StaticIp { address }, None)
        }
        _ => return Err(ErrorDto::field("kind", "Choose PPPoE or static IP.")),
    };
    let status = ServiceStatus::from_str(form.status.trim()).map_err(|e| ErrorDto::field("status", e.to_string()))?;
    let due = match form.next_billing_date.trim() {
        "" => None,
        d => Some(Date::from_str(d).map_err(|_| ErrorDto::field("next_billing_date", "Use a date like 2026-12-05."))?),
    };
    let grace = match form.grace_days.trim() {
        "" => None,
        g => Some(g.parse::<u16>().ok().filter(|g| *g <= 365).ok_or_else(|| {
            ErrorDto::field("grace_days", "Grace is a whole number of days (0–365), or empty for the ISP's.")
        })?),
    };
    Ok(ParsedForm {
        customer: NewCustomer {
            name: name.to_owned(),
            phone: optional(&form.customer_phone),
            email: optional(&form.customer_email),
            address: optional(&form.customer_address),
        },
        router,
        plan,
        access,
        password,
        status,
        due,
        grace,
    })
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}

/// A store error about the form, next to its field.
fn form_error(err: StoreError) -> ErrorDto {
    match err {
        StoreError::DuplicateUser { .. } => ErrorDto::field("username", capitalized(&err.to_string())),
        other => store_error(other),
    }
}

/// Adds a service (and its customer, unless one with exactly this name and
/// phone exists) or edits one and its customer. The PPPoE password is
/// encrypted before it reaches the store; the router is swept at once.
#[tauri::command]
pub async fn save_service(state: State<'_, AppState>, form: ServiceForm) -> Answer<i64> {
    let f = parse_form(&form)?;
    let router = state
        .store
        .router(f.router)
        .await
        .map_err(db)?
        .ok_or_else(|| ErrorDto::field("router_id", "That router no longer exists."))?;
    if state.store.plan(f.plan).await.map_err(db)?.is_none() {
        return Err(ErrorDto::field("plan_id", "That plan no longer exists."));
    }
    // A user name taken on the router is refused before anything is written.
    if let Access::Pppoe { username } = &f.access
        && let Some(other) = state.store.pppoe_user(f.router, username).await.map_err(db)?
        && Some(other.0) != form.id
    {
        return Err(form_error(StoreError::DuplicateUser { user: username.clone(), router: router.name.clone() }));
    }
    let encrypted = match (&f.password, &state.cipher) {
        (None, _) => None,
        (Some(p), Some(cipher)) => Some(cipher.encrypt(p)),
        (Some(_), None) => {
            return Err(ErrorDto::field(
                "password",
                "The key that encrypts PPPoE passwords is not in the keyring, so this password cannot be kept. See the log for why the keyring refused it.",
            ));
        }
    };
    let what = format!("{} {} on {}, {}", f.access.kind(), login(&f.access), router.name, f.status);
    match form.id {
        None => {
            let customer = match state
                .store
                .customer_by_name_and_phone(&f.customer.name, f.customer.phone.as_deref())
                .await
                .map_err(db)?
            {
                Some(id) => id,
                None => state.store.add_customer(&f.customer).await.map_err(store_error)?,
            };
            let id = state
                .store
                .add_service(&NewService {
                    customer,
                    router: f.router,
                    plan: f.plan,
                    access: f.access.clone(),
                    status: f.status,
                    next_billing_date: f.due,
                    grace_days: f.grace,
                    password: encrypted,
                    adopt: false,
                })
                .await
                .map_err(form_error)?;
            log(&state, Subject::Service(id), "service added", format!("{what} for {}", f.customer.name)).await;
            state.provisioner.request(f.router);
            Ok(id.0)
        }
        Some(id) => {
            let id = ServiceId(id);
            let old = overview(&state, id).await?;
            // The edit form does not show "adopt"; keep what the service has.
            let adopt = state
                .store
                .provisioning_rows(old.router)
                .await
                .map_err(db)?
                .into_iter()
                .find(|r| r.service.id == id)
                .is_some_and(|r| r.adopt);
            state.store.update_customer(old.customer, &f.customer).await.map_err(store_error)?;
            state
                .store
                .update_service(
                    id,
                    &NewService {
                        customer: old.customer,
                        router: f.router,
                        plan: f.plan,
                        access: f.access.clone(),
                        status: f.status,
                        next_billing_date: f.due,
                        grace_days: f.grace,
                        password: encrypted,
                        adopt,
                    },
                )
                .await
                .map_err(form_error)?;
            let password = if f.password.is_some() { "; new password" } else { "" };
            log(&state, Subject::Service(id), "service edited", format!("{what}{password}")).await;
            state.provisioner.request(f.router);
            if old.router != f.router {
                state.provisioner.request(old.router);
            }
            Ok(id.0)
        }
    }
}

/// Suspend, activate (or any status): the router follows at once.
#[tauri::command]
pub async fn set_service_status(state: State<'_, AppState>, change: SetServiceStatus) -> Answer<()> {
    let id = ServiceId(change.id);
    let status = ServiceStatus::from_str(change.status.trim()).map_err(super::invalid)?;
    let old = overview(&state, id).await?;
    state.store.set_service_status(id, status).await.map_err(store_error)?;
    let action = match status {
        ServiceStatus::Suspended => "suspended",
        ServiceStatus::Active => "activated",
        _ => "status changed",
    };
    log(&state, Subject::Service(id), action, format!("{} → {status}", old.status)).await;
    state.provisioner.request(old.router);
    Ok(())
}

fn months_arg(months: u8) -> Answer<u8> {
    if (1..=MAX_MONTHS).contains(&months) {
        Ok(months)
    } else {
        Err(ErrorDto::field("months", format!("A payment covers 1 to {MAX_MONTHS} months.")))
    }
}

/// The due date a payment of `months` months would give the service.
#[tauri::command]
pub async fn preview_payment(state: State<'_, AppState>, id: i64, months: u8) -> Answer<PaymentOutcome> {
    let months = months_arg(months)?;
    let s = overview(&state, ServiceId(id)).await?;
    let cal = Calendar::now(&state).await?;
    Ok(PaymentOutcome {
        previous_due: s.next_billing_date.map(|d| d.to_string()).unwrap_or_default(),
        new_due: advance_due(s.next_billing_date, cal.today, months).to_string(),
    })
}

/// Records a payment: the due date moves, it is in the activity log (the
/// store writes it), and a customer cut off for not paying is back on the
/// router within a second or two.
#[tauri::command]
pub async fn record_payment(state: State<'_, AppState>, payment: PaymentForm) -> Answer<PaymentOutcome> {
    let months = months_arg(payment.months)?;
    let amount = Decimal::from_str(payment.amount.trim())
        .ok()
        .filter(|a| !a.is_sign_negative())
        .ok_or_else(|| ErrorDto::field("amount", "Enter the amount paid, such as 25.00."))?;
    let id = ServiceId(payment.service_id);
    let s = overview(&state, id).await?;
    let cal = Calendar::now(&state).await?;
    let paid = state
        .store
        .add_payment(id, amount, months, Timestamp::now(), cal.today, &Actor::Operator)
        .await
        .map_err(store_error)?;
    state.provisioner.request(s.router);
    Ok(PaymentOutcome {
        previous_due: paid.previous_due.map(|d| d.to_string()).unwrap_or_default(),
        new_due: paid.new_due.to_string(),
    })
}

/// Tries everything queued for the service again, now.
#[tauri::command]
pub async fn retry_service(state: State<'_, AppState>, id: i64) -> Answer<()> {
    let id = ServiceId(id);
    let routers = state.store.queue_retry_service(id).await.map_err(store_error)?;
    log(&state, Subject::Service(id), "retry", "provisioning tried again now".to_owned()).await;
    routers.into_iter().for_each(|r| state.provisioner.request(r));
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
    fn each_bad_field_is_named() {
        assert!(parse_form(&form()).is_ok());
        assert_eq!(field_of(&ServiceForm { customer_name: " ".into(), ..form() }).as_deref(), Some("customer_name"));
        assert_eq!(field_of(&ServiceForm { router_id: None, ..form() }).as_deref(), Some("router_id"));
        assert_eq!(field_of(&ServiceForm { plan_id: None, ..form() }).as_deref(), Some("plan_id"));
        assert_eq!(field_of(&ServiceForm { username: "a b".into(), ..form() }).as_deref(), Some("username"));
        assert_eq!(field_of(&ServiceForm { password: String::new(), ..form() }).as_deref(), Some("password"));
        assert_eq!(field_of(&ServiceForm { kind: "static".into(), ..form() }).as_deref(), Some("ip_address"));
        assert_eq!(
            field_of(&ServiceForm { next_billing_date: "5/12/2026".into(), ..form() }).as_deref(),
            Some("next_billing_date")
        );
        assert_eq!(field_of(&ServiceForm { grace_days: "400".into(), ..form() }).as_deref(), Some("grace_days"));
        assert_eq!(field_of(&ServiceForm { status: "on".into(), ..form() }).as_deref(), Some("status"));
        // Editing keeps the stored password when the field is left empty.
        let edit = parse_form(&ServiceForm { id: Some(3), password: String::new(), ..form() }).unwrap();
        assert!(edit.password.is_none());
    }

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(capitalized("the PPPoE password is missing"), "The PPPoE password is missing.");
    }
}
