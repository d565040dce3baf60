//! The values of POP3: commands, responses with their extended codes,
//! SASL continuations and the lines of multi-line responses. No I/O and no
//! parsing machinery lives here; parse with [`Command::parse`] /
//! [`Response::parse`] and write with the `encode` methods.

mod capabilities;
mod command;
mod listing;
mod response;

pub use capabilities::{Capabilities, Expire, LoginDelay};
pub use command::{Command, InitialResponse, ResponseKind, SaslResponse, Secret, apop_digest};
pub use listing::{Capability, ScanListing, UniqueIdListing};
pub use response::{Continuation, Response, ResponseCode, Status};
