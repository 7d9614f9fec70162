//! Plans: their rates (a PPP profile on every router), price and cycle.

use std::str::FromStr;

use headend_core::PlanId;
use headend_core::activity::Actor;
use headend_core::billing::tax::TaxRate;
use headend_core::plan::{BillingCycle, Burst, Pair, Plan, PoolName, Rate, RateLimit, SessionLimits, Timeout};
use headend_ipc::{BurstDto, ErrorDto, PlanForm, PlanRow, PlanSessionDto};
use headend_workflows::plans::{PlanInput, checked_name};
use rust_decimal::Decimal;
use tauri::State;

use super::{Answer, db, workflow_error};
use crate::state::AppState;

fn plan_row(p: Plan) -> PlanRow {
    PlanRow {
        id: p.id.0,
        profile: p.profile.clone(),
        download: p.download().to_string(),
        upload: p.upload().to_string(),
        rate_limit: p.limits.to_string(),
        burst: p.limits.burst.map(|b| BurstDto {
            download: b.rate.download.to_string(),
            upload: b.rate.upload.to_string(),
            threshold_download: b.threshold.download.to_string(),
            threshold_upload: b.threshold.upload.to_string(),
            time_secs: if b.time.download == b.time.upload {
                b.time.download.to_string()
            } else {
                format!("{}/{}", b.time.upload, b.time.download)
            },
        }),
        price: p.price.to_string(),
        cycle: p.cycle.to_string(),
        tax_rate: p.tax_rate.map(|r| r.to_string()).unwrap_or_default(),
        session: PlanSessionDto {
            session_timeout: p.session.session_timeout.map(|t| t.to_string()).unwrap_or_default(),
            idle_timeout: p.session.idle_timeout.map(|t| t.to_string()).unwrap_or_default(),
            address_pool: p.session.address_pool.as_ref().map(ToString::to_string).unwrap_or_default(),
        },
        name: p.name,
    }
}

#[tauri::command]
pub async fn list_plans(state: State<'_, AppState>) -> Answer<Vec<PlanRow>> {
    Ok(state.store.plans().await.map_err(db)?.into_iter().map(plan_row).collect())
}

fn rate(field: &str, text: &str, what: &str) -> Result<Rate, ErrorDto> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ErrorDto::field(field, format!("Enter the {what}, such as 20M or 512k.")));
    }
    Rate::from_str(text).map_err(|e| ErrorDto::field(field, e.to_string()))
}

/// Reads the plan form's rates, price and cycle; the workflow checks the
/// rest (the name first, as the form reads).
fn parse_plan_form(form: &PlanForm) -> Result<PlanInput, ErrorDto> {
    let name = checked_name(&form.name).map_err(workflow_error)?;
    let download = rate("download", &form.download, "download rate")?;
    let upload = rate("upload", &form.upload, "upload rate")?;
    let b = &form.burst;
    let burst_fields = [&b.download, &b.upload, &b.threshold_download, &b.threshold_upload, &b.time_secs];
    let burst = if burst_fields.iter().all(|f| f.trim().is_empty()) {
        None
    } else {
        let time = Pair::<u32>::parse_seconds(b.time_secs.trim())
            .map_err(|_| ErrorDto::field("burst_time", "Enter the burst time in seconds, such as 16."))?;
        Some(Burst {
            rate: Pair {
                download: rate("burst_download", &b.download, "burst download rate")?,
                upload: rate("burst_upload", &b.upload, "burst upload rate")?,
            },
            threshold: Pair {
                download: rate("threshold_download", &b.threshold_download, "download threshold")?,
                upload: rate("threshold_upload", &b.threshold_upload, "upload threshold")?,
            },
            time,
        })
    };
    let limits = RateLimit::new(Pair { upload, download }, burst)
        .map_err(|e| ErrorDto::field("burst_download", e.to_string()))?;
    let price = Decimal::from_str(form.price.trim())
        .map_err(|_| ErrorDto::field("price", "Enter the price as a number, such as 25.00."))?;
    let cycle = BillingCycle::from_str(&form.cycle).map_err(|e| ErrorDto::field("cycle", e.to_string()))?;
    let tax_rate = match form.tax_rate.trim() {
        "" => None,
        rate => Some(TaxRate::from_str(rate).map_err(|e| ErrorDto::field("tax_rate", e.to_string()))?),
    };
    let optional = |field: &str, text: &str| -> Result<Option<Timeout>, ErrorDto> {
        match text.trim() {
            "" => Ok(None),
            text => Timeout::from_str(text).map(Some).map_err(|e| ErrorDto::field(field, e.to_string())),
        }
    };
    let session = SessionLimits {
        session_timeout: optional("session_timeout", &form.session.session_timeout)?,
        idle_timeout: optional("idle_timeout", &form.session.idle_timeout)?,
        address_pool: match form.session.address_pool.trim() {
            "" => None,
            pool => Some(PoolName::from_str(pool).map_err(|e| ErrorDto::field("address_pool", e.to_string()))?),
        },
    };
    Ok(PlanInput { name, limits, price, cycle, tax_rate, session })
}

/// Adds or edits a plan. An edit reaches every router with a service on
/// the plan: its profile's rate-limit changes there.
#[tauri::command]
pub async fn save_plan(state: State<'_, AppState>, form: PlanForm) -> Answer<PlanRow> {
    let input = parse_plan_form(&form)?;
    let plan = match form.id {
        None => state.workflows.add_plan(&Actor::Operator, input).await,
        Some(id) => state.workflows.edit_plan(&Actor::Operator, PlanId(id), input).await,
    };
    Ok(plan_row(plan.map_err(workflow_error)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> PlanForm {
        PlanForm {
            name: "Home 20".into(),
            download: "20M".into(),
            upload: "5M".into(),
            price: "25.00".into(),
            cycle: "monthly".into(),
            ..PlanForm::default()
        }
    }

    fn burst() -> BurstDto {
        BurstDto {
            download: "40M".into(),
            upload: "10M".into(),
            threshold_download: "16M".into(),
            threshold_upload: "4M".into(),
            time_secs: "16".into(),
        }
    }

    fn field_of(form: &PlanForm) -> Option<String> {
        parse_plan_form(form).err().and_then(|e| e.field)
    }

    #[test]
    fn rates_are_written_upload_first_with_the_burst() {
        assert_eq!(parse_plan_form(&form()).unwrap().limits.to_string(), "5M/20M");
        let with_burst = parse_plan_form(&PlanForm { burst: burst(), ..form() }).unwrap();
        assert_eq!(with_burst.limits.to_string(), "5M/20M 10M/40M 4M/16M 16/16");
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(&PlanForm { name: " ".into(), ..PlanForm::default() }).as_deref(), Some("name"));
        assert_eq!(field_of(&PlanForm { download: "20 M".into(), ..form() }).as_deref(), Some("download"));
        assert_eq!(field_of(&PlanForm { upload: String::new(), ..form() }).as_deref(), Some("upload"));
        assert_eq!(field_of(&PlanForm { price: "cheap".into(), ..form() }).as_deref(), Some("price"));
        assert_eq!(field_of(&PlanForm { cycle: "weekly".into(), ..form() }).as_deref(), Some("cycle"));
        let no_time = BurstDto { time_secs: String::new(), ..burst() };
        assert_eq!(field_of(&PlanForm { burst: no_time, ..form() }).as_deref(), Some("burst_time"));
        let slow_burst = BurstDto { download: "10M".into(), ..burst() };
        assert_eq!(field_of(&PlanForm { burst: slow_burst, ..form() }).as_deref(), Some("burst_download"));
    }
}
