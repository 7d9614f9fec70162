//! Huawei SmartAX command lines, built from typed values. Pure; the flows
//! in `huawei/mod.rs` send them.

use crate::cli::{check_description, check_word};
use crate::error::OltError;
use crate::types::{AuthorizeRequest, OnuRef, PonPort, ProfileRef, Vlan};

/// `interface gpon F/S`.
pub fn interface(port: PonPort) -> String {
    format!("interface gpon {}/{}", port.frame, port.slot)
}

pub const AUTOFIND: &str = "display ont autofind all";

/// `display ont info summary F/S/P`.
pub fn summary(port: PonPort) -> String {
    format!("display ont info summary {}/{}/{}", port.frame, port.slot, port.port)
}

/// Every port of frame 0.
pub const INFO_ALL: &str = "display ont info 0 all";

/// `display ont optical-info P ID` (in the interface).
pub fn optical(onu: OnuRef) -> String {
    format!("display ont optical-info {} {}", onu.port.port, onu.id)
}

/// `display ont optical-info P all` (in the interface).
pub fn optical_port(port: PonPort) -> String {
    format!("display ont optical-info {} all", port.port)
}

fn profile(kind: &str, p: &ProfileRef) -> Result<String, OltError> {
    match p {
        ProfileRef::Id(id) => Ok(format!("ont-{kind}profile-id {id}")),
        ProfileRef::Name(name) => {
            check_word("profile name", name)?;
            Ok(format!("ont-{kind}profile-name {name}"))
        }
    }
}

/// `ont add P [ID] sn-auth HEX16 omci ont-lineprofile-... ont-srvprofile-... [desc "..."]`
/// (in the interface).
pub fn ont_add(req: &AuthorizeRequest) -> Result<String, OltError> {
    let line = req
        .profile
        .line
        .as_ref()
        .ok_or_else(|| OltError::InvalidRequest("Huawei needs a line profile (ont-lineprofile)".into()))?;
    let service = req
        .profile
        .service
        .as_ref()
        .ok_or_else(|| OltError::InvalidRequest("Huawei needs a service profile (ont-srvprofile)".into()))?;
    let mut cmd = format!("ont add {}", req.port.port);
    if let Some(id) = req.onu_id {
        cmd.push_str(&format!(" {id}"));
    }
    cmd.push_str(&format!(
        " sn-auth {} omci {} {}",
        req.serial.hex16(),
        profile("line", line)?,
        profile("srv", service)?
    ));
    if let Some(d) = &req.description {
        check_description(d)?;
        cmd.push_str(&format!(" desc \"{d}\""));
    }
    Ok(cmd)
}

/// The service port that carries the customer VLAN (config mode).
pub fn service_port(onu: OnuRef, vlan: Vlan, gemport: u16) -> String {
    format!(
        "service-port vlan {vlan} gpon {}/{}/{} ont {} gemport {gemport} multi-service user-vlan {vlan} tag-transform translate",
        onu.port.frame, onu.port.slot, onu.port.port, onu.id
    )
}

/// Removes the ONT's service ports (config mode; asks to confirm).
pub fn undo_service_ports(onu: OnuRef) -> String {
    format!("undo service-port port {}/{}/{} ont {}", onu.port.frame, onu.port.slot, onu.port.port, onu.id)
}

/// `ont delete P ID` (in the interface).
pub fn ont_delete(onu: OnuRef) -> String {
    format!("ont delete {} {}", onu.port.port, onu.id)
}

/// `ont reset P ID` (in the interface; asks to confirm).
pub fn ont_reset(onu: OnuRef) -> String {
    format!("ont reset {} {}", onu.port.port, onu.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{OnuProfile, SerialNumber};

    fn req() -> AuthorizeRequest {
        AuthorizeRequest {
            port: PonPort::new(0, 1, 3),
            serial: SerialNumber::parse("HWTC0B086EA9").unwrap_or_else(|e| panic!("{e}")),
            onu_id: None,
            profile: OnuProfile {
                line: Some(ProfileRef::Id(10)),
                service: Some(ProfileRef::Name("SRV_HGU".into())),
                ..OnuProfile::default()
            },
            vlan: Vlan::new(100),
            description: Some("Maria Lopez".into()),
        }
    }

    #[test]
    fn ont_add_lines() {
        assert_eq!(
            ont_add(&req()).ok().as_deref(),
            Some(
                "ont add 3 sn-auth 485754430B086EA9 omci ont-lineprofile-id 10 ont-srvprofile-name SRV_HGU desc \"Maria Lopez\""
            )
        );
        let mut r = req();
        r.onu_id = Some(7);
        r.description = None;
        r.profile.line = Some(ProfileRef::Name("LINE".into()));
        assert_eq!(
            ont_add(&r).ok().as_deref(),
            Some("ont add 3 7 sn-auth 485754430B086EA9 omci ont-lineprofile-name LINE ont-srvprofile-name SRV_HGU")
        );
    }

    #[test]
    fn ont_add_refuses_what_it_cannot_type() {
        let mut r = req();
        r.profile.line = None;
        assert!(matches!(ont_add(&r), Err(OltError::InvalidRequest(_))));
        let mut r = req();
        r.description = Some("what?".into());
        assert!(matches!(ont_add(&r), Err(OltError::InvalidRequest(_))));
        let mut r = req();
        r.profile.service = Some(ProfileRef::Name("two words".into()));
        assert!(matches!(ont_add(&r), Err(OltError::InvalidRequest(_))));
    }

    #[test]
    fn other_lines() {
        let onu = OnuRef::new(PonPort::new(0, 1, 3), 5);
        assert_eq!(interface(onu.port), "interface gpon 0/1");
        assert_eq!(summary(onu.port), "display ont info summary 0/1/3");
        assert_eq!(optical(onu), "display ont optical-info 3 5");
        assert_eq!(optical_port(onu.port), "display ont optical-info 3 all");
        assert_eq!(ont_delete(onu), "ont delete 3 5");
        assert_eq!(ont_reset(onu), "ont reset 3 5");
        assert_eq!(undo_service_ports(onu), "undo service-port port 0/1/3 ont 5");
        assert_eq!(
            service_port(onu, Vlan::new(100).unwrap_or_else(|| panic!()), 1),
            "service-port vlan 100 gpon 0/1/3 ont 5 gemport 1 multi-service user-vlan 100 tag-transform translate"
        );
    }
}
