//! OLTs and ONUs: the inventory ([`inventory`]), each OLT's ports and
//! ONUs with their optical levels and actions ([`onus`]), the unconfigured
//! ONUs and their authorization ([`authorize`]). Everything that reaches an
//! OLT goes through the engine's `OltFleet` (keyring, pinned host key, two
//! sessions at most, the command log); every change through a workflow.

pub mod authorize;
pub mod inventory;
pub mod onus;
pub mod settings;
pub mod zero_touch;

use std::str::FromStr;

use headend_core::olt::{Olt, OltVendor};
use headend_core::optical::Thresholds;
use headend_core::{OltId, OnuId};
use headend_ipc::olt::ThresholdsDto;
use headend_ipc::{ErrorCode, ErrorDto};
use headend_olt::{OnuRef, PonPort};
use headend_pon::OltEngineError;
use headend_store::OnuRow;
use jiff::Timestamp;

use super::{Answer, db, error, instant, invalid, store_error};
use crate::state::AppState;

pub(super) fn opt_instant(t: Option<Timestamp>) -> String {
    t.map(instant).unwrap_or_default()
}

/// An OLT failure the operator reads: the engine's words.
pub fn olt_error(err: OltEngineError) -> ErrorDto {
    match err {
        OltEngineError::Store(e) => store_error(e),
        OltEngineError::Olt { source: headend_olt::OltError::InvalidRequest(why), .. } => invalid(why),
        other => error(ErrorCode::Olt, other),
    }
}

pub(super) fn vendor_label(v: OltVendor) -> &'static str {
    match v {
        OltVendor::Huawei => "Huawei MA5600T / MA5800",
        OltVendor::Zte => "ZTE C300 / C320",
        OltVendor::ZteTitan => "ZTE C600 / C620 / C650",
        OltVendor::Vsol => "VSOL V1600G",
    }
}

pub(super) fn thresholds_dto(t: &Thresholds) -> ThresholdsDto {
    ThresholdsDto {
        warning_below: t.warning_below(),
        critical_below: t.critical_below(),
        critical_above: t.critical_above(),
    }
}

pub(super) fn band(t: &Thresholds, rx: Option<f64>) -> String {
    rx.map(|rx| t.band(rx).as_str().to_owned()).unwrap_or_default()
}

pub(super) async fn find_olt(state: &AppState, id: i64) -> Answer<Olt> {
    state.store.olt(OltId(id)).await.map_err(db)?.ok_or_else(|| error(ErrorCode::NotFound, format!("no OLT {id}")))
}

pub(super) async fn find_onu(state: &AppState, id: i64) -> Answer<(OnuRow, Olt, OnuRef)> {
    let onu = state
        .store
        .onu(OnuId(id))
        .await
        .map_err(db)?
        .ok_or_else(|| error(ErrorCode::NotFound, format!("no ONU {id}")))?;
    let olt = find_olt(state, onu.olt.0).await?;
    let port = PonPort::from_str(&onu.port).map_err(|e| error(ErrorCode::Internal, e))?;
    let at = OnuRef::new(port, onu.index);
    Ok((onu, olt, at))
}
