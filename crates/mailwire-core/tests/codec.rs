//! The tokio codecs over real async readers: bad lines are items, not the
//! end of the stream; a cut-off last line is reported once.
#![cfg(feature = "tokio")]

use futures::StreamExt;
use mailwire_core::codec::{DotCodec, LineCodec};
use mailwire_core::dot::DotEvent;
use mailwire_core::{ErrorKind, LineFramer};
use tokio::io::AsyncWriteExt;
use tokio_util::codec::FramedRead;

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn bad_lines_are_items_and_the_stream_goes_on() {
    block_on(async {
        let input: &[u8] = b"HELO a\r\nBARE\nTHIS ONE IS TOO LONG\r\nQUIT\r\ncut off";
        let mut lines = FramedRead::new(input, LineCodec::with_framer(LineFramer::new(12)));
        let mut seen = Vec::new();
        while let Some(item) = lines.next().await {
            seen.push(match item.unwrap() {
                Ok(line) => Ok(line.content().to_vec()),
                Err(e) => Err((e.kind(), e.offset())),
            });
        }
        assert_eq!(
            seen,
            vec![
                Ok(b"HELO a".to_vec()),
                Err((ErrorKind::BareLf, 12)),
                Err((ErrorKind::LineTooLong { limit: 12 }, 13)),
                Ok(b"QUIT".to_vec()),
                Err((ErrorKind::Incomplete("line ending"), 41)),
            ]
        );
    });
}

#[test]
fn dot_codec_over_a_trickling_pipe() {
    block_on(async {
        let (mut writer, reader) = tokio::io::duplex(7);
        let feed = tokio::spawn(async move {
            for byte in b"a\r\n..b\n.\nc\r\n.\r\n" {
                writer.write_all(&[*byte]).await.unwrap();
            }
        });
        let mut events = FramedRead::new(reader, DotCodec::default());
        let mut body = Vec::new();
        let mut defects = 0;
        loop {
            match events.next().await.unwrap().unwrap() {
                DotEvent::Data(chunk) => body.extend_from_slice(&chunk),
                DotEvent::Defect(e) => {
                    assert_eq!(e.kind(), ErrorKind::BareLf);
                    defects += 1;
                }
                DotEvent::End => break,
            }
        }
        feed.await.unwrap();
        assert_eq!(body, b"a\r\n.b\n\nc\r\n");
        assert_eq!(defects, 2);
    });
}

#[test]
fn dot_codec_reports_a_body_cut_off_by_eof() {
    block_on(async {
        let input: &[u8] = b"no end of data\r\n";
        let mut events = FramedRead::new(input, DotCodec::default());
        assert!(matches!(events.next().await, Some(Ok(DotEvent::Data(_)))));
        let err = events.next().await.unwrap().unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    });
}
