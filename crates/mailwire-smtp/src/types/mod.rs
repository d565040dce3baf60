//! The values of SMTP: commands, paths, parameters, replies and
//! capabilities. No I/O and no parsing machinery lives here; parse with
//! [`Command::parse`] / [`Reply::parse`](crate::types::Reply) and write
//! with the `encode` methods.

mod capability;
mod command;
mod param;
mod path;
mod reply;
mod status;

pub use capability::*;
pub use command::{ClientId, Command, InitialResponse, Mechanism};
pub use param::{
    Body, DeliverBy, Hold, MailAuth, MailParams, Notify, OriginalRecipient, Parameter, RcptParams,
    Ret, XText, parameters,
};
pub use path::{ForwardPath, Path, ReversePath};
pub use reply::*;
pub use status::*;
