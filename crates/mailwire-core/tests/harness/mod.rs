//! Drivers shared by the framing and dot-stuffing tests and the fuzz checks
//! (`fuzz/src/checks.rs` includes this file): feed input in chunks, collect
//! what comes out in a comparable form, and check the invariants that hold
//! at every step (bounded buffers, no empty or late events).
#![allow(dead_code, unreachable_pub)] // each includer uses a part

use bytes::BytesMut;
use mailwire_core::dot::{DotDecoder, DotEvent};
use mailwire_core::{ErrorKind, LineEnding, LineFramer};

/// Cuts `data` at `points` (sorted here, clamped to its length).
pub fn split_at_points(data: &[u8], points: impl IntoIterator<Item = usize>) -> Vec<&[u8]> {
    let mut points: Vec<usize> = points.into_iter().map(|p| p.min(data.len())).collect();
    points.sort_unstable();
    let mut chunks = Vec::with_capacity(points.len() + 1);
    let mut last = 0;
    for p in points {
        chunks.push(&data[last..p]);
        last = p;
    }
    chunks.push(&data[last..]);
    chunks
}

/// What the line framer handed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Framed {
    Line(Vec<u8>, LineEnding),
    Bad(ErrorKind, usize),
}

/// Frames `chunks` fed one after another, through both `next_line` and
/// `lines`, which must agree; the buffer never holds more than the limit.
pub fn frame(framer: &LineFramer, chunks: &[&[u8]]) -> Vec<Framed> {
    let owned = frame_with(framer, chunks, |framer, buf, out| {
        while let Some(item) = framer.next_line(buf) {
            out.push(match item {
                Ok(line) => {
                    assert!(line.raw().len() <= framer.max_length());
                    Framed::Line(line.content().to_vec(), line.ending())
                }
                Err(e) => Framed::Bad(e.kind(), e.offset()),
            });
        }
    });
    let borrowed = frame_with(framer, chunks, |framer, buf, out| {
        let mut lines = framer.lines(buf);
        while let Some(item) = lines.next_line() {
            out.push(match item {
                Ok(line) => Framed::Line(line.content().to_vec(), line.ending()),
                Err(e) => Framed::Bad(e.kind(), e.offset()),
            });
        }
    });
    assert_eq!(borrowed, owned, "lines() and next_line() disagree");
    owned
}

fn frame_with(
    framer: &LineFramer,
    chunks: &[&[u8]],
    mut drain: impl FnMut(&mut LineFramer, &mut BytesMut, &mut Vec<Framed>),
) -> Vec<Framed> {
    let mut framer = framer.clone();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        drain(&mut framer, &mut buf, &mut out);
        assert!(
            buf.len() <= framer.max_length(),
            "buffer holds {} bytes, limit {}",
            buf.len(),
            framer.max_length()
        );
    }
    out
}

/// What decoding a dot-stuffed stream gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unstuffed {
    pub body: Vec<u8>,
    pub defects: Vec<(ErrorKind, usize)>,
    /// Whether `CRLF.CRLF` was found.
    pub ended: bool,
    /// Bytes left after the end (or not consumed when the input ran out).
    pub rest: Vec<u8>,
}

/// Unstuffs `chunks` fed one after another. Checks that no event is empty
/// or comes after the end, and that at most two bytes are held back.
pub fn unstuff(decoder: &DotDecoder, chunks: &[&[u8]]) -> Unstuffed {
    let mut decoder = decoder.clone();
    let mut buf = BytesMut::new();
    let mut out = Unstuffed::default();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some(event) = decoder.decode(&mut buf) {
            match event {
                DotEvent::Data(data) => {
                    assert!(!data.is_empty(), "empty data event");
                    assert!(!out.ended, "data after the end");
                    out.body.extend_from_slice(&data);
                }
                DotEvent::Defect(e) => out.defects.push((e.kind(), e.offset())),
                DotEvent::End => {
                    assert!(!out.ended, "two ends");
                    out.ended = true;
                }
            }
        }
        if !out.ended {
            assert!(buf.len() <= 2, "decoder held back {} bytes", buf.len());
        }
    }
    out.rest = buf.to_vec();
    out
}
