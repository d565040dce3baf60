//! CRLF line framing.

/// What to do with a bare CR or bare LF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BarePolicy {
    /// Refuse it.
    #[default]
    Reject,
    /// Keep it.
    Accept,
    /// Turn it into CRLF.
    Normalize,
}

/// How a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// CRLF.
    CrLf,
}

/// A line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line;

/// A line framer.
#[derive(Debug, Clone, Default)]
pub struct LineFramer;
