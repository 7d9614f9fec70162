//! What the engines sharing this database (the provisioning engine and the
//! OLT engine, in the app and in `headend agent`) agree on besides SQL:
//! where "now" comes from for their leases, backoffs and cutoffs, and when
//! a lease holder is a process that is gone.

use jiff::Timestamp;

/// Where "now" comes from. Tests inject one that follows tokio's paused
/// clock, to cross a midnight without waiting for it.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The system clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// Whether a lease holder named `<role>:<pid>` is a process that no longer
/// exists on this machine. Only Linux can tell (from `/proc`); elsewhere a
/// lease of a dead process waits for its expiry.
pub fn lease_holder_is_gone(holder: &str) -> bool {
    let Some(pid) = holder.rsplit_once(':').and_then(|(_, pid)| pid.parse::<u32>().ok()) else {
        return false;
    };
    let proc = std::path::Path::new("/proc");
    cfg!(target_os = "linux") && proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_dead_local_process_gives_up_its_lease() {
        assert!(!lease_holder_is_gone(&format!("app:{}", std::process::id())));
        assert!(!lease_holder_is_gone("test"));
        assert!(!lease_holder_is_gone("agent:x"));
        if cfg!(target_os = "linux") {
            // Above the kernel's largest pid.
            assert!(lease_holder_is_gone("agent:4194305"));
        }
    }
}
