//! The C boundary: no panic crosses it. Every export runs its body through `guard`, which turns a
//! panic into INTEROP_STATUS_INTERNAL and keeps the panic's message for interop_rust_last_error.

use crate::status::INTERNAL;
use std::any::Any;
use std::cell::RefCell;
use std::os::raw::c_char;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    /// The message of this thread's last INTERNAL failure; empty if there was none.
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Runs `body`, returning its status, or INTERNAL if it panicked. The kernels' state is owned by
/// each call (or is the caller's buffer, unspecified on failure), so nothing is left broken by an
/// unwind: asserting unwind safety is sound.
pub fn guard<F: FnOnce() -> i32>(body: F) -> i32 {
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(status) => status,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            // A panic payload whose Drop panics must not escape either.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            // During thread teardown the thread-local may be gone: the status still says INTERNAL.
            let _ = LAST_ERROR.try_with(|last| *last.borrow_mut() = message);
            INTERNAL
        }
    }
}

/// The text of a panic: panic!("...") gives a &str or a String; anything else is named as such.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        format!("panic: {}", text)
    } else if let Some(text) = payload.downcast_ref::<String>() {
        format!("panic: {}", text)
    } else {
        "panic with a payload that is not text".to_string()
    }
}

/// Copies this thread's last message into `buffer` (NUL-terminated, truncated to `capacity` bytes
/// including the NUL) and returns its full length in bytes; 0 if there is none. A NULL buffer or a
/// capacity below 1 copies nothing (the caller asks for the length).
///
/// # Safety
/// `buffer` is NULL or points to `capacity` writable bytes.
pub unsafe fn copy_last_error(buffer: *mut c_char, capacity: i32) -> i32 {
    LAST_ERROR
        .try_with(|last| {
            let last = last.borrow();
            let bytes = last.as_bytes();
            if !buffer.is_null() && capacity >= 1 {
                let copied = bytes.len().min(capacity as usize - 1);
                std::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer as *mut u8, copied);
                *buffer.add(copied) = 0;
            }
            i32::try_from(bytes.len()).unwrap_or(i32::MAX)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last_error() -> (i32, String) {
        let mut buffer = [0 as c_char; 64];
        let length = unsafe { copy_last_error(buffer.as_mut_ptr(), buffer.len() as i32) };
        let text = unsafe { std::ffi::CStr::from_ptr(buffer.as_ptr()) }.to_string_lossy().into_owned();
        (length, text)
    }

    #[test]
    fn a_panic_becomes_internal_with_its_message() {
        // Each test runs on its own thread: the thread-local starts empty.
        assert_eq!(last_error(), (0, String::new()));
        assert_eq!(guard(|| 7), 7);
        let value = 3;
        assert_eq!(guard(|| if value == 3 { panic!("boom {}", value) } else { 0 }), INTERNAL);
        assert_eq!(last_error(), (13, "panic: boom 3".to_string()));
    }

    #[test]
    fn the_message_is_truncated_to_the_capacity_and_the_full_length_returned() {
        assert_eq!(guard(|| panic!("{}", "x".repeat(100))), INTERNAL);
        let mut small = [1 as c_char; 5];
        let length = unsafe { copy_last_error(small.as_mut_ptr(), 5) };
        assert_eq!(length, 107);
        assert_eq!(unsafe { std::ffi::CStr::from_ptr(small.as_ptr()) }.to_bytes(), b"pani");
        assert_eq!(unsafe { copy_last_error(std::ptr::null_mut(), 0) }, 107);
        // A success does not clear the last failure's message.
        assert_eq!(guard(|| 0), 0);
        assert_eq!(unsafe { copy_last_error(std::ptr::null_mut(), 0) }, 107);
    }

    #[test]
    fn a_payload_that_is_not_text_is_named() {
        assert_eq!(guard(|| std::panic::panic_any(42_u32)), INTERNAL);
        assert_eq!(last_error().1, "panic with a payload that is not text");
    }
}
