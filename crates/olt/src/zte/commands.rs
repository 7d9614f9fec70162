//! ZTE command lines for both families, built from typed values. Pure; the
//! flows in `zte/mod.rs` send them.

use crate::cli::{check_description, check_word, one_word};
use crate::error::OltError;
use crate::types::{AuthorizeRequest, OnuRef, PonPort};

/// Which naming the OLT uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// C300 / C320: `gpon-olt_1/1/1`, `gpon-onu_1/1/1:5`, `show gpon onu uncfg`.
    C300,
    /// C600 / C620 / C650: `gpon_olt-1/1/1`, `gpon_onu-1/1/1:5`,
    /// `show pon onu uncfg`, service ports on `vport-1/1/1.5:1`.
    Titan,
}

impl Family {
    pub fn olt(self, p: PonPort) -> String {
        match self {
            Family::C300 => format!("gpon-olt_{}/{}/{}", p.frame, p.slot, p.port),
            Family::Titan => format!("gpon_olt-{}/{}/{}", p.frame, p.slot, p.port),
        }
    }

    pub fn onu(self, o: OnuRef) -> String {
        match self {
            Family::C300 => format!("gpon-onu_{}/{}/{}:{}", o.port.frame, o.port.slot, o.port.port, o.id),
            Family::Titan => format!("gpon_onu-{}/{}/{}:{}", o.port.frame, o.port.slot, o.port.port, o.id),
        }
    }

    pub fn uncfg(self) -> &'static str {
        match self {
            Family::C300 => "show gpon onu uncfg",
            Family::Titan => "show pon onu uncfg",
        }
    }

    pub fn state(self, port: Option<PonPort>) -> String {
        match port {
            Some(p) => format!("show gpon onu state {}", self.olt(p)),
            None => "show gpon onu state".into(),
        }
    }

    pub fn baseinfo(self, p: PonPort) -> String {
        format!("show gpon onu baseinfo {}", self.olt(p))
    }

    pub fn attenuation(self, o: OnuRef) -> String {
        format!("show pon power attenuation {}", self.onu(o))
    }

    pub fn remote_pon(self, o: OnuRef) -> String {
        format!("show gpon remote-onu interface pon {}", self.onu(o))
    }

    pub fn onu_rx(self, p: PonPort) -> String {
        format!("show pon power onu-rx {}", self.olt(p))
    }

    /// Everything from `configure terminal` to `end` that registers the ONU
    /// with id `id`. The line that adds it is the third; the ones after it
    /// configure it.
    pub fn authorize(self, req: &AuthorizeRequest, id: u32) -> Result<Vec<String>, OltError> {
        let onu_type = req
            .profile
            .onu_type
            .as_deref()
            .ok_or_else(|| OltError::InvalidRequest("ZTE needs the ONU type (onu N type T sn S)".into()))?;
        check_word("ONU type", onu_type)?;
        let tcont = req
            .profile
            .tcont_profile
            .as_deref()
            .ok_or_else(|| OltError::InvalidRequest("ZTE needs a T-CONT (bandwidth) profile".into()))?;
        check_word("T-CONT profile", tcont)?;
        if let Some(d) = &req.description {
            check_description(d)?;
        }
        let onu = OnuRef::new(req.port, id);
        let g = req.profile.gemport;
        let mut cmds = vec![
            "configure terminal".to_owned(),
            format!("interface {}", self.olt(req.port)),
            format!("onu {id} type {onu_type} sn {}", req.serial),
            "exit".to_owned(),
            format!("interface {}", self.onu(onu)),
        ];
        if let Some(d) = &req.description {
            cmds.push(format!("description {}", one_word(d)));
        }
        cmds.push(format!("tcont 1 profile {tcont}"));
        cmds.push(format!("gemport {g} tcont 1"));
        match (self, req.vlan) {
            (Family::C300, Some(v)) => {
                cmds.push(format!("service-port 1 vport 1 user-vlan {v} vlan {v}"));
                cmds.push("exit".to_owned());
            }
            (Family::Titan, Some(v)) => {
                cmds.push("exit".to_owned());
                cmds.push(format!("interface vport-{}/{}/{}.{id}:1", req.port.frame, req.port.slot, req.port.port));
                cmds.push(format!("service-port 1 user-vlan {v} vlan {v}"));
                cmds.push("exit".to_owned());
            }
            (_, None) => cmds.push("exit".to_owned()),
        }
        if let Some(v) = req.vlan {
            cmds.push(format!("pon-onu-mng {}", self.onu(onu)));
            cmds.push(format!("service internet gemport {g} vlan {v}"));
            cmds.push("exit".to_owned());
        }
        cmds.push("end".to_owned());
        Ok(cmds)
    }

    pub fn deregister(self, o: OnuRef) -> Vec<String> {
        vec![
            "configure terminal".to_owned(),
            format!("interface {}", self.olt(o.port)),
            format!("no onu {}", o.id),
            "end".to_owned(),
        ]
    }

    pub fn reboot(self, o: OnuRef) -> Vec<String> {
        vec![
            "configure terminal".to_owned(),
            format!("pon-onu-mng {}", self.onu(o)),
            "reboot".to_owned(),
            "end".to_owned(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{OnuProfile, SerialNumber, Vlan};

    fn req(vlan: Option<u16>) -> AuthorizeRequest {
        AuthorizeRequest {
            port: PonPort::new(1, 1, 1),
            serial: SerialNumber::parse("ZTEGC8F22D1F").unwrap(),
            onu_id: None,
            profile: OnuProfile {
                onu_type: Some("ZTE-F660".into()),
                tcont_profile: Some("UP-100M".into()),
                ..OnuProfile::default()
            },
            vlan: vlan.and_then(Vlan::new),
            description: Some("Maria Lopez".into()),
        }
    }

    #[test]
    fn c300_authorize_with_vlan() {
        let cmds = Family::C300.authorize(&req(Some(100)), 5).unwrap();
        assert_eq!(
            cmds,
            [
                "configure terminal",
                "interface gpon-olt_1/1/1",
                "onu 5 type ZTE-F660 sn ZTEGC8F22D1F",
                "exit",
                "interface gpon-onu_1/1/1:5",
                "description Maria_Lopez",
                "tcont 1 profile UP-100M",
                "gemport 1 tcont 1",
                "service-port 1 vport 1 user-vlan 100 vlan 100",
                "exit",
                "pon-onu-mng gpon-onu_1/1/1:5",
                "service internet gemport 1 vlan 100",
                "exit",
                "end",
            ]
        );
    }

    #[test]
    fn titan_authorize_with_vlan_uses_the_vport() {
        let cmds = Family::Titan.authorize(&req(Some(200)), 4).unwrap();
        assert!(cmds.contains(&"interface gpon_olt-1/1/1".to_owned()));
        assert!(cmds.contains(&"interface gpon_onu-1/1/1:4".to_owned()));
        assert!(cmds.contains(&"interface vport-1/1/1.4:1".to_owned()));
        assert!(cmds.contains(&"service-port 1 user-vlan 200 vlan 200".to_owned()));
        assert!(cmds.contains(&"pon-onu-mng gpon_onu-1/1/1:4".to_owned()));
        assert_eq!(cmds.last().map(String::as_str), Some("end"));
    }

    #[test]
    fn authorize_without_vlan_has_no_service() {
        let cmds = Family::C300.authorize(&req(None), 5).unwrap();
        assert!(!cmds.iter().any(|c| c.contains("service")));
    }

    #[test]
    fn authorize_needs_type_and_tcont() {
        let mut r = req(None);
        r.profile.onu_type = None;
        assert!(matches!(Family::C300.authorize(&r, 1), Err(OltError::InvalidRequest(_))));
        let mut r = req(None);
        r.profile.tcont_profile = Some("has space".into());
        assert!(matches!(Family::C300.authorize(&r, 1), Err(OltError::InvalidRequest(_))));
    }

    #[test]
    fn names_per_family() {
        let o = OnuRef::new(PonPort::new(1, 2, 3), 4);
        assert_eq!(Family::C300.attenuation(o), "show pon power attenuation gpon-onu_1/2/3:4");
        assert_eq!(Family::Titan.remote_pon(o), "show gpon remote-onu interface pon gpon_onu-1/2/3:4");
        assert_eq!(Family::C300.state(Some(o.port)), "show gpon onu state gpon-olt_1/2/3");
        assert_eq!(Family::Titan.baseinfo(o.port), "show gpon onu baseinfo gpon_olt-1/2/3");
        assert_eq!(Family::C300.onu_rx(o.port), "show pon power onu-rx gpon-olt_1/2/3");
        assert_eq!(Family::Titan.uncfg(), "show pon onu uncfg");
        assert_eq!(Family::C300.deregister(o)[2], "no onu 4");
        assert_eq!(Family::C300.reboot(o)[1], "pon-onu-mng gpon-onu_1/2/3:4");
    }
}
