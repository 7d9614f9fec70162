//! The RouterOS side of RADIUS mode: what a router needs to ask FreeRADIUS
//! for its PPPoE users, send accounting, and take Disconnect and CoA
//! requests.

use std::net::SocketAddr;

/// How often a RADIUS router reports a session's counters: the history's
/// resolution, and cheap for FreeRADIUS.
pub const INTERIM_UPDATE: &str = "5m";

/// The commands, in RouterOS's terminal syntax, for a router whose RADIUS
/// server is `server` (authentication port; accounting is the next) and
/// whose RFC 5176 port is `coa_port`. `secret` is written as given: pass a
/// placeholder to show them, the secret only to apply them.
pub fn routeros_commands(server: SocketAddr, coa_port: u16, secret: &str) -> Vec<String> {
    let accounting = server.port().saturating_add(1);
    vec![
        format!(
            "/radius add service=ppp address={} secret={secret} authentication-port={} accounting-port={accounting} \
             timeout=3s comment=headend",
            server.ip(),
            server.port()
        ),
        format!("/ppp aaa set use-radius=yes accounting=yes interim-update={INTERIM_UPDATE}"),
        format!("/radius incoming set accept=yes port={coa_port}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_name_the_server_ports_and_coa_port() {
        let lines = routeros_commands("10.0.0.5:1812".parse().unwrap(), 3799, "<secret>");
        assert_eq!(
            lines,
            [
                "/radius add service=ppp address=10.0.0.5 secret=<secret> authentication-port=1812 \
                 accounting-port=1813 timeout=3s comment=headend",
                "/ppp aaa set use-radius=yes accounting=yes interim-update=5m",
                "/radius incoming set accept=yes port=3799",
            ]
        );
    }
}
