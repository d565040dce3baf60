//! Parsers for commands and replies. Each parser's documentation quotes the
//! ABNF it implements. Parsing borrows from the input and allocates nothing.

mod command;
mod reply;

pub use command::{CommandError, CommandErrorKind};
pub(crate) use command::{is_base64, is_date_time};
pub use reply::{ReplyError, ReplyErrorKind, ReplyLimits};
