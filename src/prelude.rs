//! What std's prelude gives every module, from `alloc`, so the crate also builds as `no_std`
//! (the npm package's wasm). Each module that needs it starts with `use crate::prelude::*;`.

pub use alloc::borrow::ToOwned;
pub use alloc::boxed::Box;
pub use alloc::string::{String, ToString};
pub use alloc::vec::Vec;
