//! Runtime used by generated code.
