//! RADIUS mode: FreeRADIUS's database (its password to the keyring) and
//! what it holds, Status-Server, a router's provisioning backend (its
//! shared secret to the keyring) with the RouterOS commands it needs, and
//! a service's test login. The CLI's `radius` and `router set-backend`.

use std::net::IpAddr;

use headend_core::activity::Actor;
use headend_core::radius::database::RadiusSettings;
use headend_core::radius::setup::{WantedSetup, routeros_commands};
use headend_core::router::{DEFAULT_COA_PORT, Router};
use headend_core::{RouterId, ServiceId};
use headend_ipc::ErrorDto;
use headend_ipc::radius::{
    AttributeDto, RadiusForm, RadiusOverviewDto, RadiusServerCheck, RadiusServerStatus, RadiusSettingsDto,
    RouterBackendForm, RouterBackendView, RouterSetupDto, TestLoginDto, TestLoginForm,
};
use headend_secrets::Secret;
use headend_workflows::radius::{BackendInput, RadiusInput, RadiusOverview};
use headend_workflows::radius_setup::SECRET_PLACEHOLDER;
use tauri::State;

use super::{Answer, db, workflow_error};
use crate::state::AppState;

fn settings_dto(s: &RadiusSettings) -> RadiusSettingsDto {
    RadiusSettingsDto { url: s.url.to_string(), server: s.server.map(|s| s.to_string()).unwrap_or_default() }
}

fn overview_dto(o: RadiusOverview) -> RadiusOverviewDto {
    let (error, reach) = match o.reach {
        Ok(reach) => (String::new(), Some(reach)),
        Err(error) => (error, None),
    };
    RadiusOverviewDto {
        settings: settings_dto(&o.settings),
        error,
        schema_version: reach.as_ref().and_then(|r| r.schema.version).unwrap_or_default().to_owned(),
        missing_tables: reach
            .as_ref()
            .map(|r| r.schema.missing.iter().map(|t| (*t).to_owned()).collect())
            .unwrap_or_default(),
        users_managed: reach.as_ref().map_or(0, |r| r.users.managed),
        users_unmanaged: reach.as_ref().map_or(0, |r| r.users.unmanaged),
        unmanaged_group_rows: reach.as_ref().map_or(0, |r| r.users.unmanaged_group_rows),
        routers: o.routers,
    }
}

/// A typed secret, or `None` when left empty.
fn secret(text: &str) -> Option<Secret> {
    Some(text).filter(|t| !t.is_empty()).map(|t| Secret::new(t.to_owned()))
}

fn required_secret(text: &str) -> Answer<Secret> {
    secret(text).ok_or_else(|| ErrorDto::field("secret", "Enter the shared secret the RADIUS server knows."))
}

#[tauri::command]
pub async fn get_radius_settings(state: State<'_, AppState>) -> Answer<Option<RadiusSettingsDto>> {
    Ok(state.store.radius_settings().await.map_err(db)?.as_ref().map(settings_dto))
}

#[tauri::command]
pub async fn radius_overview(state: State<'_, AppState>) -> Answer<Option<RadiusOverviewDto>> {
    Ok(state.workflows.radius_overview().await.map_err(workflow_error)?.map(overview_dto))
}

/// Checks the database with the password (creating FreeRADIUS's tables if
/// asked), then keeps the password in the keyring; RADIUS routers are
/// swept against it.
#[tauri::command]
pub async fn save_radius_settings(state: State<'_, AppState>, form: RadiusForm) -> Answer<RadiusOverviewDto> {
    let password = secret(&form.password).ok_or_else(|| {
        ErrorDto::field("password", "Enter the database password: Headend checks it before keeping it.")
    })?;
    let input = RadiusInput {
        url: form.url,
        password,
        server: Some(form.server).filter(|s| !s.trim().is_empty()),
        create_schema: form.create_schema,
    };
    let overview = state.workflows.set_radius(&Actor::Operator, input).await.map_err(workflow_error)?;
    Ok(overview_dto(overview))
}

#[tauri::command]
pub async fn radius_server_status(state: State<'_, AppState>, check: RadiusServerCheck) -> Answer<RadiusServerStatus> {
    let server = state.workflows.radius_server(Some(&check.server)).await.map_err(workflow_error)?;
    let secret = required_secret(&check.secret)?;
    let status = state.workflows.radius_status(server, &secret).await.map_err(workflow_error)?;
    Ok(RadiusServerStatus {
        server: status.server.to_string(),
        answer: status.answer.to_owned(),
        ms: status.took.as_millis().try_into().unwrap_or(u64::MAX),
    })
}

fn backend_view(router: &Router, settings: Option<&RadiusSettings>) -> RouterBackendView {
    let nas = router.backend.nas();
    let server = settings.and_then(|s| s.server);
    let coa_port = nas.map_or(DEFAULT_COA_PORT, |n| n.coa_port);
    RouterBackendView {
        id: router.id.0,
        backend: router.backend.as_str().to_owned(),
        nas_address: match nas {
            Some(n) => n.address.to_string(),
            None => router.host.parse::<IpAddr>().map(|a| a.to_string()).unwrap_or_default(),
        },
        coa_port,
        radius_ready: settings.is_some(),
        server: server.map(|s| s.to_string()).unwrap_or_default(),
        routeros_commands: match (nas, server) {
            (Some(_), Some(server)) => routeros_commands(&WantedSetup { server, coa_port }, SECRET_PLACEHOLDER),
            _ => Vec::new(),
        },
    }
}

#[tauri::command]
pub async fn get_router_backend(state: State<'_, AppState>, id: i64) -> Answer<RouterBackendView> {
    let router = state.workflows.router(RouterId(id)).await.map_err(workflow_error)?;
    let settings = state.store.radius_settings().await.map_err(db)?;
    Ok(backend_view(&router, settings.as_ref()))
}

fn parse_backend(form: &RouterBackendForm) -> Answer<BackendInput> {
    match form.backend.as_str() {
        "api" => Ok(BackendInput::Api),
        "radius" => {
            Ok(BackendInput::Radius {
                nas_address: match form.nas_address.trim() {
                    "" => None,
                    text => Some(text.parse().map_err(|_| {
                        ErrorDto::field("nas_address", format!("{text:?} is not an IP address, such as 10.0.0.1."))
                    })?),
                },
                coa_port: match form.coa_port.trim() {
                    "" => None,
                    text => Some(text.parse().map_err(|_| {
                        ErrorDto::field("coa_port", format!("{text:?} is not a port number (1-65535)."))
                    })?),
                },
                secret: secret(&form.secret),
            })
        }
        other => Err(ErrorDto::field("backend", format!("Choose API or RADIUS, not {other:?}."))),
    }
}

/// Switches the router between its own PPP secrets and FreeRADIUS; its
/// next sweep (asked at once) moves the users.
#[tauri::command]
pub async fn set_router_backend(state: State<'_, AppState>, form: RouterBackendForm) -> Answer<RouterBackendView> {
    let input = parse_backend(&form)?;
    let router =
        state.workflows.set_router_backend(&Actor::Operator, RouterId(form.id), input).await.map_err(workflow_error)?;
    let settings = state.store.radius_settings().await.map_err(db)?;
    Ok(backend_view(&router, settings.as_ref()))
}

/// Reads the router's RADIUS set-up back and says what is wrong; with
/// `apply`, writes what is missing first.
#[tauri::command]
pub async fn router_radius_setup(state: State<'_, AppState>, id: i64, apply: bool) -> Answer<RouterSetupDto> {
    let setup =
        state.workflows.router_radius_setup(&Actor::Operator, RouterId(id), apply).await.map_err(workflow_error)?;
    let (unreadable, issues) = match setup.issues {
        Ok(issues) => (String::new(), issues.iter().map(ToString::to_string).collect()),
        Err(why) => (why, Vec::new()),
    };
    Ok(RouterSetupDto { unreadable, issues, applied: setup.applied.iter().map(ToString::to_string).collect() })
}

/// Logs the service in with PAP, as its router would.
#[tauri::command]
pub async fn radius_test_login(state: State<'_, AppState>, test: TestLoginForm) -> Answer<TestLoginDto> {
    let server = state.workflows.radius_server(Some(&test.server)).await.map_err(workflow_error)?;
    let secret = required_secret(&test.secret)?;
    let login =
        state.workflows.radius_test_login(ServiceId(test.service_id), server, &secret).await.map_err(workflow_error)?;
    Ok(TestLoginDto {
        user: login.user,
        server: server.to_string(),
        accepted: login.accepted,
        attributes: login.attributes.into_iter().map(|(name, value)| AttributeDto { name, value }).collect(),
        ms: login.took.as_millis().try_into().unwrap_or(u64::MAX),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backend_form_names_its_bad_fields() {
        let form = |backend: &str, nas: &str, port: &str| RouterBackendForm {
            id: 1,
            backend: backend.into(),
            nas_address: nas.into(),
            coa_port: port.into(),
            secret: String::new(),
        };
        assert!(matches!(parse_backend(&form("api", "x", "x")), Ok(BackendInput::Api)));
        assert!(matches!(
            parse_backend(&form("radius", "", "")),
            Ok(BackendInput::Radius { nas_address: None, coa_port: None, secret: None })
        ));
        let field = |f: RouterBackendForm| parse_backend(&f).err().and_then(|e| e.field);
        assert_eq!(field(form("radius", "core-1", "")).as_deref(), Some("nas_address"));
        assert_eq!(field(form("radius", "10.0.0.1", "70000")).as_deref(), Some("coa_port"));
        assert_eq!(field(form("ldap", "", "")).as_deref(), Some("backend"));
    }
}
