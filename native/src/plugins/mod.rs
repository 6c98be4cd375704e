//! Cache plugins: a file for one machine, a key-value store (Redis) for many.

pub mod distributed;
pub mod file;
