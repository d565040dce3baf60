//! The accept loop of the example servers (`smtp_serve.rs`,
//! `pop3_serve.rs`, `imap_serve.rs`): one task per connection, and an
//! `accept` that fails for lack of resources pauses the listener instead
//! of stopping it.
//!
//! Include it with `#[path = "support/accept.rs"] mod accept;` beside the
//! module that uses it.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

/// Accepts connections from `listener` until it fails, running
/// `session(stream, peer)` in a task of its own for each. A session's
/// error is printed as `NAME: PEER: ERROR` when `verbose` (a client that
/// goes away is no news for a server).
pub(crate) async fn serve_connections<F, S>(
    listener: TcpListener,
    name: &'static str,
    verbose: bool,
    mut session: F,
) -> io::Result<()>
where
    F: FnMut(TcpStream, SocketAddr) -> S,
    S: Future<Output = io::Result<()>> + Send + 'static,
{
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if accept_error_is_transient(&error) => {
                eprintln!("{name}: accept: {error}");
                // Out of descriptors the error would repeat at once: let
                // sessions end first.
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
            Err(error) => return Err(error),
        };
        let running = session(stream, peer);
        tokio::spawn(async move {
            if let Err(error) = running.await {
                if verbose {
                    eprintln!("{name}: {peer}: {error}");
                }
            }
        });
    }
}

/// Whether an `accept` error concerns one connection or a passing lack of
/// resources (out of file descriptors, say) rather than the listener: the
/// server then waits a moment and goes on instead of stopping.
pub(crate) fn accept_error_is_transient(error: &io::Error) -> bool {
    use io::ErrorKind::{ConnectionAborted, ConnectionReset, Interrupted, OutOfMemory};
    // EMFILE, ENFILE, ENOBUFS, ENOMEM (Linux numbers).
    matches!(error.raw_os_error(), Some(24 | 23 | 105 | 12))
        || matches!(
            error.kind(),
            ConnectionAborted | ConnectionReset | Interrupted | OutOfMemory
        )
}
