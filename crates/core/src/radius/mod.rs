//! FreeRADIUS's SQL tables as Headend keeps them for routers in RADIUS
//! mode ([`Backend::Radius`](crate::router::Backend)).
//!
//! It mirrors [`provision`](crate::provision): the same
//! [`policy`](crate::provision::policy) decides who is online, [`desired`]
//! turns that into rows, [`diff`] finds the fewest row writes, touching
//! only rows Headend owns, and [`kick`] says which live sessions must end
//! or change. [`database`] is the database's address as the operator gives
//! it. Plain data, no IO: `headend-radius-db` reads and writes the rows.

pub mod adoption;
pub mod database;
pub mod desired;
pub mod diff;
pub mod kick;
pub mod rows;
pub mod setup;

#[cfg(test)]
mod tests;
