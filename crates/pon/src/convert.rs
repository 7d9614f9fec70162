//! Between `headend_olt`'s words (what the OLT printed) and the inventory's
//! (`headend_core::olt`, the store's rows), and from a plan's OLT profile
//! to what each vendor's `authorize` needs. Both sides name the vendor with
//! the same `OltVendor`.

use headend_core::olt::{OltProfile, OltVendor, OnuState};
use headend_olt::{
    AutofindOnu, CommandLogEntry, CommandOutcome, DeviceTime, Onu, OnuProfile, OpticalReading, ProfileRef, RunState,
};
use headend_store::{AutofindSeen, NewOltLogEntry, OltLogOutcome, OnuSeen, SignalSample};
use jiff::Timestamp;
use jiff::tz::TimeZone;

pub fn state(s: &RunState) -> OnuState {
    match s {
        RunState::Online => OnuState::Online,
        RunState::Offline => OnuState::Offline,
        RunState::Los => OnuState::Los,
        RunState::DyingGasp => OnuState::DyingGasp,
        RunState::Other(_) => OnuState::Other,
    }
}

/// A time on the OLT's clock: exact when the OLT printed its offset, else
/// read in `tz` (OLTs are normally set to the ISP's local time).
pub fn device_time(t: &DeviceTime, tz: &TimeZone) -> Option<Timestamp> {
    t.timestamp().or_else(|| tz.to_timestamp(t.civil).ok())
}

pub fn onu_seen(onu: &Onu, tz: &TimeZone) -> Option<OnuSeen> {
    Some(OnuSeen {
        port: onu.onu.port.to_string(),
        index: onu.onu.id,
        // An ONU listed without a serial cannot be told apart from another:
        // skipped (the OLTs the drivers know always print it).
        serial: onu.serial.as_ref()?.to_string(),
        equipment: onu.equipment_id.clone(),
        description: onu.description.clone(),
        state: state(&onu.state),
        last_up: onu.last_up.as_ref().and_then(|t| device_time(t, tz)),
        last_down: onu.last_down.as_ref().and_then(|t| device_time(t, tz)),
        last_down_cause: onu.last_down_cause.clone(),
    })
}

pub fn autofind_seen(found: &AutofindOnu, tz: &TimeZone) -> AutofindSeen {
    AutofindSeen {
        port: found.port.to_string(),
        serial: found.serial.to_string(),
        equipment: found.equipment_id.clone(),
        found_at: found.found_at.as_ref().and_then(|t| device_time(t, tz)),
    }
}

pub fn sample(r: &OpticalReading) -> SignalSample {
    SignalSample {
        onu_rx: r.onu_rx.map(|v| v.0),
        onu_tx: r.onu_tx.map(|v| v.0),
        olt_rx: r.olt_rx.map(|v| v.0),
        temperature: r.temperature.map(|v| v.0),
        voltage: r.voltage.map(|v| v.0),
        bias: r.bias_current.map(|v| v.0),
        distance: r.distance.map(|v| v.0),
    }
}

pub fn log_entry(e: CommandLogEntry) -> NewOltLogEntry {
    let (outcome, error) = match e.outcome {
        CommandOutcome::Ok => (OltLogOutcome::Ok, None),
        CommandOutcome::Refused(message) => (OltLogOutcome::Refused, Some(message)),
        CommandOutcome::Timeout => (OltLogOutcome::Timeout, None),
        CommandOutcome::Failed(why) => (OltLogOutcome::Failed, Some(why)),
    };
    NewOltLogEntry {
        at: e.at,
        command: e.command,
        reply: e.reply,
        outcome,
        error,
        duration_ms: u64::try_from(e.duration.as_millis()).unwrap_or(u64::MAX),
    }
}

/// A profile as the OLT knows it: a number is an id, anything else a name.
fn profile_ref(text: &str) -> ProfileRef {
    let text = text.trim();
    match text.parse::<u32>() {
        Ok(id) => ProfileRef::Id(id),
        Err(_) => ProfileRef::Name(text.to_owned()),
    }
}

/// What `authorize` needs, from a plan's (or the operator's) OLT profile
/// and the equipment id the OLT's autofind reported:
/// - Huawei: the line and service profiles;
/// - ZTE: the T-CONT profile (`line`) and the ONU type (`service`, else
///   the reported equipment id);
/// - VSOL: the line and service profiles, and the ONU profile named after
///   the reported equipment id.
///
/// A missing piece is left out: the driver refuses the request with a
/// clear message before sending anything.
pub fn onu_profile(vendor: OltVendor, profile: &OltProfile, equipment: Option<&str>) -> OnuProfile {
    let name = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    match vendor {
        OltVendor::Huawei => OnuProfile {
            line: name(&profile.line).map(|l| profile_ref(&l)),
            service: name(&profile.service).map(|s| profile_ref(&s)),
            ..OnuProfile::default()
        },
        OltVendor::Zte | OltVendor::ZteTitan => OnuProfile {
            tcont_profile: name(&profile.line),
            onu_type: name(&profile.service).or_else(|| equipment.map(str::to_owned)),
            ..OnuProfile::default()
        },
        OltVendor::Vsol => OnuProfile {
            line: name(&profile.line).map(|l| profile_ref(&l)),
            service: name(&profile.service).map(|s| profile_ref(&s)),
            onu_type: equipment.map(str::to_owned),
            ..OnuProfile::default()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str, service: &str) -> OltProfile {
        OltProfile { line: Some(line.into()), service: Some(service.into()), vlan: None }
    }

    #[test]
    fn plan_profiles_per_vendor() {
        let h = onu_profile(OltVendor::Huawei, &p("20", "ftth-srv"), Some("EG8145V5"));
        assert_eq!(h.line, Some(ProfileRef::Id(20)));
        assert_eq!(h.service, Some(ProfileRef::Name("ftth-srv".into())));
        assert_eq!(h.onu_type, None);

        let z = onu_profile(OltVendor::Zte, &p("UP-100M", "ZTE-F670"), Some("F660"));
        assert_eq!((z.tcont_profile.as_deref(), z.onu_type.as_deref()), (Some("UP-100M"), Some("ZTE-F670")));
        let z = onu_profile(
            OltVendor::ZteTitan,
            &OltProfile { line: Some("UP-1G".into()), ..OltProfile::default() },
            Some("F660"),
        );
        assert_eq!(z.onu_type.as_deref(), Some("F660"), "the reported type when the plan names none");

        let v = onu_profile(OltVendor::Vsol, &p("line_VLAN100", "3"), Some("V411"));
        assert_eq!(
            (v.line, v.service, v.onu_type.as_deref()),
            (Some(ProfileRef::Name("line_VLAN100".into())), Some(ProfileRef::Id(3)), Some("V411"))
        );

        let empty =
            onu_profile(OltVendor::Huawei, &OltProfile { line: Some("  ".into()), ..OltProfile::default() }, None);
        assert_eq!(empty, OnuProfile::default());
    }

    #[test]
    fn device_times_without_offset_are_local() {
        let civil = jiff::civil::date(2026, 11, 25).at(10, 0, 0, 0);
        let t = DeviceTime { civil, offset: None };
        let tz = TimeZone::get("America/Sao_Paulo").unwrap();
        assert_eq!(device_time(&t, &tz), Some("2026-11-25T13:00:00Z".parse().unwrap()));
        let t = DeviceTime { civil, offset: Some(jiff::tz::Offset::from_hours(2).unwrap()) };
        assert_eq!(device_time(&t, &tz), Some("2026-11-25T08:00:00Z".parse().unwrap()));
    }
}
