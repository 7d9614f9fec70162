//! What the engines sharing this database (the provisioning engine and the
//! OLT engine, in the app and in `headend agent`) agree on besides SQL:
//! when a lease holder is a process that is gone. Where "now" comes from
//! is the store's own clock (`Store::clock`).

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
