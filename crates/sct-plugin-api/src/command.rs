//! The protocol of command plugins: any executable run as `PROGRAM VERB`.
//!
//! | verb | standard input | standard output |
//! | --- | --- | --- |
//! | `handshake` | nothing | a [`Handshake`](crate::Handshake): `{"protocol": 1}` |
//! | `describe` | nothing | a [`DescribeReply`](crate::DescribeReply) |
//! | `compute` | a [`ComputeRequest`](crate::ComputeRequest) | a [`ComputeReply`](crate::ComputeReply) |
//!
//! All JSON is UTF-8. A plugin reports a failure it understands (a missing data file, a bad
//! parameter) as a reply with an `error` and exit status 0; any other exit status is a fault,
//! reported by the host with the status and what the plugin wrote to standard error. The
//! host runs the program with the user's working directory (so relative `--data` paths work),
//! sets `SCT_PLUGIN_DIR` to the plugin's directory, stops it after a timeout (30 s by default)
//! and refuses output over a size limit. Each call runs in a process group of its own, ended
//! as a whole (SIGKILL) when the call is over (or `sct` is interrupted): the call is over when
//! the program exits, and anything it left running in the background is stopped then. The program that runs is the
//! copy of the plugin's file whose sha256 was checked (on Linux a sealed memory file run as
//! `/proc/self/fd/N`), not the file itself, so the program's own path (`$0`, `__file__`) is
//! not in the plugin's directory: find files beside the plugin through `SCT_PLUGIN_DIR`.

/// The verb asking for the protocol version.
pub const HANDSHAKE: &str = "handshake";
/// The verb asking for the description.
pub const DESCRIBE: &str = "describe";
/// The verb asking for a computation.
pub const COMPUTE: &str = "compute";
/// The environment variable holding the plugin's own directory.
pub const PLUGIN_DIR_ENV: &str = "SCT_PLUGIN_DIR";
