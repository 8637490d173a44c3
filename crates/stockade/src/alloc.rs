//! The global allocator: mimalloc, through its plain entry points wherever the alignment asked
//! for is one every mimalloc block has (a word).

use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

use libmimalloc_sys as mi;

/// mimalloc as the global allocator. The `mimalloc` crate's own `MiMalloc` calls
/// `mi_malloc_aligned` for every allocation: a chain of four calls before the allocation
/// itself, about 3% of a scan's instructions (hundreds of thousands of small strings and
/// vectors). Every mimalloc block is aligned to a word at least, so for alignments up to a
/// word the plain entry points are exact.
pub struct Mimalloc;

/// The alignment every mimalloc block has.
const WORD: usize = std::mem::size_of::<usize>();

// SAFETY: each function hands over to mimalloc, which returns blocks of at least the size
// asked for, aligned to a word at least (and to `layout.align()` through the aligned entry
// points); `dealloc` and `realloc` are given blocks mimalloc made.
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_malloc(layout.size()).cast()
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_zalloc(layout.size()).cast()
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: see the impl.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: see the impl.
        unsafe {
            if layout.align() <= WORD {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every alignment is honoured, whichever entry point serves it; zeroed blocks are zero
    /// and a reallocated block keeps its bytes.
    #[test]
    fn blocks_are_aligned_zeroed_and_kept_across_realloc() {
        let a = Mimalloc;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 24, 100, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layout has a non-zero size; each block is freed once, with the
                // layout it was made with (or the one its reallocation gave it).
                unsafe {
                    let p = a.alloc_zeroed(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "{size} bytes aligned to {align}");
                    let block = std::slice::from_raw_parts_mut(p, size);
                    assert!(block.iter().all(|&b| b == 0));
                    for (i, b) in block.iter_mut().enumerate() {
                        *b = i as u8;
                    }
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "reallocated to {} bytes", size * 3);
                    let grown = std::slice::from_raw_parts(q, size);
                    assert!(grown.iter().enumerate().all(|(i, &b)| b == i as u8));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let r = a.alloc(layout);
                    assert_eq!(r as usize % align, 0);
                    a.dealloc(r, layout);
                }
            }
        }
    }
}
