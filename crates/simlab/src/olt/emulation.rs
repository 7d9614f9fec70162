//! What the simulator does differently for each vendor it emulates, as
//! data. [`emulation`] is the one place that says which vendors those are:
//! Huawei MA5600T/MA5800 and ZTE C300/C320.

use headend_core::olt::OltVendor;
use tokio::time::Instant;

use super::SimOltError;
use super::cli::{Mode, Reply, Shell};
use super::config::PonPort;
use super::state::State;
use super::{huawei, zte};

/// One emulated vendor's CLI and defaults.
#[derive(Debug)]
pub(crate) struct Emulation {
    pub(crate) vendor: OltVendor,
    /// The hostname in the prompt when none is configured.
    pub(crate) hostname: &'static str,
    /// The equipment id (Huawei) or ONU type (ZTE) of generated ONUs.
    pub(crate) equipment: &'static str,
    /// The vendor id that starts generated serial numbers.
    serial_vendor: &'static str,
    /// The frame of every PON port, and the number of a board's first port.
    frame: u8,
    first_port: u8,
    /// ONU ids on a port start here.
    pub(crate) first_id: u16,
    /// The description of an ONU registered without one.
    pub(crate) description: &'static str,
    /// The SSH server's identification string.
    pub(crate) ssh_id: &'static str,
    /// Where a shell starts.
    pub(crate) login_mode: Mode,
    /// The text before the first prompt.
    pub(crate) banner: &'static str,
    /// What follows a reply's lines before the prompt.
    pub(crate) before_prompt: &'static str,
    /// The pager's mark, and what erases it when the user goes on.
    pub(crate) more: &'static str,
    pub(crate) more_erase: &'static str,
    /// The refusal a shell past the vty limit gets before it is closed.
    pub(crate) too_many_users: &'static str,
    /// The unknown-command error, printed under its caret.
    pub(crate) unknown: &'static str,
    /// The wrong-value error, printed under its caret; `None`: a wrong
    /// value is an unknown command.
    pub(crate) bad_parameter: Option<&'static str>,
    /// The vendor's command interpreter.
    pub(crate) run: fn(&mut Shell, &str, &mut State, Instant) -> Reply,
}

static HUAWEI: Emulation = Emulation {
    vendor: OltVendor::Huawei,
    hostname: "MA5600T",
    equipment: "EG8145V5",
    serial_vendor: "HWTC",
    frame: 0,
    first_port: 0,
    first_id: 0,
    description: "ONT_NO_DESCRIPTION",
    ssh_id: "SSH-2.0-HUAWEI-1.5",
    login_mode: Mode::HwUser,
    banner: concat!(
        "\r\n\r\n  Huawei Integrated Access Software (MA5600T).\r\n",
        "  Copyright(C) Huawei Technologies Co., Ltd. 2002-2021. All rights reserved.\r\n",
        "\r\n"
    ),
    before_prompt: "\r\n",
    more: "---- More ( Press 'Q' to break ) ----",
    // Back over the mark, 35 spaces, back again.
    more_erase: concat!("\x1b[37D", "                                   ", "\x1b[37D"),
    too_many_users: "  The number of online users has reached the upper limit.",
    unknown: "  % Unknown command, the error locates at '^'",
    bad_parameter: Some("  % Parameter error, the error locates at '^'"),
    run: huawei::run,
};

static ZTE: Emulation = Emulation {
    vendor: OltVendor::Zte,
    hostname: "ZXAN",
    equipment: "ZTE-F660",
    serial_vendor: "ZTEG",
    frame: 1,
    first_port: 1,
    first_id: 1,
    description: "",
    ssh_id: "SSH-2.0-ZTE_SSH.2.0",
    login_mode: Mode::ZteExec,
    banner: "\r\n",
    before_prompt: "",
    more: "--More--",
    // Eight backspace, space, backspace.
    more_erase: "\x08 \x08\x08 \x08\x08 \x08\x08 \x08\x08 \x08\x08 \x08\x08 \x08\x08 \x08",
    too_many_users: "%Error 10101: The number of users has reached the maximum.",
    unknown: "% Invalid input detected at '^' marker.",
    bad_parameter: None,
    run: zte::run,
};

/// How the simulator speaks `vendor`'s CLI, or why it cannot.
pub(crate) fn emulation(vendor: OltVendor) -> Result<&'static Emulation, SimOltError> {
    match vendor {
        OltVendor::Huawei => Ok(&HUAWEI),
        OltVendor::Zte => Ok(&ZTE),
        OltVendor::ZteTitan | OltVendor::Vsol => Err(SimOltError::NotEmulated(vendor)),
    }
}

impl Emulation {
    /// The address of the `index`th PON port (0-based): 16 ports a board,
    /// Huawei from `0/1/0`, ZTE from `1/1/1`.
    pub(crate) fn port(&self, index: usize) -> PonPort {
        let board = u8::try_from(index / 16).unwrap_or(u8::MAX);
        let port = u8::try_from(index % 16).unwrap_or(0);
        PonPort::new(self.frame, board.saturating_add(1), port + self.first_port)
    }

    /// A generated serial number: the vendor id and 8 hex digits.
    pub(crate) fn serial(&self, n: u32) -> String {
        format!("{}{n:08X}", self.serial_vendor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_erasures_are_what_the_olts_send() {
        assert_eq!(HUAWEI.more_erase, format!("\x1b[37D{}\x1b[37D", " ".repeat(35)));
        assert_eq!(ZTE.more_erase, "\x08 \x08".repeat(8));
    }

    #[test]
    fn ports_and_serials_per_vendor() {
        assert_eq!((HUAWEI.port(0), HUAWEI.port(17)), (PonPort::new(0, 1, 0), PonPort::new(0, 2, 1)));
        assert_eq!((ZTE.port(0), ZTE.port(17)), (PonPort::new(1, 1, 1), PonPort::new(1, 2, 2)));
        assert_eq!((HUAWEI.serial(0xB086EA9), ZTE.serial(1)), ("HWTC0B086EA9".into(), "ZTEG00000001".into()));
    }

    #[test]
    fn only_huawei_and_zte_c300_are_emulated() {
        for vendor in OltVendor::ALL {
            match emulation(vendor) {
                Ok(e) => assert_eq!(e.vendor, vendor),
                Err(e) => assert!(matches!(vendor, OltVendor::ZteTitan | OltVendor::Vsol), "{e}"),
            }
        }
        let refused = emulation(OltVendor::Vsol).map(|e| e.vendor);
        assert_eq!(refused.map_err(|e| e.to_string()), Err("the simulator does not emulate VSOL".into()));
    }
}
