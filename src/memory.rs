//! Handing freed memory back to the system between a run's stages.

/// Hands memory freed since to the system: after extraction, what reading
/// the issues built and dropped (holes among the URL table's strings);
/// before checking, what planning built and dropped; before lint and the
/// report's walk, what checking freed; before the report's findings, what
/// lint freed. glibc keeps freed chunks for reuse, and the next stage's
/// allocations, made on other threads, seldom reuse the ones the
/// runtime's workers freed: the peak added both (183 to 196 MB on the
/// 100,000-link replay, 168 MB with this; on 1,000,000 links, 1 run in 3
/// peaked at 231-250 MB instead of 190, BENCHMARKS.md).
pub(crate) fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own
    // arenas; it is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}
