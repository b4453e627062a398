use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// One thing wrong with the configuration, located to file, line and field so the operator can
/// go straight to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based line and column; 0 when the problem is with the file as a whole.
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: ", self.file.display())?;
        } else {
            write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

/// Where each name (a feed's, a rule's, a mission's id) was first given: its index and span, so
/// that a second use can say where the first is.
pub(super) type FirstGiven = std::collections::HashMap<String, (usize, Range<usize>)>;

/// A configuration file's text, for turning byte spans into lines and columns.
pub(super) struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl Source<'_> {
    pub fn problem(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Problem {
        let (line, column) = match span {
            Some(span) => line_column(self.text, span.start),
            None => (0, 0),
        };
        Problem { file: self.path.to_path_buf(), line, column, field: field.into(), message: message.into() }
    }

    /// Where a span starts, in words, for a message that points at a second place.
    pub fn place(&self, span: Range<usize>) -> String {
        let (line, column) = line_column(self.text, span.start);
        format!("line {line}, column {column}")
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| before[nl + 1..].chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(super::line_column(text, 0), (1, 1));
        assert_eq!(super::line_column(text, 6), (2, 1));
        assert_eq!(super::line_column(text, 11), (2, 6));
    }
}
