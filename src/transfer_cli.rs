//! `bakeplan export`, `import` and `demo`: the command-line side of [`bakeplan::transfer`].
//! Documents go to standard output (or a file); progress and summaries go to standard error
//! and standard output, progress only when standard error is a terminal.

use bakeplan::config::redact_url;
use bakeplan::db::pool::DbOptions;
use bakeplan::db::{migrate, Db};
use bakeplan::transfer::{self, Counts, ImportMode};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

async fn open(url: &str) -> Result<Db, String> {
    migrate::run_pending(url).await.map_err(|e| e.to_string())?;
    Db::open(url, &DbOptions::default()).map_err(|e| e.to_string())
}

/// `bakeplan export [FILE]`.
pub async fn export(url: &str, file: Option<PathBuf>) -> Result<(), String> {
    let db = open(url).await?;
    let document = transfer::export(&db).await.map_err(|e| e.to_string())?;
    // Written as it is serialized: the text of a large export is never held whole.
    let written = match file {
        Some(path) => std::fs::File::create(&path)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
            .and_then(|file| write_document(&document, std::io::BufWriter::new(file))),
        None => write_document(&document, std::io::BufWriter::new(std::io::stdout().lock())),
    };
    written?;
    eprintln!(
        "exported {} production runs and {} assembly runs from {}",
        document.production_runs.len(),
        document.assembly_runs.len(),
        redact_url(url)
    );
    Ok(())
}

fn write_document(
    document: &transfer::document::Document,
    mut out: impl Write,
) -> Result<(), String> {
    transfer::write_pretty_json(document, &mut out).map_err(|e| e.to_string())?;
    out.flush()
        .map_err(|e| format!("cannot write the export: {e}"))
}

/// Prints `importing runs: n/total` over itself on a terminal, every percent.
fn progress_printer() -> Box<transfer::Progress> {
    if !std::io::stderr().is_terminal() {
        return Box::new(|_, _| {});
    }
    Box::new(|done, total| {
        let step = (total / 100).max(1);
        if done % step == 0 || done == total {
            eprint!("\rimporting runs: {done}/{total}");
            if done == total {
                eprintln!();
            }
        }
    })
}

fn print_summary(counts: &Counts, mode: ImportMode) {
    println!("{:<20} {:>8} {:>8}", "kind", "created", "skipped");
    for (kind, created, skipped) in &counts.kinds {
        println!("{kind:<20} {created:>8} {skipped:>8}");
    }
    println!(
        "{:<20} {:>8} {:>8}   ({mode:?})",
        "total",
        counts.created(),
        counts.skipped()
    );
}

/// `bakeplan import FILE [--mode merge|replace]`.
pub async fn import(url: &str, file: &Path, mode: ImportMode) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let document = transfer::parse_slice(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    drop(bytes);
    let db = open(url).await?;
    let progress = progress_printer();
    let counts = transfer::import_with_progress(&db, &document, mode, progress.as_ref())
        .await
        .map_err(|e| format!("{}: nothing was imported: {e}", file.display()))?;
    print_summary(&counts, mode);
    Ok(())
}

/// `bakeplan demo [--force]`.
pub async fn demo(url: &str, force: bool) -> Result<(), String> {
    let db = open(url).await?;
    let counts = transfer::demo::load(&db, force)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "demo data loaded into {} ({} entries): start the server with `bakeplan` and open http://127.0.0.1:8080/graphiql",
        redact_url(url),
        counts.created()
    );
    Ok(())
}
