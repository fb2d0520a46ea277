//! End-to-end tests of the `sct` binary live in `tests/`.
