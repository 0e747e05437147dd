//! Export and import of the whole database as one versioned JSON document (SPEC §1.8,
//! `docs/export-format.md`), and the demo data set loaded through the import.
//!
//! An import is two steps: [`check`] parses and checks every entry of the document
//! without the database (fields, duplicate keys, numbers that must agree), then one write
//! transaction resolves references and writes ([`mod@import`], [`import_runs`]). Any error
//! rolls everything back and names the offending entry by its path.

pub mod bulk;
pub mod check;
pub mod check_catalog;
pub mod check_runs;
pub mod consistency;
pub mod demo;
pub mod document;
pub mod export;
pub mod import;
pub mod import_runs;
pub mod values;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use document::Document;
use import::ImportTx;
use import_runs::ActivityTx;

pub use export::export;

/// What happens to rows already in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportMode {
    /// Keep them; skip document entries whose natural key exists.
    Merge,
    /// Delete everything first (in the same transaction).
    Replace,
}

/// The kinds of entry an import counts, in document order.
pub const KINDS: [&str; 15] = [
    "ingredients",
    "products",
    "lots",
    "adjustments",
    "recipes",
    "finishedUnits",
    "finishedGoods",
    "packages",
    "recipients",
    "events",
    "assignments",
    "productionTargets",
    "assemblyTargets",
    "productionRuns",
    "assemblyRuns",
];

/// Entries created and skipped, per kind (in [`KINDS`] order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts {
    /// (kind, created, skipped).
    pub kinds: Vec<(&'static str, u64, u64)>,
}

impl Default for Counts {
    fn default() -> Self {
        Counts {
            kinds: KINDS.iter().map(|k| (*k, 0, 0)).collect(),
        }
    }
}

impl Counts {
    fn entry(&mut self, kind: &str) -> &mut (&'static str, u64, u64) {
        let index = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        &mut self.kinds[index]
    }

    /// Counts one created entry of `kind`.
    pub fn create(&mut self, kind: &str) {
        self.entry(kind).1 += 1;
    }

    /// Counts one skipped entry of `kind`.
    pub fn skip(&mut self, kind: &str) {
        self.entry(kind).2 += 1;
    }

    /// Created entries of every kind.
    pub fn created(&self) -> u64 {
        self.kinds.iter().map(|k| k.1).sum()
    }

    /// Skipped entries of every kind.
    pub fn skipped(&self) -> u64 {
        self.kinds.iter().map(|k| k.2).sum()
    }
}

/// Told how many runs of the document were written so far, out of how many.
pub type Progress = dyn Fn(usize, usize) + Send + Sync;

/// Reads a document from JSON text: invalid JSON (a truncated file) names the line and
/// column; a wrong `format` or `version` is said before anything else; a field of the
/// wrong shape names its path.
pub fn parse(text: &str) -> AppResult<Document> {
    parse_slice(text.as_bytes())
}

/// [`parse`] over bytes. The document is deserialized straight into its types: no JSON tree
/// is built, which would take several times the text's size.
pub fn parse_slice(bytes: &[u8]) -> AppResult<Document> {
    let header: Header = serde_json::from_slice(bytes).map_err(invalid_json)?;
    check_header(header.format.as_ref(), header.version.as_ref())?;
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(shape_error)
}

/// [`parse`] streamed from two readers of the same document (a file opened twice): the
/// first is read for the `format` and `version` only, the second into the document's
/// types, so neither the text nor a JSON tree is ever held whole.
pub fn parse_reader(header: impl std::io::Read, body: impl std::io::Read) -> AppResult<Document> {
    let header: Header =
        serde_json::from_reader(std::io::BufReader::new(header)).map_err(invalid_json)?;
    check_header(header.format.as_ref(), header.version.as_ref())?;
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(body));
    serde_path_to_error::deserialize(&mut deserializer).map_err(shape_error)
}

/// The two fields read first; the rest is skipped (and its syntax checked).
#[derive(serde::Deserialize)]
struct Header {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
}

fn invalid_json(error: serde_json::Error) -> AppError {
    AppError::bad_input(format!(
        "the document is not valid JSON: {error} (is the file complete?)"
    ))
}

/// Reads a document from a JSON value (see [`parse`]).
pub fn from_value(value: serde_json::Value) -> AppResult<Document> {
    check_header(value.get("format"), value.get("version"))?;
    serde_path_to_error::deserialize(value).map_err(shape_error)
}

/// Refuses anything but a Bakeplan export of the version this server reads.
fn check_header(
    format: Option<&serde_json::Value>,
    version: Option<&serde_json::Value>,
) -> AppResult<()> {
    if format.and_then(|f| f.as_str()) != Some(document::FORMAT) {
        return Err(AppError::bad_input(format!(
            "format: this is not a Bakeplan export (expected \"format\": \"{}\")",
            document::FORMAT
        )));
    }
    if version.and_then(|v| v.as_u64()) != Some(u64::from(document::VERSION)) {
        return Err(AppError::bad_input(format!(
            "version: this server reads version {} exports; this document is version {}",
            document::VERSION,
            version.map_or("missing".to_string(), |v| v.to_string())
        )));
    }
    Ok(())
}

/// A field of the wrong shape, named by its path.
fn shape_error<E: std::fmt::Display>(error: serde_path_to_error::Error<E>) -> AppError {
    let path = error.path().to_string();
    AppError::bad_input(format!("{path}: {}", error.into_inner()))
}

/// Imports a document in one transaction (see the module docs); returns what was created
/// and skipped per kind.
pub async fn import(db: &Db, document: &Document, mode: ImportMode) -> AppResult<Counts> {
    import_with_progress(db, document, mode, &|_, _| {}).await
}

/// Like [`fn@import`], telling `progress` how far the runs got.
pub async fn import_with_progress(
    db: &Db,
    document: &Document,
    mode: ImportMode,
    progress: &Progress,
) -> AppResult<Counts> {
    let checked = check::check(document)?;
    let ts = crate::store::now();
    crate::db_write!(db, |conn| {
        let mut counts = Counts::default();
        if mode == ImportMode::Replace {
            conn.clear_all().await?;
        }
        let mut keys = conn.load_keys().await?;
        conn.import_pantry(&checked, &mut keys, &mut counts, ts)
            .await?;
        conn.import_catalog(&checked, &mut keys, &mut counts, ts)
            .await?;
        conn.import_events(&checked, &mut keys, &mut counts, ts)
            .await?;
        conn.import_runs(&checked, &mut keys, &mut counts, ts, progress)
            .await?;
        Ok(counts)
    })
}

/// Serializes a document as the CLI writes it: pretty JSON, fields in declaration order,
/// ending with a newline.
pub fn to_pretty_json(document: &Document) -> AppResult<String> {
    let mut bytes = Vec::new();
    write_pretty_json(document, &mut bytes)?;
    String::from_utf8(bytes).map_err(|e| AppError::Internal(e.to_string()))
}

/// Writes [`to_pretty_json`]'s text to `out` as it is serialized, without holding it.
pub fn write_pretty_json(document: &Document, out: &mut impl std::io::Write) -> AppResult<()> {
    serde_json::to_writer_pretty(&mut *out, document)
        .map_err(|e| AppError::Internal(format!("cannot write the export: {e}")))?;
    out.write_all(b"\n")
        .map_err(|e| AppError::Internal(format!("cannot write the export: {e}")))
}
