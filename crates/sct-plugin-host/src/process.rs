//! Running a plugin program (a command plugin, or `sct` itself for an isolated native call):
//! request on standard input, reply from standard output, with a timeout, a cap on output,
//! standard error captured and the exit status reported.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

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
}

enum StdoutEnd {
    Done(Vec<u8>),
    TooLarge,
    Failed(std::io::Error),
}

/// Runs `program` for `call`, writing `input` to its standard input; returns its standard
/// output when it exits with status 0 within `timeout` having written at most `limit` bytes.
pub fn run(
    program: &Program<'_>,
    call: &'static str,
    input: &[u8],
    timeout: Timeout,
    limit: MaxOutput,
) -> Result<Vec<u8>, Fault> {
    let (timeout, limit) = (timeout.get(), limit.bytes());
    let started = Instant::now();
    let mut cmd = Command::new(program.program);
    cmd.args(&program.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &program.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().map_err(|source| Fault::Spawn {
        program: program.program.display().to_string(),
        source,
    })?;
    // Each pipe on its own thread, so a plugin blocked writing one never deadlocks with the
    // host blocked on another.
    let stdin = child.stdin.take();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(mut s) = stdin {
            // A plugin that exits without reading its input is not a fault in itself.
            let _ = s.write_all(&input);
        }
    });
    let (tx, rx) = mpsc::channel();
    let mut stdout = child.stdout.take();
    std::thread::spawn(move || {
        let end = match stdout.as_mut() {
            None => StdoutEnd::Done(Vec::new()),
            Some(s) => {
                let mut buf = Vec::new();
                match s.take(limit as u64 + 1).read_to_end(&mut buf) {
                    Ok(n) if n > limit => StdoutEnd::TooLarge,
                    Ok(_) => StdoutEnd::Done(buf),
                    Err(e) => StdoutEnd::Failed(e),
                }
            }
        };
        let _ = tx.send(end);
    });
    let mut stderr = child.stderr.take();
    let (etx, erx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(s) = stderr.as_mut() {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = s.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if buf.len() > 2 * STDERR_KEEP {
                    buf.drain(..buf.len() - STDERR_KEEP);
                }
            }
        }
        let start = buf.len().saturating_sub(STDERR_KEEP);
        let _ = etx.send(String::from_utf8_lossy(&buf[start..]).into_owned());
    });
    let remaining = |started: Instant| timeout.saturating_sub(started.elapsed());
    let timed_out = |child: &mut std::process::Child| {
        let _ = child.kill();
        let _ = child.wait();
        // The reader threads are left: a grandchild may still hold the pipes open.
        Fault::Timeout {
            call,
            seconds: timeout.as_secs_f64(),
        }
    };
    let output = match rx.recv_timeout(remaining(started)) {
        Ok(StdoutEnd::Done(out)) => out,
        Ok(StdoutEnd::TooLarge) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Fault::TooLarge { call, limit });
        }
        Ok(StdoutEnd::Failed(e)) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(Fault::Spawn {
                program: program.program.display().to_string(),
                source: e,
            });
        }
        Err(_) => return Err(timed_out(&mut child)),
    };
    let status = match child.wait_timeout(remaining(started)) {
        Ok(Some(status)) => status,
        Ok(None) => return Err(timed_out(&mut child)),
        Err(source) => {
            return Err(Fault::Spawn {
                program: program.program.display().to_string(),
                source,
            });
        }
    };
    drop(writer);
    // Standard error closes when the plugin exits, unless a grandchild keeps it open.
    let stderr = erx
        .recv_timeout(remaining(started).max(Duration::from_millis(100)))
        .unwrap_or_default();
    if status.success() {
        return Ok(output);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return Err(Fault::Crashed {
                call,
                signal,
                stderr,
            });
        }
    }
    Err(Fault::Exit {
        call,
        code: status.code().unwrap_or(-1),
        stderr,
    })
}
