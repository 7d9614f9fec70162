//! Provisioning as plain functions over plain data: which services must be
//! on their router ([`policy`]), what the router should therefore hold
//! ([`desired`]), what it holds ([`observed`]), and the smallest list of
//! writes from one to the other ([`diff`]); which secrets already on a
//! router Headend takes over ([`adoption`]).
//!
//! The engine reads a router, calls [`desired::for_router`] and
//! [`diff::plan`], and applies the plan; a dry run stops before applying.
//! Running the diff again on the result yields nothing: the reconciler is
//! idempotent, so a sweep after a crash simply finishes the job.

pub mod adoption;
pub mod desired;
pub mod diff;
pub mod marker;
pub mod observed;
pub mod policy;

mod password;

pub use password::{CredentialError, Password, validate_password, validate_username};
