//! What an Access-Accept grants, read into plain fields: the parts Headend
//! shows for a test login and the simulated router applies to a session.

use std::net::Ipv4Addr;

use crate::attribute::{Vsa, mikrotik, typ};
use crate::packet::Packet;

/// The attributes of an Access-Accept (or the Reply-Message of a Reject)
/// that matter to a MikroTik NAS. A value that is missing or malformed is
/// `None`: RFC 2865 §5 lets a NAS ignore what it cannot read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Authorization {
    /// `Mikrotik-Rate-Limit`, e.g. `10M/20M`.
    pub rate_limit: Option<String>,
    /// `Mikrotik-Address-List`.
    pub address_list: Option<String>,
    pub framed_ip_address: Option<Ipv4Addr>,
    /// Seconds.
    pub session_timeout: Option<u32>,
    /// Seconds.
    pub idle_timeout: Option<u32>,
    pub framed_pool: Option<String>,
    /// Every Reply-Message joined in order: RFC 2865 §5.18 says several
    /// are shown one after the other (long texts are split across them).
    pub reply_message: Option<String>,
}

impl Authorization {
    /// Reads the attributes of a decoded (and verified) reply.
    pub fn read(packet: &Packet) -> Authorization {
        let text = |t: u8| packet.find(t).and_then(|a| a.as_text().ok()).map(str::to_owned);
        let integer = |t: u8| packet.find(t).and_then(|a| a.as_u32().ok());
        let vsa = |vendor_type: u8| {
            Vsa::find(&packet.attributes, mikrotik::VENDOR_ID, vendor_type).and_then(|v| String::from_utf8(v).ok())
        };
        let messages: Vec<&str> = packet.find_all(typ::REPLY_MESSAGE).filter_map(|a| a.as_text().ok()).collect();
        Authorization {
            rate_limit: vsa(mikrotik::RATE_LIMIT),
            address_list: vsa(mikrotik::ADDRESS_LIST),
            framed_ip_address: packet.find(typ::FRAMED_IP_ADDRESS).and_then(|a| a.as_ipv4().ok()),
            session_timeout: integer(typ::SESSION_TIMEOUT),
            idle_timeout: integer(typ::IDLE_TIMEOUT),
            framed_pool: text(typ::FRAMED_POOL),
            reply_message: (!messages.is_empty()).then(|| messages.concat()),
        }
    }
}
