//! VSOL V1600G command lines, built from typed values. Pure; the flows in
//! `vsol/mod.rs` send them inside `interface gpon 0/n`.
//!
//! Syntax: the read commands and `onu add` are from captures of V1.4.x
//! firmware; `onu N service ... vlan`, `no onu N` and `onu N reboot` are
//! from the V1600G CLI manual (v2.1) and have no capture here.

use crate::cli::{check_description, check_word, one_word};
use crate::error::OltError;
use crate::types::{AuthorizeRequest, PonPort, ProfileRef};

/// `interface gpon 0/n`.
pub fn interface(port: PonPort) -> String {
    format!("interface gpon 0/{}", port.port)
}

pub const AUTOFIND: &str = "show onu auto-find";
pub const INFO: &str = "show onu info";
pub const STATE: &str = "show onu state";

pub fn optical(id: u32) -> String {
    format!("show onu {id} optical_info")
}

fn profile(id: u32, kind: &str, p: &ProfileRef) -> Result<String, OltError> {
    match p {
        ProfileRef::Id(n) => Ok(format!("onu {id} profile {kind} id {n}")),
        ProfileRef::Name(name) => {
            check_word("profile name", name)?;
            Ok(format!("onu {id} profile {kind} name {name}"))
        }
    }
}

/// The lines that register the ONU as `id`; the first one adds it.
pub fn authorize(req: &AuthorizeRequest, id: u32) -> Result<Vec<String>, OltError> {
    let onu_profile = req
        .profile
        .onu_type
        .as_deref()
        .ok_or_else(|| OltError::InvalidRequest("VSOL needs the ONU profile (onu add N profile P sn S)".into()))?;
    check_word("ONU profile", onu_profile)?;
    let line = req.profile.line.as_ref().ok_or_else(|| OltError::InvalidRequest("VSOL needs a line profile".into()))?;
    let service =
        req.profile.service.as_ref().ok_or_else(|| OltError::InvalidRequest("VSOL needs a service profile".into()))?;
    let mut cmds = vec![format!("onu add {id} profile {onu_profile} sn {}", req.serial)];
    if let Some(d) = &req.description {
        check_description(d)?;
        cmds.push(format!("onu {id} desc {}", one_word(d)));
    }
    cmds.push(profile(id, "line", line)?);
    cmds.push(profile(id, "srv", service)?);
    if let Some(v) = req.vlan {
        cmds.push(format!("onu {id} service internet gemport {} vlan {v}", req.profile.gemport));
    }
    Ok(cmds)
}

pub fn delete(id: u32) -> String {
    format!("no onu {id}")
}

pub fn reboot(id: u32) -> String {
    format!("onu {id} reboot")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{OnuProfile, SerialNumber, Vlan};

    #[test]
    fn authorize_lines() {
        let req = AuthorizeRequest {
            port: PonPort::vsol(2),
            serial: SerialNumber::parse("GPON002E64F8").unwrap(),
            onu_id: None,
            profile: OnuProfile {
                onu_type: Some("default".into()),
                line: Some(ProfileRef::Name("line_VLAN1010".into())),
                service: Some(ProfileRef::Id(3)),
                ..OnuProfile::default()
            },
            vlan: Vlan::new(1010),
            description: Some("Juan Perez".into()),
        };
        assert_eq!(
            authorize(&req, 4).unwrap(),
            [
                "onu add 4 profile default sn GPON002E64F8",
                "onu 4 desc Juan_Perez",
                "onu 4 profile line name line_VLAN1010",
                "onu 4 profile srv id 3",
                "onu 4 service internet gemport 1 vlan 1010",
            ]
        );
        assert_eq!(interface(req.port), "interface gpon 0/2");
        assert_eq!(optical(4), "show onu 4 optical_info");
        assert_eq!(delete(4), "no onu 4");
        assert_eq!(reboot(4), "onu 4 reboot");
    }

    #[test]
    fn authorize_needs_all_three_profiles() {
        let req = AuthorizeRequest {
            port: PonPort::vsol(1),
            serial: SerialNumber::parse("GPON002E64F8").unwrap(),
            onu_id: None,
            profile: OnuProfile::default(),
            vlan: None,
            description: None,
        };
        assert!(matches!(authorize(&req, 1), Err(OltError::InvalidRequest(_))));
    }
}
