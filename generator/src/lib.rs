//! OpenAPI 3.0 → Rust client generator.
