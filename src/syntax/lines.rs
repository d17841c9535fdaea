//! Byte offsets to 1-based lines and columns (columns count characters).

use super::Position;

/// Checkpoints of the character count every this many bytes, so a column on a long line
/// costs a bounded count.
const STRIDE: usize = 1024;

pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
    /// `None` for ASCII text (bytes are characters); else (byte, characters before it).
    checkpoints: Option<Vec<(usize, usize)>>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // Room for lines of 32 bytes on average, so that most files need no regrowth.
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        let checkpoints = (!text.is_ascii()).then(|| {
            let mut points = vec![(0, 0)];
            let mut last = 0;
            for (chars, (i, _)) in text.char_indices().enumerate() {
                if i >= last + STRIDE {
                    points.push((i, chars));
                    last = i;
                }
            }
            points
        });
        LineIndex { starts, len: text.len(), checkpoints }
    }

    /// The line holding `offset`: its number (from 0) and its bytes, line break included.
    pub fn line_of(&self, offset: usize) -> (usize, std::ops::Range<usize>) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line, self.starts[line]..*self.starts.get(line + 1).unwrap_or(&self.len))
    }

    /// The bytes of line `line` (from 0), line break included; none past the last line.
    pub fn line_range(&self, line: usize) -> Option<std::ops::Range<usize>> {
        let start = *self.starts.get(line)?;
        Some(start..*self.starts.get(line + 1).unwrap_or(&self.len))
    }

    /// The number of lines: one more than the line breaks.
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The number of characters before `offset` (a character boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        match &self.checkpoints {
            None => offset,
            Some(points) => {
                let (byte, chars) = points[points.partition_point(|&(b, _)| b <= offset) - 1];
                chars + text[byte..offset].chars().count()
            }
        }
    }

    /// The position of `offset` in `text` (the same text the index was built from). An
    /// offset inside a character or past the end is moved back to the nearest boundary.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let column = self.chars_before(text, offset) - self.chars_before(text, self.starts[line]) + 1;
        Position { line: line + 1, column, offset }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters() {
        let text = "ab\n\u{e9}\u{1f600}x\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1, offset: 0 });
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position { line: 2, column: 3, offset: x });
        assert_eq!(index.position(text, text.len()).line, 3);
        assert_eq!(index.position(text, 4).offset, 3, "inside é moves back");
        let long = format!("{}x", "é".repeat(5000));
        let index = LineIndex::new(&long);
        assert_eq!(index.position(&long, long.len() - 1).column, 5001);
    }
}
