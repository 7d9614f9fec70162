//! The credential stores Headend can keep passwords in.

use std::fmt;
use std::str::FromStr;

use crate::SecretError;

/// Where the passwords are kept.
///
/// [`SecretStore::open`](crate::SecretStore::open) picks the best one for this
/// machine; [`SecretStore::with_backend`](crate::SecretStore::with_backend)
/// forces one. `Display` gives the human name shown on the Settings page;
/// [`Backend::name`] and [`FromStr`] give the short name used on the command
/// line (`--secret-backend kernel-keyring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The freedesktop.org Secret Service over the D-Bus session bus
    /// (GNOME Keyring, KWallet, KeePassXC…). Linux and the BSDs.
    SecretService,
    /// The Linux kernel key retention service (keyutils). Never written to
    /// disk, but lost at reboot: the fallback when no Secret Service runs.
    KernelKeyring,
    /// The macOS login keychain.
    MacKeychain,
    /// The Windows Credential Manager.
    WindowsCredentialManager,
}

impl Backend {
    /// Every backend, available here or not.
    pub const ALL: [Backend; 4] =
        [Backend::SecretService, Backend::KernelKeyring, Backend::MacKeychain, Backend::WindowsCredentialManager];

    /// Short, stable, machine-readable name (`secret-service`,
    /// `kernel-keyring`, `mac-keychain`, `windows-credential-manager`).
    pub const fn name(self) -> &'static str {
        match self {
            Backend::SecretService => "secret-service",
            Backend::KernelKeyring => "kernel-keyring",
            Backend::MacKeychain => "mac-keychain",
            Backend::WindowsCredentialManager => "windows-credential-manager",
        }
    }

    /// Whether passwords kept here survive a reboot.
    ///
    /// Only the kernel keyring does not: the Settings page should say so
    /// next to the backend name.
    pub const fn is_persistent(self) -> bool {
        !matches!(self, Backend::KernelKeyring)
    }

    /// Whether this build of Headend can use this backend at all (it is
    /// compiled in for this operating system). Being supported does not mean
    /// it works on this machine: a Secret Service may still be missing.
    pub const fn is_supported(self) -> bool {
        match self {
            Backend::SecretService => {
                cfg!(all(unix, not(any(target_os = "macos", target_os = "ios", target_os = "android"))))
            }
            Backend::KernelKeyring => cfg!(target_os = "linux"),
            Backend::MacKeychain => cfg!(target_os = "macos"),
            Backend::WindowsCredentialManager => cfg!(target_os = "windows"),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::SecretService => "Secret Service (GNOME Keyring, KWallet, KeePassXC…)",
            Backend::KernelKeyring => "Linux kernel keyring (not persistent across reboot)",
            Backend::MacKeychain => "macOS Keychain",
            Backend::WindowsCredentialManager => "Windows Credential Manager",
        })
    }
}

impl FromStr for Backend {
    type Err = SecretError;

    /// Parses [`Backend::name`] (case-insensitive, `_` accepted for `-`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Backend::ALL.into_iter().find(|b| b.name() == wanted).ok_or_else(|| SecretError::UnknownBackend(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for b in Backend::ALL {
            assert_eq!(b.name().parse::<Backend>().ok(), Some(b));
        }
        assert_eq!("Kernel_Keyring".parse::<Backend>().ok(), Some(Backend::KernelKeyring));
        let err = "vault".parse::<Backend>().err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("vault") && e.contains("secret-service")));
    }

    #[test]
    fn display_is_human() {
        assert!(Backend::KernelKeyring.to_string().contains("not persistent"));
        assert!(!Backend::KernelKeyring.is_persistent());
        assert!(Backend::SecretService.is_persistent());
    }

    #[test]
    fn exactly_the_native_backends_are_supported() {
        let supported: Vec<_> = Backend::ALL.into_iter().filter(|b| b.is_supported()).collect();
        if cfg!(target_os = "linux") {
            assert_eq!(supported, [Backend::SecretService, Backend::KernelKeyring]);
        } else if cfg!(target_os = "macos") {
            assert_eq!(supported, [Backend::MacKeychain]);
        } else if cfg!(windows) {
            assert_eq!(supported, [Backend::WindowsCredentialManager]);
        }
    }
}
