//! Running a plugin program (a command plugin, or `sct` itself for an isolated native call):
//! request on standard input, reply from standard output, with a timeout, a cap on output,
//! standard error captured and the exit status reported.
//!
//! Each program runs in a process group of its own, and the whole group is ended (SIGKILL)
//! when the call is over, whether it finished, failed or timed out: a plugin that forks
//! leaves nothing behind. The call is over when the program itself has exited, not when its
//! standard output closes: a grandchild that keeps the pipe open neither delays a finished
//! plugin nor turns it into a timeout; what the plugin wrote before it exited is read, then
//! the group is ended.

use std::path::Path;

use crate::error::Fault;
use crate::limits::{MaxOutput, Timeout};

/// How much of standard error is kept for the message (its end).
const STDERR_KEEP: usize = 8 * 1024;

/// What to run.
#[derive(Debug, Clone)]
pub struct Program<'a> {
    /// The program.
    pub program: &'a Path,
    /// Its arguments.
    pub args: Vec<&'a std::ffi::OsStr>,
    /// Environment variables to set.
    pub env: Vec<(&'a str, std::ffi::OsString)>,
    /// A file descriptor of this process the program must inherit under the same number
    /// (the sealed copy of a command plugin's checked file, run as `/proc/self/fd/N`).
    pub inherit_fd: Option<i32>,
    /// The name of the program in messages (the plugin's file, not the descriptor's path).
    pub shown_as: &'a Path,
}

/// Runs `program` for `call`, writing `input` to its standard input; returns its standard
/// output when it exits with status 0 within `timeout` having written at most `limit` bytes.
#[cfg(unix)]
pub fn run(
    program: &Program<'_>,
    call: &'static str,
    input: &[u8],
    timeout: Timeout,
    limit: MaxOutput,
) -> Result<Vec<u8>, Fault> {
    unix::run(program, call, input, timeout, limit)
}

/// Command plugins and isolated calls need process groups, which only Unix systems have.
#[cfg(not(unix))]
pub fn run(
    program: &Program<'_>,
    _call: &'static str,
    _input: &[u8],
    _timeout: Timeout,
    _limit: MaxOutput,
) -> Result<Vec<u8>, Fault> {
    Err(Fault::Spawn {
        program: program.shown_as.display().to_string(),
        source: std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "command plugins and isolated native plugins need a Unix system (a process group per plugin)",
        ),
    })
}

#[cfg(unix)]
mod unix {
    use std::io::{ErrorKind, Read, Write};
    use std::os::fd::{AsRawFd, RawFd};
    use std::os::unix::net::UnixStream;
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
    use std::time::{Duration, Instant};

    use super::{Program, STDERR_KEEP};
    use crate::error::Fault;
    use crate::limits::{MaxOutput, Timeout};

    /// A running program and its process group, ended (SIGKILL to the group, then the
    /// program reaped) exactly once: by [`Group::end`] or, on any early return, on drop.
    /// While it runs, the group is also ended if `sct` is interrupted ([`interrupt`]).
    struct Group {
        child: Child,
        slot: Option<usize>,
        ended: bool,
    }

    impl Group {
        fn new(child: Child) -> Group {
            let slot = libc::pid_t::try_from(child.id())
                .ok()
                .and_then(interrupt::register);
            Group {
                child,
                slot,
                ended: false,
            }
        }

        fn end(&mut self) -> std::io::Result<ExitStatus> {
            self.ended = true;
            // The program is not reaped yet (its exit is watched with WNOWAIT), so its pid,
            // the group's id, cannot have been reused: the signal reaches only its group.
            if let Ok(pgid) = libc::pid_t::try_from(self.child.id()) {
                // SAFETY: killpg only sends a signal; an empty group is ESRCH, ignored.
                unsafe { libc::killpg(pgid, libc::SIGKILL) };
            }
            // Only now, so an interruption at any moment before still ends the group.
            if let Some(slot) = self.slot.take() {
                interrupt::unregister(slot);
            }
            self.child.wait()
        }
    }

    impl Drop for Group {
        fn drop(&mut self) {
            if !self.ended {
                let _ = self.end();
            }
        }
    }

    /// The groups of the plugins running now, ended when `sct` is interrupted (SIGINT, as by
    /// Ctrl-C), terminated (SIGTERM) or loses its terminal (SIGHUP): a group of its own no
    /// longer gets the terminal's signals, so without this a plugin would outlive `sct`.
    /// The handler is installed on the first plugin run, for each of those signals whose
    /// disposition is still the default (one that is ignored or handled is left alone); it
    /// kills the registered groups, then lets the signal take its default course.
    mod interrupt {
        use std::sync::Once;
        use std::sync::atomic::{AtomicI32, Ordering};

        const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
        const SLOTS: usize = 64;
        static GROUPS: [AtomicI32; SLOTS] = [const { AtomicI32::new(0) }; SLOTS];
        static INSTALLED: Once = Once::new();

        /// Registers group `pgid`; its slot, or `None` when all are taken (the group is then
        /// still ended by its caller, only not on an interruption).
        pub(super) fn register(pgid: libc::pid_t) -> Option<usize> {
            INSTALLED.call_once(install);
            GROUPS.iter().position(|g| {
                g.compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
            })
        }

        pub(super) fn unregister(slot: usize) {
            GROUPS[slot].store(0, Ordering::SeqCst);
        }

        extern "C" fn on_signal(signal: libc::c_int) {
            // Only async-signal-safe calls: atomic loads, killpg, signal, raise.
            for g in &GROUPS {
                let pgid = g.load(Ordering::SeqCst);
                if pgid > 0 {
                    // SAFETY: sends a signal.
                    unsafe { libc::killpg(pgid, libc::SIGKILL) };
                }
            }
            // SAFETY: restores the default disposition and delivers the signal again.
            unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
            }
        }

        fn install() {
            for signal in SIGNALS {
                // SAFETY: sigaction with valid pointers to zeroed, then filled, structures;
                // the handler only makes async-signal-safe calls.
                unsafe {
                    let mut old: libc::sigaction = std::mem::zeroed();
                    if libc::sigaction(signal, std::ptr::null(), &mut old) != 0
                        || old.sa_sigaction != libc::SIG_DFL
                    {
                        continue;
                    }
                    let mut new: libc::sigaction = std::mem::zeroed();
                    new.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as usize;
                    libc::sigemptyset(&mut new.sa_mask);
                    libc::sigaction(signal, &new, std::ptr::null_mut());
                }
            }
        }
    }

    /// A stream that reaches its end when process `pid` has exited (without reaping it, so
    /// its pid stays the group's until [`Group::end`]).
    fn watch_exit(pid: u32) -> std::io::Result<UnixStream> {
        let (ours, theirs) = UnixStream::pair()?;
        let id = libc::id_t::from(pid);
        std::thread::Builder::new()
            .name("sct-plugin-exit".into())
            .spawn(move || {
                loop {
                    // SAFETY: an all-zero siginfo_t is valid; waitid writes into it.
                    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
                    // SAFETY: `info` lives through the call.
                    let r = unsafe {
                        libc::waitid(libc::P_PID, id, &mut info, libc::WEXITED | libc::WNOWAIT)
                    };
                    if r == 0 || std::io::Error::last_os_error().kind() != ErrorKind::Interrupted {
                        break;
                    }
                }
                drop(theirs);
            })?;
        Ok(ours)
    }

    fn set_nonblocking(fd: RawFd) -> std::io::Result<()> {
        // SAFETY: fcntl on a descriptor this process owns.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        // SAFETY: as above.
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    /// Reads what `r` holds now (non-blocking) into `sink`; returns false at end of stream.
    fn drain(r: &mut impl Read, mut sink: impl FnMut(&[u8])) -> std::io::Result<bool> {
        let mut chunk = [0u8; 64 * 1024];
        loop {
            match r.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => sink(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return Ok(true),
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits until one of `fds` is ready or `wait` has passed (rounded up to a millisecond).
    fn poll(fds: &mut [libc::pollfd], wait: Duration) -> std::io::Result<()> {
        let ms = wait.as_millis().saturating_add(1).min(i32::MAX as u128) as i32;
        let n = libc::nfds_t::try_from(fds.len()).unwrap_or(0);
        // SAFETY: `fds` is a valid array of `n` pollfd for the call.
        if unsafe { libc::poll(fds.as_mut_ptr(), n, ms) } < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != ErrorKind::Interrupted {
                return Err(e);
            }
        }
        Ok(())
    }

    fn pollfd(fd: RawFd) -> libc::pollfd {
        libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        }
    }

    /// What the program wrote, read until it exited.
    struct Streams {
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    }

    enum Ending {
        Exited(Streams),
        TimedOut,
        TooLarge,
    }

    /// Reads standard output and error until the program has exited (and what it wrote
    /// before is read), the deadline passes or the output passes `limit`.
    fn read_until_exit(
        out: &mut ChildStdout,
        err: &mut ChildStderr,
        exit: &UnixStream,
        deadline: Instant,
        limit: usize,
    ) -> std::io::Result<Ending> {
        let mut s = Streams {
            stdout: Vec::new(),
            stderr: Vec::new(),
        };
        let (mut out_open, mut err_open, mut exited) = (true, true, false);
        while !exited {
            let now = Instant::now();
            if now >= deadline {
                return Ok(Ending::TimedOut);
            }
            let mut fds = vec![pollfd(exit.as_raw_fd())];
            if out_open {
                fds.push(pollfd(out.as_raw_fd()));
            }
            if err_open {
                fds.push(pollfd(err.as_raw_fd()));
            }
            poll(&mut fds, deadline - now)?;
            // The exit is noted before the pipes are read, so this round's reads take all
            // the program wrote before it exited; a grandchild's later writes are not waited
            // for.
            exited = fds[0].revents != 0;
            if out_open {
                out_open = drain(out, |b| s.stdout.extend_from_slice(b))?;
                if s.stdout.len() > limit {
                    return Ok(Ending::TooLarge);
                }
            }
            if err_open {
                err_open = drain(err, |b| {
                    s.stderr.extend_from_slice(b);
                    if s.stderr.len() > 2 * STDERR_KEEP {
                        s.stderr.drain(..s.stderr.len() - STDERR_KEEP);
                    }
                })?;
            }
        }
        Ok(Ending::Exited(s))
    }

    fn spawn(program: &Program<'_>) -> std::io::Result<Child> {
        let mut cmd = Command::new(program.program);
        cmd.args(&program.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Its own group, so that everything it starts can be ended with it.
            .process_group(0);
        for (k, v) in &program.env {
            cmd.env(k, v);
        }
        if let Some(fd) = program.inherit_fd {
            // SAFETY: between fork and exec only fcntl, which is async-signal-safe, runs:
            // the descriptor (close-on-exec in this process, so no other child inherits
            // it) is kept open across this one exec.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::fcntl(fd, libc::F_SETFD, 0) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        cmd.spawn()
    }

    pub(super) fn run(
        program: &Program<'_>,
        call: &'static str,
        input: &[u8],
        timeout: Timeout,
        limit: MaxOutput,
    ) -> Result<Vec<u8>, Fault> {
        let deadline = Instant::now() + timeout.get();
        let spawn_fault = |source: std::io::Error| Fault::Spawn {
            program: program.shown_as.display().to_string(),
            source,
        };
        let mut group = Group::new(spawn(program).map_err(spawn_fault)?);
        let exit = watch_exit(group.child.id()).map_err(spawn_fault)?;
        // Standard input on a thread of its own, so a plugin that does not read it never
        // blocks the reads below; it ends when the group does, at the latest.
        let stdin = group.child.stdin.take();
        let input = input.to_vec();
        std::thread::spawn(move || {
            if let Some(mut s) = stdin {
                // A plugin that exits without reading its input is not a fault in itself.
                let _ = s.write_all(&input);
            }
        });
        let (Some(mut out), Some(mut err)) = (group.child.stdout.take(), group.child.stderr.take())
        else {
            return Err(spawn_fault(std::io::Error::other(
                "no pipes to the program",
            )));
        };
        set_nonblocking(out.as_raw_fd()).map_err(spawn_fault)?;
        set_nonblocking(err.as_raw_fd()).map_err(spawn_fault)?;
        let ending = read_until_exit(&mut out, &mut err, &exit, deadline, limit.bytes())
            .map_err(spawn_fault)?;
        // Whatever the ending, the whole group goes now.
        let status = group.end().map_err(spawn_fault)?;
        let streams = match ending {
            Ending::TimedOut => {
                return Err(Fault::Timeout {
                    call,
                    seconds: timeout.get().as_secs_f64(),
                });
            }
            Ending::TooLarge => {
                return Err(Fault::TooLarge {
                    call,
                    limit: limit.bytes(),
                });
            }
            Ending::Exited(s) => s,
        };
        if status.success() {
            return Ok(streams.stdout);
        }
        let start = streams.stderr.len().saturating_sub(STDERR_KEEP);
        let stderr = String::from_utf8_lossy(&streams.stderr[start..]).into_owned();
        if let Some(signal) = status.signal() {
            return Err(Fault::Crashed {
                call,
                signal,
                stderr,
            });
        }
        Err(Fault::Exit {
            call,
            code: status.code().unwrap_or(-1),
            stderr,
        })
    }
}
