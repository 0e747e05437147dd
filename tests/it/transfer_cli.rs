//! `bakeplan demo`, `export` and `import`, run as the built binary against a temp SQLite
//! file and a fresh PostgreSQL database.

use crate::harness::{bakeplan, text, TestApp};
use bakeplan::db::Backend;

fn without_stamp(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains("\"exportedAt\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_export_and_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = dir.path().join("bakery.db").to_string_lossy().into_owned();

    let out = bakeplan(&sqlite, &["demo"]);
    assert!(out.status.success(), "demo: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("demo data loaded"));
    let again = bakeplan(&sqlite, &["demo"]);
    assert!(!again.status.success(), "a second demo must be refused");
    assert!(
        text(&again.stderr).contains("--force"),
        "{}",
        text(&again.stderr)
    );
    let forced = bakeplan(&sqlite, &["demo", "--force"]);
    assert!(
        forced.status.success(),
        "demo --force: {}",
        text(&forced.stderr)
    );

    let file = dir.path().join("export.json");
    let out = bakeplan(&sqlite, &["export", file.to_str().unwrap()]);
    assert!(out.status.success(), "export: {}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).unwrap();
    let stdout = bakeplan(&sqlite, &["export"]);
    assert!(stdout.status.success());
    assert_eq!(
        without_stamp(&text(&stdout.stdout)),
        without_stamp(&written),
        "file and stdout agree"
    );

    // Into an empty PostgreSQL database, and back out the same.
    let pg = TestApp::spawn(Backend::Postgres).await;
    let url = pg.db.url().to_string();
    let out = bakeplan(
        &url,
        &["import", file.to_str().unwrap(), "--mode", "replace"],
    );
    assert!(out.status.success(), "import: {}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains("productionRuns") && summary.contains("total"),
        "{summary}"
    );
    assert!(
        !text(&out.stderr).contains("importing runs"),
        "no progress when stderr is not a terminal"
    );
    let back = bakeplan(&url, &["export"]);
    assert_eq!(without_stamp(&text(&back.stdout)), without_stamp(&written));

    // A truncated file imports nothing and says why.
    let before = pg.snapshot().await;
    let truncated = dir.path().join("truncated.json");
    std::fs::write(&truncated, &written[..written.len() / 2]).unwrap();
    for mode in ["merge", "replace"] {
        let out = bakeplan(
            &url,
            &["import", truncated.to_str().unwrap(), "--mode", mode],
        );
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("not valid JSON"),
            "{}",
            text(&out.stderr)
        );
        pg.assert_unchanged(&before, "a truncated import").await;
    }
    pg.finish().await;
}
