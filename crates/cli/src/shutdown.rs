//! Waiting for the operator to stop a long-running command.

/// Stop requests (Ctrl-C, and SIGTERM on Unix), listened for from the
/// moment this is made: a signal that comes while the command is still
/// starting is not lost (nor does it kill the process half-way).
pub struct Shutdown {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Shutdown {
    pub fn listen() -> std::io::Result<Self> {
        Ok(Self {
            #[cfg(unix)]
            term: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?,
        })
    }

    /// Resolves at the next Ctrl-C or SIGTERM.
    pub async fn requested(&mut self) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            tokio::select! {
                result = tokio::signal::ctrl_c() => result,
                _ = self.term.recv() => Ok(()),
            }
        }
        #[cfg(not(unix))]
        {
            tokio::signal::ctrl_c().await
        }
    }
}

/// Resolves on Ctrl-C (SIGINT) or, on Unix, SIGTERM.
pub async fn requested() -> std::io::Result<()> {
    Shutdown::listen()?.requested().await
}
