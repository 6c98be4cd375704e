//! A small global allocator for the npm package's wasm (feature `small-alloc`), in place of
//! the standard library's dlmalloc (≈ 7 KB of wasm): power-of-two size classes, each with a
//! free list threaded through its free blocks, carved from memory obtained with
//! `memory.grow`. A freed block is reused by its own class only, and memory is never given
//! back (wasm memory cannot shrink anyway). The price is up to 2× internal fragmentation,
//! small for an auth library's working set of tens to hundreds of kilobytes.
//!
//! This is the crate's only `unsafe` code. It is off by default: a library must not choose
//! the allocator of an app that depends on it (Yew and Leptos apps keep theirs).
#![allow(unsafe_code)]

use core::alloc::Layout;
use core::ptr::null_mut;

const CLASSES: usize = usize::BITS as usize;
/// Blocks are aligned to their size up to this, so a free block of a class serves any request
/// of that class whose alignment is at most this.
const BASE_ALIGN: usize = 16;

/// The allocator's state: one free list per class and the unused rest of the last region.
pub(crate) struct Heap {
    free: [*mut u8; CLASSES],
    next: usize,
    end: usize,
}

fn align_up(x: usize, align: usize) -> Option<usize> {
    Some(x.checked_add(align - 1)? & !(align - 1))
}

impl Heap {
    pub(crate) const fn new() -> Heap {
        Heap { free: [null_mut(); CLASSES], next: 0, end: 0 }
    }

    /// The size class of `layout`: log2 of its block size.
    fn class(layout: Layout) -> Option<usize> {
        let size = layout.size().max(layout.align()).max(size_of::<usize>());
        Some(size.checked_next_power_of_two()?.trailing_zeros() as usize)
    }

    /// A block for `layout`, or null when memory is exhausted. `grow(bytes)` must return a
    /// new region `(start, end)` of at least `bytes` writable bytes that nothing else uses.
    ///
    /// # Safety
    /// Every block handed out must come back only through [`Heap::dealloc`] with its layout.
    pub(crate) unsafe fn alloc(&mut self, layout: Layout, grow: impl FnOnce(usize) -> Option<(usize, usize)>) -> *mut u8 {
        let Some(class) = Self::class(layout) else { return null_mut() };
        let size = 1usize << class;
        let head = self.free[class];
        // Blocks are aligned to min(size, BASE_ALIGN); a larger alignment takes the head block
        // only when it happens to satisfy it.
        if !head.is_null() && (layout.align() <= BASE_ALIGN || head as usize % layout.align() == 0) {
            // SAFETY: a free block starts with the next free block of its class.
            self.free[class] = unsafe { *(head as *mut *mut u8) };
            return head;
        }
        let align = layout.align().max(size.min(BASE_ALIGN));
        let fits = |next: usize, end: usize| align_up(next, align).filter(|s| s.checked_add(size).is_some_and(|e| e <= end));
        let start = match fits(self.next, self.end) {
            Some(s) => s,
            None => {
                let Some((start, end)) = size.checked_add(align).and_then(grow) else { return null_mut() };
                // Regions from memory.grow follow each other: keep the tail of the last one.
                if start != self.end {
                    self.next = start;
                }
                self.end = end;
                match fits(self.next, self.end) {
                    Some(s) => s,
                    None => return null_mut(),
                }
            }
        };
        self.next = start + size;
        start as *mut u8
    }

    /// Returns `ptr`'s block to its class's free list.
    ///
    /// # Safety
    /// `ptr` came from [`Heap::alloc`] with this `layout` and is not used any more.
    pub(crate) unsafe fn dealloc(&mut self, ptr: *mut u8, layout: Layout) {
        let Some(class) = Self::class(layout) else { return };
        // SAFETY: the block is at least a pointer in size and aligned for one.
        unsafe { *(ptr as *mut *mut u8) = self.free[class] };
        self.free[class] = ptr;
    }

    /// True when a block for `old` also serves `new_size` (same class, same alignment).
    pub(crate) fn fits_in_place(old: Layout, new_size: usize) -> bool {
        Layout::from_size_align(new_size, old.align()).ok().and_then(Self::class) == Self::class(old)
    }
}

#[cfg(all(target_arch = "wasm32", feature = "small-alloc", target_feature = "atomics"))]
compile_error!("the `small-alloc` allocator is single-threaded: build without `atomics` or without `small-alloc`");

#[cfg(all(target_arch = "wasm32", feature = "small-alloc", not(target_feature = "atomics")))]
mod global {
    use super::Heap;
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;

    const PAGE: usize = 65536;

    /// The global allocator (wasm32 without threads: one caller at a time).
    pub struct SmallAlloc(UnsafeCell<Heap>);

    // SAFETY: wasm32-unknown-unknown without the atomics feature runs one thread.
    unsafe impl Sync for SmallAlloc {}

    fn grow(bytes: usize) -> Option<(usize, usize)> {
        let pages = bytes.div_ceil(PAGE);
        let old = core::arch::wasm32::memory_grow(0, pages);
        if old == usize::MAX {
            return None;
        }
        // At 4 GiB the end address does not fit a usize: keep all but the last byte.
        let start = old.checked_mul(PAGE)?;
        Some((start, old.checked_add(pages)?.saturating_mul(PAGE)))
    }

    // SAFETY: blocks never overlap (free lists hold only freed blocks; fresh blocks come from
    // memory nothing else uses) and are aligned as `Heap::alloc` documents.
    unsafe impl GlobalAlloc for SmallAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            unsafe { (*self.0.get()).alloc(layout, grow) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { (*self.0.get()).dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            if Heap::fits_in_place(layout, new_size) {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else { return core::ptr::null_mut() };
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    #[global_allocator]
    static ALLOC: SmallAlloc = SmallAlloc(UnsafeCell::new(Heap::new()));
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::Heap;
    use core::alloc::Layout;

    /// An arena standing in for wasm memory: `grow` hands out 64 KiB pages from it in order.
    struct Arena {
        base: usize,
        len: usize,
        used: usize,
        _mem: Vec<u128>,
    }

    impl Arena {
        fn new(bytes: usize) -> Arena {
            let mut mem = vec![0u128; bytes / 16];
            Arena { base: mem.as_mut_ptr() as usize, len: bytes, used: 0, _mem: mem }
        }
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            let pages = bytes.div_ceil(65536);
            if self.used + pages * 65536 > self.len {
                return None;
            }
            let start = self.base + self.used;
            self.used += pages * 65536;
            Some((start, start + pages * 65536))
        }
    }

    /// A deterministic pseudo-random sequence (xorshift).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    /// True when every byte of the block at `p` is `tag` (one comparison of slices: Miri runs
    /// it as one operation, where a loop over the bytes takes it minutes).
    fn holds(p: *mut u8, layout: Layout, tag: u8) -> bool {
        let bytes = unsafe { core::slice::from_raw_parts(p, layout.size()) };
        bytes == vec![tag; layout.size()].as_slice()
    }

    #[test]
    fn blocks_never_overlap_are_aligned_and_are_reused() {
        let mut arena = Arena::new(32 << 20);
        let mut heap = Heap::new();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for step in 0..20_000u32 {
            if live.is_empty() || (live.len() < 500 && rng.next(2) == 0) {
                let size = match rng.next(10) {
                    0 => rng.next(70_000) + 1,
                    1..=3 => rng.next(2_000) + 1,
                    _ => rng.next(64) + 1,
                };
                let align = 1 << rng.next(6);
                let layout = Layout::from_size_align(size, align).unwrap();
                let p = unsafe { heap.alloc(layout, |b| arena.grow(b)) };
                assert!(!p.is_null(), "out of memory at step {step}");
                assert_eq!(p as usize % align, 0, "misaligned block");
                let tag = (step % 251) as u8;
                unsafe { core::ptr::write_bytes(p, tag, size) };
                live.push((p, layout, tag));
            } else {
                let (p, layout, tag) = live.swap_remove(rng.next(live.len()));
                assert!(holds(p, layout, tag), "a block was overwritten by another");
                unsafe { heap.dealloc(p, layout) };
            }
        }
        for (p, layout, tag) in live {
            assert!(holds(p, layout, tag), "a block was overwritten by another");
        }
        // A steady state reuses freed blocks: repeating the same work takes no new memory.
        let before = arena.used;
        for _ in 0..1_000 {
            let layout = Layout::from_size_align(300, 8).unwrap();
            let p = unsafe { heap.alloc(layout, |b| arena.grow(b)) };
            unsafe { heap.dealloc(p, layout) };
        }
        assert_eq!(arena.used, before);
    }

    #[test]
    fn exhaustion_is_null_not_a_panic() {
        let mut arena = Arena::new(1 << 20);
        let mut heap = Heap::new();
        let big = Layout::from_size_align(300_000, 8).unwrap();
        let first = unsafe { heap.alloc(big, |b| arena.grow(b)) };
        assert!(!first.is_null());
        assert!(unsafe { heap.alloc(big, |b| arena.grow(b)) }.is_null());
        let huge = Layout::from_size_align(isize::MAX as usize, 1).unwrap();
        assert!(unsafe { heap.alloc(huge, |b| arena.grow(b)) }.is_null());
    }

    #[test]
    fn in_place_growth_stays_within_the_class() {
        let l = Layout::from_size_align(100, 8).unwrap();
        assert!(Heap::fits_in_place(l, 128));
        assert!(!Heap::fits_in_place(l, 129));
        assert!(Heap::fits_in_place(l, 65));
        assert!(!Heap::fits_in_place(l, 64));
    }
}
