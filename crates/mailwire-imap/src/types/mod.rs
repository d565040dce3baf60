//! The values of IMAP: commands and the validated pieces they are made
//! of (tags, atoms, strings, mailbox names, flags, sequence sets, dates,
//! search keys, fetch attributes, capabilities). No I/O and no parsing
//! machinery lives here; the response side reuses these types.

mod capability;
pub(crate) mod chars;
mod command;
mod datetime;
mod fetch;
mod flag;
mod mailbox;
mod owned;
mod search;
mod sequence;
mod string;

pub use capability::Capability;
pub use chars::{is_astring_char, is_atom_char, is_list_char, is_quotable, is_tag_char};
pub use command::{
    AppendMessage, Command, CommandBody, IdleDone, InitialResponse, ListReturn, ListSelect,
    SelectParam,
};
pub use datetime::{Date, DateTime};
pub use fetch::{
    FetchAttribute, FetchAttributes, Section, SectionText, StatusItem, StoreFlags, StoreMode,
};
pub use flag::{Flag, FlagPerm};
pub use mailbox::{Mailbox, decode_utf7, encode_utf7};
pub use search::{EntryType, SearchKey, SearchReturn, SortCriterion, SortKey};
pub(crate) use sequence::valid_set;
pub use sequence::{SeqNumber, SeqRange, SequenceSet, Uid};
pub use string::{AString, Atom, NString, Secret, Tag};

mod body;
mod envelope;
mod response;
mod response_owned;

pub use body::{BodyExt, BodyExtension, BodyStructure, Disposition, SinglePart, SinglePartKind};
pub use envelope::{Address, Envelope};
pub use response::{
    Code, Continuation, Data, ESearch, ESearchData, FetchItem, ListAttribute, ListData,
    ListExtended, Namespace, QuotaResource, Response, Status, StatusKind, StreamedItem, Thread,
};
