//! FreeRADIUS's SQL tables as Headend would keep them: the target of the
//! planned RADIUS mode (issue 14), not used by the engine yet.
//!
//! It mirrors [`provision`](crate::provision) for routers whose PPPoE users
//! authenticate against FreeRADIUS instead of `/ppp/secret`: the same
//! [`policy`](crate::provision::policy) decides who is online, [`desired`]
//! turns that into rows, and [`diff`] finds the fewest row writes, touching
//! only rows Headend owns. Plain data, no IO: a future store reads and
//! writes the rows.

pub mod desired;
pub mod diff;
pub mod rows;

#[cfg(test)]
mod tests;
