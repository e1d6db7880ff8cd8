//! Errors of the spec assembly, each naming where in the docs or facts the problem is.

use std::fmt;
use std::path::PathBuf;

/// A line and column (both 1-based, column in characters) in the docs export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// Locates a byte offset in `text`; offsets past the end point just after the last character.
    pub fn locate(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position { line, column }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Problems in the documentation export itself.
#[derive(Debug, thiserror::Error)]
pub enum DocsError {
    #[error("the docs contain no `==== SOURCE: <url> TITLE: <title> ====` page banner")]
    NoPages,
    #[error("{page} (at {at}): {message}")]
    Syntax {
        page: String,
        at: Position,
        message: String,
    },
}

/// Problems in `spec/facts.toml` or between the facts and the docs.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    #[error("spec/facts.toml: {0}")]
    Toml(String),
    #[error("spec/facts.toml, {context}: {message}")]
    Invalid { context: String, message: String },
    #[error(
        "spec/facts.toml, {context}: the evidence quote is not on page `{page}` any more: \"{quote}\""
    )]
    MissingEvidence {
        context: String,
        page: String,
        quote: String,
    },
}

/// Everything `cargo xtask codegen` can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Docs(#[from] DocsError),
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    FactsMany(Vec<FactsError>),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the assembled spec is not valid OpenAPI: {0}")]
    InvalidSpec(String),
    #[error("code generation failed: {0}")]
    Generate(String),
    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns() {
        let text = "ab\ncdé\nf";
        assert_eq!(Position::locate(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::locate(text, 3), Position { line: 2, column: 1 });
        assert_eq!(Position::locate(text, 7), Position { line: 2, column: 4 });
        assert_eq!(Position::locate(text, 999), Position { line: 3, column: 2 });
        // Inside a multi-byte character: snaps back to its start.
        assert_eq!(Position::locate(text, 6), Position { line: 2, column: 3 });
    }
}
