//! What the operator types or pipes in.

use std::io::{IsTerminal, Read};

use anyhow::bail;

/// Longest password accepted on standard input, in bytes.
const MAX_PASSWORD_LEN: usize = 4096;

/// A password from standard input: everything up to EOF from a pipe or a
/// file (one trailing newline dropped), or typed at a terminal without
/// being shown.
/// `what` names it in the prompt ("Router password"), `command` in the
/// hint when there is none ("router add").
pub fn read_password(what: &str, command: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let limit = u64::try_from(MAX_PASSWORD_LEN + 1).unwrap_or(u64::MAX);
    let mut raw = Vec::new();
    if stdin.is_terminal() {
        // The terminal does not echo it (rpassword turns echo off).
        raw = rpassword::prompt_password(format!("{what}: "))?.into_bytes();
    } else {
        stdin.lock().take(limit).read_to_end(&mut raw)?;
    }
    if raw.len() > MAX_PASSWORD_LEN {
        bail!("the password on standard input is longer than {MAX_PASSWORD_LEN} bytes");
    }
    if raw.last() == Some(&b'\n') {
        raw.pop();
        if raw.last() == Some(&b'\r') {
            raw.pop();
        }
    }
    let password =
        String::from_utf8(raw).map_err(|_| anyhow::anyhow!("the password on standard input is not UTF-8 text"))?;
    if password.is_empty() {
        bail!(
            "no password on standard input (--password-stdin reads it from there, e.g. `printf %s \"$PW\" | headend {command} ...`)"
        );
    }
    Ok(password)
}
