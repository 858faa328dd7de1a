//! Xieshang's documents: any table as CSV or XLSX, and proposals (one, or a
//! compilation of many) as DOCX in the layout of official documents. Pure: the
//! caller gives the texts, already in the reader's language.

pub mod csv;
pub mod docx;
pub mod xlsx;

/// A table to export: its headers and its rows of text.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The sheet's name (XLSX) and the document's subject.
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Why a document could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("docx: {0}")]
    Docx(String),
}
