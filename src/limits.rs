//! Process settings a long run with hundreds of connections needs, made
//! once at start, before any thread exists.

/// Caps glibc's malloc arenas and raises the open-file limit.
///
/// glibc gives each thread that allocates its own arena and rarely hands
/// memory back across them: the runtime's workers free the connections'
/// buffers in theirs while the report is built in the main one, and the
/// peak adds both. Two arenas measured 46 MB peak on the Devops Weekly
/// replay against 58 MB with the default (BENCHMARKS.md).
///
/// Each request in flight is a socket, and stalled requests have a pool of
/// their own (`--max-concurrency` twice over, plus idle connections):
/// the common soft limit of 1024 descriptors is too close for comfort, so
/// it is raised toward the hard limit, as Go does at start.
pub fn prepare() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: called before any other thread exists; mallopt only tunes the allocator.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    #[cfg(unix)]
    raise_nofile();
}

#[cfg(unix)]
fn raise_nofile() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid rlimit for the call to fill and then read.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return;
        }
        let want = lim.rlim_max.min(16_384);
        if lim.rlim_cur < want {
            lim.rlim_cur = want;
            // Failing leaves the limit as it was; requests over it fail with a clear error.
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
