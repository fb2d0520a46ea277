//! # sct-docx
//!
//! Word documents (`.docx`, Office Open XML) from a small typed model, for board papers that
//! are drafted, edited and sent in Word: real headings (the Heading 1-3 styles, so Word's
//! navigation pane and table of contents find them), tables whose header row repeats on each
//! page, numbered captions, PNG images with alt text, A4 pages numbered in the footer.
//!
//! The same [`Document`] always gives the same bytes: the zip entries are written in a fixed
//! order with a fixed time, and nothing reads the clock or a counter shared across documents.
//!
//! ```
//! use sct_docx::{Block, Document, Table};
//! let mut doc = Document::new("Board paper");
//! doc.heading(1, "Board paper");
//! doc.paragraph("Every indicator is within its limits.");
//! doc.push(Block::Table(Table::new("Indicators", ["Indicator", "Latest"])
//!     .row(["A&E 4 hours", "76.1%"])));
//! let bytes = sct_docx::to_bytes(&doc)?;
//! assert_eq!(&bytes[..2], b"PK");
//! assert_eq!(bytes, sct_docx::to_bytes(&doc)?);
//! # Ok::<(), sct_docx::DocxError>(())
//! ```

mod body;
mod package;
mod parts;

pub use package::{to_bytes, write};

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum DocxError {
    /// An image is not a PNG (only PNG is embedded, so that its size can be read).
    #[error("image \"{name}\" is not a PNG")]
    NotPng {
        /// The image's name in the document.
        name: String,
    },
    /// The zip container could not be written.
    #[error("cannot write the Word document's zip container: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The output could not be written.
    #[error("cannot write the Word document: {0}")]
    Io(#[from] std::io::Error),
}

/// Page orientation of the whole document; the paper is always A4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// Taller than wide.
    #[default]
    Portrait,
    /// Wider than tall, for wide tables.
    Landscape,
}

/// A whole document: its title (in the file's properties), page orientation and body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    /// The title shown in the file's properties.
    pub title: String,
    /// The text of every page's footer, before the page number (e.g. the organisation).
    pub footer: String,
    /// The page orientation.
    pub orientation: Orientation,
    /// The body, in reading order.
    pub blocks: Vec<Block>,
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading: level 1 to 3 (Word's Heading 1-3 styles).
    Heading {
        /// 1, 2 or 3 (others are clamped).
        level: u8,
        /// The heading's text.
        text: String,
    },
    /// A paragraph of body text.
    Paragraph(Paragraph),
    /// A bulleted or numbered list, one paragraph per item.
    List {
        /// Numbered (1, 2, 3) rather than bulleted.
        ordered: bool,
        /// The items.
        items: Vec<Paragraph>,
    },
    /// A table with a header row.
    Table(Table),
    /// A PNG image with alt text and a caption.
    Image(Image),
    /// Start a new page here.
    PageBreak,
}

/// A paragraph: runs of text, some bold or italic, and its style.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Paragraph {
    /// The runs, in order.
    pub runs: Vec<Run>,
    /// Smaller grey text (a note under a table, a provenance line).
    pub note: bool,
    /// Kept on the same page as the block after it (a chart's headline with its chart).
    pub keep_next: bool,
}

/// A run of text in one style. A newline in the text breaks the line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Bold.
    pub bold: bool,
    /// Italic.
    pub italic: bool,
}

/// A table: a caption above it, one header row (repeated at the top of each page) and rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    /// The caption, numbered "Table n: ...".
    pub caption: String,
    /// The header row's cells.
    pub header: Vec<String>,
    /// The body rows; a row shorter than the header is padded with empty cells.
    pub rows: Vec<Vec<Paragraph>>,
    /// Relative column widths (e.g. `[3, 1, 1]`); equal when empty.
    pub widths: Vec<u32>,
    /// The first column names the row (drawn bold, like the HTML's row headers).
    pub row_headers: bool,
}

/// A PNG image placed on its own line, with alt text and a numbered caption below it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Image {
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// A short name (shown by Word as the picture's title).
    pub name: String,
    /// The alt text read by screen readers: what the image shows, in words.
    pub alt: String,
    /// The caption, numbered "Figure n: ..."; none when empty.
    pub caption: String,
    /// The widest it is drawn, as a share of the text width (0 < share ≤ 1; 1 when 0).
    pub max_width: f64,
}

impl Document {
    /// An empty portrait document with a title.
    pub fn new(title: impl Into<String>) -> Self {
        Document {
            title: title.into(),
            ..Document::default()
        }
    }

    /// Appends a block.
    pub fn push(&mut self, block: Block) {
        self.blocks.push(block);
    }

    /// Appends a heading of level 1 to 3.
    pub fn heading(&mut self, level: u8, text: impl Into<String>) {
        self.push(Block::Heading {
            level,
            text: text.into(),
        });
    }

    /// Appends a paragraph of plain text.
    pub fn paragraph(&mut self, text: impl Into<String>) {
        self.push(Block::Paragraph(Paragraph::text(text)));
    }

    /// Appends a paragraph of smaller grey text.
    pub fn note(&mut self, text: impl Into<String>) {
        self.push(Block::Paragraph(Paragraph::text(text).as_note()));
    }

    /// Appends a bulleted list of plain items (nothing when there are none).
    pub fn bullets<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, items: I) {
        self.list(false, items.into_iter().map(Paragraph::text).collect());
    }

    /// Appends a list of paragraphs (nothing when there are none).
    pub fn list(&mut self, ordered: bool, items: Vec<Paragraph>) {
        if !items.is_empty() {
            self.push(Block::List { ordered, items });
        }
    }
}

impl Paragraph {
    /// A paragraph of plain text.
    pub fn text(text: impl Into<String>) -> Self {
        Paragraph {
            runs: vec![Run::plain(text)],
            ..Paragraph::default()
        }
    }

    /// An empty paragraph, to add runs to.
    pub fn new() -> Self {
        Paragraph::default()
    }

    /// The same paragraph with a plain run added.
    pub fn plain(mut self, text: impl Into<String>) -> Self {
        self.runs.push(Run::plain(text));
        self
    }

    /// The same paragraph with a bold run added.
    pub fn bold(mut self, text: impl Into<String>) -> Self {
        self.runs.push(Run {
            text: text.into(),
            bold: true,
            italic: false,
        });
        self
    }

    /// The same paragraph with an italic run added.
    pub fn italic(mut self, text: impl Into<String>) -> Self {
        self.runs.push(Run {
            text: text.into(),
            bold: false,
            italic: true,
        });
        self
    }

    /// The same paragraph as smaller grey text.
    pub fn as_note(mut self) -> Self {
        self.note = true;
        self
    }

    /// The same paragraph kept on the page of the block after it.
    pub fn keep_with_next(mut self) -> Self {
        self.keep_next = true;
        self
    }
}

impl From<String> for Paragraph {
    fn from(text: String) -> Self {
        Paragraph::text(text)
    }
}

impl From<&str> for Paragraph {
    fn from(text: &str) -> Self {
        Paragraph::text(text)
    }
}

impl Run {
    /// A run of plain text.
    pub fn plain(text: impl Into<String>) -> Self {
        Run {
            text: text.into(),
            bold: false,
            italic: false,
        }
    }
}

impl Table {
    /// A table with a caption and a header row, and no rows yet.
    pub fn new<I: IntoIterator<Item = S>, S: Into<String>>(
        caption: impl Into<String>,
        header: I,
    ) -> Self {
        Table {
            caption: caption.into(),
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            widths: Vec::new(),
            row_headers: true,
        }
    }

    /// The same table with a row of cells added.
    pub fn row<I: IntoIterator<Item = P>, P: Into<Paragraph>>(mut self, cells: I) -> Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// The same table with relative column widths.
    pub fn widths(mut self, widths: impl Into<Vec<u32>>) -> Self {
        self.widths = widths.into();
        self
    }
}

impl Image {
    /// A PNG image with its name, alt text and caption, drawn at most the text's width.
    pub fn png(
        png: Vec<u8>,
        name: impl Into<String>,
        alt: impl Into<String>,
        caption: impl Into<String>,
    ) -> Self {
        Image {
            png,
            name: name.into(),
            alt: alt.into(),
            caption: caption.into(),
            max_width: 1.0,
        }
    }
}
