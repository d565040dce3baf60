//! The relay queue as the store of `smtp_serve`: a server with
//! `Store::Spool(Arc::new(QueueSpool(queue)))` streams each message it
//! accepts into the queue, and answers `250` only once the queue has it
//! on disk (`relay_queue.rs`); the worker (`relay_worker.rs`) sends it on.
//!
//! Include it with `#[path = "support/relay_spool.rs"] mod relay_spool;`
//! beside `relay_queue` and `smtp_serve`.

// Each example uses the part it needs.
#![allow(dead_code)]

use std::io;

use crate::relay_queue::{Enqueue, Envelope, Queue};
use crate::smtp_serve::{BoxFuture, Spool, SpoolWriter};

/// A [`Queue`] that takes an SMTP server's messages.
#[derive(Clone, Debug)]
pub(crate) struct QueueSpool(pub(crate) Queue);

impl Spool for QueueSpool {
    fn begin<'a>(
        &'a self,
        from: &'a str,
        to: &'a [String],
    ) -> BoxFuture<'a, io::Result<Box<dyn SpoolWriter>>> {
        Box::pin(async move {
            let enqueue = self.0.begin(Envelope::new(from, to)).await?;
            Ok(Box::new(enqueue) as Box<dyn SpoolWriter>)
        })
    }
}

impl SpoolWriter for Enqueue {
    fn write_chunk<'a>(&'a mut self, chunk: &'a [u8]) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(Enqueue::write_chunk(self, chunk))
    }

    fn commit(self: Box<Self>) -> BoxFuture<'static, io::Result<String>> {
        Box::pin(Enqueue::commit(*self))
    }
}
