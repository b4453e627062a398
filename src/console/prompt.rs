//! The text of a one-line prompt (note, filter, acknowledgement note, resolution reason) and
//! the cursor in it, with the editing keys a shell's line gives: move by character, to either
//! end, clear to the start, delete a word back.

/// One editing step, bound to keys in the key map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    Left,
    Right,
    Start,
    End,
    DeleteBack,
    DeleteForward,
    /// Deletes everything before the cursor.
    ClearToStart,
    /// Deletes the word before the cursor and the spaces after it.
    DeleteWordBack,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineEdit {
    text: String,
    /// A byte offset in `text`, always on a character boundary.
    cursor: usize,
}

impl LineEdit {
    /// `text` with the cursor at its end.
    pub fn new(text: String) -> Self {
        let cursor = text.len();
        Self { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text before the cursor: its width is where the cursor is drawn.
    pub fn before_cursor(&self) -> &str {
        &self.text[..self.cursor]
    }

    pub fn insert(&mut self, c: char) {
        self.text.insert(self.cursor, c);
        self.cursor += c.len_utf8();
    }

    /// Applies `edit`; returns whether the text changed (the cursor alone moving does not).
    pub fn apply(&mut self, edit: Edit) -> bool {
        let before = self.text.len();
        match edit {
            Edit::Left => self.cursor = self.previous(self.cursor),
            Edit::Right => self.cursor = self.next(self.cursor),
            Edit::Start => self.cursor = 0,
            Edit::End => self.cursor = self.text.len(),
            Edit::DeleteBack => self.delete_back_to(self.previous(self.cursor)),
            Edit::DeleteForward => {
                let end = self.next(self.cursor);
                self.text.replace_range(self.cursor..end, "");
            }
            Edit::ClearToStart => self.delete_back_to(0),
            Edit::DeleteWordBack => {
                let head = &self.text[..self.cursor];
                let word_end = head.trim_end().len();
                let word_start = head[..word_end]
                    .rfind(char::is_whitespace)
                    .map_or(0, |i| i + head[i..].chars().next().map_or(0, char::len_utf8));
                self.delete_back_to(word_start);
            }
        }
        self.text.len() != before
    }

    fn delete_back_to(&mut self, start: usize) {
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    fn previous(&self, at: usize) -> usize {
        self.text[..at].char_indices().next_back().map_or(0, |(i, _)| i)
    }

    fn next(&self, at: usize) -> usize {
        self.text[at..].chars().next().map_or(at, |c| at + c.len_utf8())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text with `|` where the cursor is.
    fn shown(line: &LineEdit) -> String {
        format!("{}|{}", line.before_cursor(), &line.text()[line.before_cursor().len()..])
    }

    fn typed(text: &str) -> LineEdit {
        let mut line = LineEdit::default();
        text.chars().for_each(|c| line.insert(c));
        line
    }

    #[test]
    fn typing_goes_where_the_cursor_is() {
        let mut line = typed("Relief ETA 0400Z");
        for _ in 0.."ETA 0400Z".len() {
            line.apply(Edit::Left);
        }
        "flight ".chars().for_each(|c| line.insert(c));
        assert_eq!(shown(&line), "Relief flight |ETA 0400Z");
        line.apply(Edit::Start);
        line.insert('>');
        line.apply(Edit::End);
        line.insert('.');
        assert_eq!(shown(&line), ">Relief flight ETA 0400Z.|");
    }

    #[test]
    fn the_cursor_stops_at_either_end() {
        let mut line = typed("ab");
        assert!(!line.apply(Edit::Right));
        assert_eq!(shown(&line), "ab|");
        for _ in 0..5 {
            line.apply(Edit::Left);
        }
        assert_eq!(shown(&line), "|ab");
        assert!(!line.apply(Edit::DeleteBack), "nothing before the cursor to delete");
        assert!(line.apply(Edit::DeleteForward));
        assert_eq!(shown(&line), "|b");
    }

    #[test]
    fn ctrl_u_clears_to_the_start_and_keeps_the_rest() {
        let mut line = typed("wrong start, right end");
        for _ in 0.."right end".len() {
            line.apply(Edit::Left);
        }
        assert!(line.apply(Edit::ClearToStart));
        assert_eq!(shown(&line), "|right end");
    }

    #[test]
    fn ctrl_w_deletes_the_word_before_the_cursor() {
        let mut line = typed("called AFP  NOLCOM  ");
        line.apply(Edit::DeleteWordBack);
        assert_eq!(shown(&line), "called AFP  |");
        line.apply(Edit::DeleteWordBack);
        assert_eq!(shown(&line), "called |");
        line.apply(Edit::DeleteWordBack);
        line.apply(Edit::DeleteWordBack);
        assert_eq!(shown(&line), "|");
    }

    #[test]
    fn characters_of_any_width_are_one_step_each() {
        let mut line = typed("Città 東京");
        line.apply(Edit::Left);
        line.apply(Edit::DeleteBack);
        assert_eq!(shown(&line), "Città |京");
        line.apply(Edit::DeleteWordBack);
        assert_eq!(shown(&line), "|京");
        line.apply(Edit::Right);
        assert_eq!(shown(&line), "京|");
    }
}
