//! MikroTik RouterOS API: a sans-IO codec of the binary API (TCP 8728, TLS
//! 8729).
//!
//! The router and the client exchange *sentences*; a sentence is a list of
//! *words* ended by a zero-length word, and each word is a length prefix
//! followed by that many bytes. Commands go one way (`/ppp/secret/print`,
//! `=name=value`, `?query`, `.tag=N`), replies come back (`!re`, `!done`,
//! `!trap`, `!fatal`, `!empty`).
//!
//! # Layout
//!
//! One module per concept, each re-exported here:
//!
//! - [`length`]: the 1-to-5-byte word length prefix ([`encode_length`],
//!   [`decode_length`]).
//! - `word`: [`Word`] (one word, never empty) and [`Value`] (attribute names
//!   and values): bytes, never `String`.
//! - `cp1252`: display-only decoding of text that is not UTF-8
//!   ([`to_string_lossy_cp1252`]).
//! - `sentence`: [`Sentence`] and its encoding.
//! - `decoder`: the incremental [`Decoder`] and its [`Limits`].
//! - `attributes`: [`Attributes`], the ordered `=name=value` list.
//! - `tag`: [`Tag`].
//! - `command`: the [`Command`] builder and its [`Query`] words.
//! - `reply`: the typed [`Reply`] and [`TrapCategory`].
//! - `error`: [`ProtocolError`].
//! - [`client`] (feature `client`, on by default): the async tokio client
//!   ([`client::Client`], [`client::Session`]).
//! - [`ops`] (feature `client`): typed operations ([`ops::RouterApi`]) over
//!   the client.
//! - [`rest`] (feature `rest`, on by default): the same typed operations
//!   over the REST API (HTTPS, same pinning), [`rest::RestClient`].
//!
//! # Architecture invariants
//!
//! - The codec modules do no IO, no async, no clock (only [`client`],
//!   [`ops`] and `rest` do): bytes in, sentences out, and the other way
//!   round. The connection owner (the async client) feeds the [`Decoder`]
//!   and writes what [`Command::encode`] produced.
//! - Bytes stay bytes: names and comments on real routers are often
//!   Windows-1252; they are stored and sent back untouched, and only turned
//!   into text for display.
//! - No input panics: every length is checked, every slice is taken with
//!   `get`, the decoder's memory is bounded by [`Limits`]. A fuzz target
//!   (`fuzz/fuzz_targets/routeros_decoder.rs`) backs this up.
//! - Secrets stay out of `Debug` and error messages (see
//!   [`is_secret_name`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod attributes;
#[cfg(feature = "client")]
pub mod client;
mod command;
mod cp1252;
mod decoder;
mod error;
pub mod length;
#[cfg(feature = "client")]
pub mod ops;
mod reply;
#[cfg(feature = "rest")]
pub mod rest;
mod sentence;
mod tag;
mod word;

pub use attributes::{Attributes, is_secret_name};
pub use command::{Command, Query};
pub use cp1252::{cp1252_char, to_string_lossy_cp1252};
pub use decoder::{Decoder, Limits};
pub use error::ProtocolError;
pub use length::{DecodedLength, decode_length, encode_length, encoded_length_len};
pub use reply::{Reply, TrapCategory};
pub use sentence::Sentence;
pub use tag::Tag;
pub use word::{Value, Word};
