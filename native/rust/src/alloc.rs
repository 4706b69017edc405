//! Workspaces whose allocation failure is a status (INTEROP_STATUS_NO_MEMORY), never an abort: the
//! global allocator's handle_alloc_error would abort the process, so these ask std::alloc directly and
//! check for NULL.

use std::alloc::{self, Layout};
use std::marker::PhantomData;

/// `len` elements of T, 64-byte aligned (a cache line; the micro-kernels' aligned loads), left
/// uninitialised like C's malloc: the kernels write every element before they read it.
pub struct AlignedBuffer<T: Copy> {
    ptr: *mut T,
    layout: Layout,
    _owns: PhantomData<T>,
}

// The buffer is plain memory owned by one kernel call; the threads share it through raw pointers.
unsafe impl<T: Copy + Send> Send for AlignedBuffer<T> {}

impl<T: Copy> AlignedBuffer<T> {
    /// None if the size overflows or the memory cannot be had.
    pub fn new(len: usize) -> Option<AlignedBuffer<T>> {
        let bytes = len.checked_mul(std::mem::size_of::<T>())?.max(64);
        let layout = Layout::from_size_align(bytes, 64).ok()?;
        // SAFETY: the layout's size is not zero.
        let ptr = unsafe { alloc::alloc(layout) } as *mut T;
        if ptr.is_null() {
            None
        } else {
            Some(AlignedBuffer { ptr, layout, _owns: PhantomData })
        }
    }

    pub fn as_mut_ptr(&mut self) -> *mut T {
        self.ptr
    }
}

impl<T: Copy> Drop for AlignedBuffer<T> {
    fn drop(&mut self) {
        // SAFETY: allocated in new with this layout.
        unsafe { alloc::dealloc(self.ptr as *mut u8, self.layout) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impossible_size_is_none_not_an_abort() {
        assert!(AlignedBuffer::<f64>::new(usize::MAX / 4).is_none());
        // 1 TiB: more than this machine has, refused by the kernel rather than overcommitted.
        assert!(AlignedBuffer::<f64>::new(1 << 37).is_none());
        let mut small = AlignedBuffer::<f64>::new(3).unwrap();
        assert_eq!(small.as_mut_ptr() as usize % 64, 0);
    }
}
