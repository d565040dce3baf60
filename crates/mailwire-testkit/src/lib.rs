//! Test helpers shared by the test suites of the mailwire crates; not
//! published (the crates list it as a path-only dev-dependency, which
//! `cargo package` leaves out).
//!
//! [`CountingAllocator`] is how the suites show that parsing is zero-copy:
//! install it as the global allocator of one test binary, then count what
//! a piece of code allocates with [`allocations`].
//!
//! ```
//! use mailwire_testkit::{CountingAllocator, allocations};
//!
//! #[global_allocator]
//! static GLOBAL: CountingAllocator = CountingAllocator;
//!
//! let line = b"RCPT TO:<jones@example.org>";
//! let (count, at) = allocations(|| line.iter().position(|&b| b == b'<'));
//! assert_eq!((count, at), (0, Some(8)));
//! let (count, _) = allocations(|| line.to_vec());
//! assert_eq!(count, 1);
//! ```
// A global allocator cannot be written without `unsafe`; this one only
// counts and forwards to the system allocator.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // Per thread, so tests running in parallel do not see each other.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

/// A global allocator that counts allocations and reallocations per
/// thread, then forwards every call to [`System`].
///
/// A global allocator applies to a whole binary: put the tests that count
/// in a test file of their own and install it there with
/// `#[global_allocator]` (see the crate example).
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counter is a const-initialized thread-local without destructor, so
// touching it never allocates or re-enters the allocator (`try_with` only
// fails while the thread is being torn down, and then nothing is counted).
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from the system allocator with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Runs `f` and returns how many allocations (and reallocations) it made
/// on this thread, with its result.
///
/// Counts only when [`CountingAllocator`] is the binary's global
/// allocator; otherwise the count is always 0.
///
/// ```
/// use mailwire_testkit::allocations;
/// let (_, sum) = allocations(|| 2 + 2);
/// assert_eq!(sum, 4);
/// ```
pub fn allocations<R>(f: impl FnOnce() -> R) -> (usize, R) {
    let before = ALLOCATIONS.with(Cell::get);
    let result = f();
    (ALLOCATIONS.with(Cell::get) - before, result)
}
