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
    let text = transfer::to_pretty_json(&document).map_err(|e| e.to_string())?;
    match file {
        Some(path) => std::fs::write(&path, text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot write the export: {e}"))?,
    }
    eprintln!(
        "exported {} production runs and {} assembly runs from {}",
        document.production_runs.len(),
        document.assembly_runs.len(),
        redact_url(url)
    );
    Ok(())
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
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let document = transfer::parse(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    drop(text);
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
