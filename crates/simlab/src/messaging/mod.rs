//! Simulated message providers on loopback, for `headend-messaging`'s
//! tests and the outbox's benchmarks:
//!
//! - [`SimSmtp`]: an SMTP server (plain, `AUTH PLAIN LOGIN`) that keeps
//!   the e-mails it receives;
//! - [`SimGateway`]: one HTTP server playing Twilio, Africa's Talking, the
//!   WhatsApp Cloud API and a generic SMS gateway, strict about shapes and
//!   credentials as the real ones are.
//!
//! Both have faults (failures at chosen steps, refused numbers or
//! connections, latency) and keep what they accepted for tests to read.

mod gateway;
mod smtp;

pub use gateway::{SimGateway, SimGatewayConfig, SimMessage, SimProvider, SimRequest};
pub use smtp::{MAX_LINE, ReceivedAttachment, ReceivedMail, SimSmtp, SimSmtpConfig, SmtpStage};
