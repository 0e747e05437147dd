//! Faults: the database goes away, is locked, or aborts a transaction. Clients must get
//! `SERVICE_UNAVAILABLE` with HTTP 503 quickly (never `NOT_FOUND` or an internal error),
//! conflicts are retried inside the server, the server recovers without a restart, and every
//! acknowledged write is stored exactly once.

use crate::fixtures::create_ingredient;
use crate::fixtures::{count, sql, sql_number};
use crate::harness::TestApp;
use bakeplan::db::pool::DbOptions;
use bakeplan::db::Backend;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const RECORD: &str = "mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { id notes quantityPurchased } }";

/// Posts a document and returns the HTTP status with the JSON body.
async fn post(app: &TestApp, query: &str, variables: Value) -> (u16, Value) {
    app.graphql_with_status(query, variables).await
}

fn first_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// Asserts a response is `SERVICE_UNAVAILABLE` with HTTP 503 and the retry hint.
fn assert_unavailable(status: u16, response: &Value, what: &str) {
    assert_eq!(
        first_code(response),
        Some("SERVICE_UNAVAILABLE"),
        "{what}: {response:#}"
    );
    assert_eq!(status, 503, "{what}: HTTP status");
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains("retry"), "{what}: message {message:?}");
}

/// A purchase input whose notes carry the idempotency key, so stored lots can be counted
/// per key. Every other one omits `unit`, so the ingredient is loaded before the write (the
/// path that once answered `NOT_FOUND` while the database was down).
fn purchase_input(ingredient: &Value, key: &str, n: usize) -> Value {
    let mut input = json!({
        "ingredientId": ingredient["id"], "quantity": "100", "totalCost": "1.50",
        "purchasedOn": "2026-11-01", "notes": key, "idempotencyKey": key,
    });
    if n.is_multiple_of(2) {
        input["unit"] = json!("g");
    }
    input
}

// ---------------------------------------------------------------------------------------
// A throwaway PostgreSQL cluster (never the shared one on 5432).

/// A PostgreSQL cluster in a temp dir, run as the `postgres` OS user on a free port;
/// stopped when dropped, also when the test panics.
struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
}

fn postgres_bin() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL server binaries in /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop().expect("a PostgreSQL version with pg_ctl")
}

fn os_id(flag: &str) -> u32 {
    let out = Command::new("id")
        .args([flag, "postgres"])
        .output()
        .expect("id");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("numeric id of the postgres user")
}

/// Runs a PostgreSQL tool as the `postgres` user; panics with its output if it fails.
fn as_postgres(program: &Path, args: &[&str]) {
    let out = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(program)
        .args(args)
        .output()
        .expect("runuser");
    assert!(
        out.status.success(),
        "{} {args:?} failed: {}{}",
        program.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

impl Cluster {
    /// `initdb` and start a cluster on a free port.
    fn start() -> Cluster {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("bakeplan-faults-")
            .tempdir()
            .expect("temp dir");
        std::os::unix::fs::chown(dir.path(), Some(os_id("-u")), Some(os_id("-g")))
            .expect("chown the temp dir to postgres");
        let data = dir.path().join("data");
        as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
        };
        cluster.pg_ctl_start();
        cluster
    }

    fn data(&self) -> String {
        self.dir.path().join("data").to_string_lossy().into_owned()
    }

    fn pg_ctl_start(&self) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        as_postgres(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                &self.data(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "30",
                "start",
            ],
        );
    }

    /// `pg_ctl stop -m fast`: sessions are terminated, as in a real restart.
    fn stop(&self) {
        as_postgres(
            &self.bin.join("pg_ctl"),
            &["-D", &self.data(), "-m", "fast", "-w", "stop"],
        );
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Whatever state the test left it in; errors (already stopped) do not matter.
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &self.data(), "-m", "immediate", "-w", "stop"])
            .output();
    }
}

// ---------------------------------------------------------------------------------------
// The outage test.

/// What the load's clients saw.
#[derive(Default)]
struct Observed {
    /// Keys whose write was acknowledged, with the lot id returned.
    acknowledged: BTreeMap<String, String>,
    /// Slowest `SERVICE_UNAVAILABLE` answer.
    slowest_unavailable: Duration,
    /// How many `SERVICE_UNAVAILABLE` answers.
    unavailable: usize,
    /// Any answer that was neither data nor `SERVICE_UNAVAILABLE` with 503.
    wrong: Vec<String>,
}

/// One client: writes with unique keys, retrying each with the same key on
/// `SERVICE_UNAVAILABLE`, and reads in between, until `stop` (then finishes its write).
async fn client(
    app: Arc<TestApp>,
    ingredient: Value,
    id: usize,
    stop: Arc<AtomicBool>,
    observed: Arc<Mutex<Observed>>,
) {
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let key = format!("client{id}-{n}");
        let input = purchase_input(&ingredient, &key, n);
        loop {
            assert!(Instant::now() < deadline, "{key} never got through");
            let started = Instant::now();
            let (status, response) = post(&app, RECORD, json!({ "input": input })).await;
            let took = started.elapsed();
            let acknowledged = {
                let mut seen = observed.lock().unwrap();
                if response.get("errors").is_none() && status == 200 {
                    let lot = &response["data"]["recordPurchase"];
                    assert_eq!(lot["notes"], json!(key));
                    seen.acknowledged
                        .insert(key.clone(), lot["id"].as_str().unwrap().to_string());
                    true
                } else {
                    if first_code(&response) == Some("SERVICE_UNAVAILABLE") && status == 503 {
                        seen.unavailable += 1;
                        seen.slowest_unavailable = seen.slowest_unavailable.max(took);
                    } else {
                        seen.wrong.push(format!("{key}: {status} {response}"));
                    }
                    false
                }
            };
            if acknowledged {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A read between writes: a list, and the ingredient through node().
        let started = Instant::now();
        let (status, response) = post(
            &app,
            "query($id: ID!) { ingredients(first: 5) { totalCount } node(id: $id) { id } }",
            json!({ "id": ingredient["id"] }),
        )
        .await;
        let took = started.elapsed();
        {
            let mut seen = observed.lock().unwrap();
            match first_code(&response) {
                None if status == 200 => {
                    assert_eq!(response["data"]["node"]["id"], ingredient["id"]);
                }
                Some("SERVICE_UNAVAILABLE") if status == 503 => {
                    seen.unavailable += 1;
                    seen.slowest_unavailable = seen.slowest_unavailable.max(took);
                }
                _ => seen.wrong.push(format!("read: {status} {response}")),
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// How long `/readyz` and each kind of request may take to say "unavailable": far below
/// the default 10 s acquire timeout (connection refused fails at once).
const QUICK: Duration = Duration::from_secs(2);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_outage_under_load_recovers_without_restart() {
    let test_started = Instant::now();
    let cluster = Cluster::start();
    {
        use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
        let mut admin = AsyncPgConnection::establish(&cluster.url("postgres"))
            .await
            .expect("throwaway cluster reachable");
        admin
            .batch_execute("CREATE DATABASE bakeplan_faults")
            .await
            .expect("create database");
    }
    let url = cluster.url("bakeplan_faults");
    bakeplan::db::migrate::run_pending(&url)
        .await
        .expect("migrate");
    let options = DbOptions {
        max_connections: 8,
        acquire_timeout: Duration::from_secs(1),
        ..DbOptions::default()
    };
    let app = Arc::new(TestApp::spawn_on_url(&url, 2, &options));
    let ingredient = create_ingredient(&app, json!({"name": "Flour", "unit": "g"})).await;
    let (status, _) = app.http("GET", "/readyz", &[], None).await;
    assert_eq!(status, 200, "ready before the outage");

    // Light load: four writers that also read.
    let stop = Arc::new(AtomicBool::new(false));
    let observed = Arc::new(Mutex::new(Observed::default()));
    let clients: Vec<_> = (0..4)
        .map(|id| {
            tokio::spawn(client(
                app.clone(),
                ingredient.clone(),
                id,
                stop.clone(),
                observed.clone(),
            ))
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(800)).await;
    let before_outage = observed.lock().unwrap().acknowledged.len();
    assert!(
        before_outage > 0,
        "the load made progress before the outage"
    );

    // The outage.
    tokio::task::block_in_place(|| cluster.stop());
    let outage_started = Instant::now();
    for n in 0..5 {
        // The request that used to answer NOT_FOUND: no unit, so the ingredient is loaded.
        let input = purchase_input(&ingredient, &format!("outage-{n}"), 1);
        let started = Instant::now();
        let (status, response) = post(&app, RECORD, json!({ "input": input })).await;
        assert_unavailable(status, &response, "recordPurchase during the outage");
        assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());

        let started = Instant::now();
        let (status, response) = post(
            &app,
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": ingredient["id"] }),
        )
        .await;
        assert_unavailable(status, &response, "node() during the outage");
        assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());

        let started = Instant::now();
        let (status, body) = app.http("GET", "/readyz", &[], None).await;
        assert_eq!(status, 503, "readyz during the outage: {body}");
        assert!(started.elapsed() < QUICK, "took {:?}", started.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, _) = app.http("GET", "/healthz", &[], None).await;
    assert_eq!(status, 200, "the process stays alive");
    assert!(outage_started.elapsed() < Duration::from_secs(10));

    // The database comes back; the same server must recover.
    tokio::task::block_in_place(|| cluster.pg_ctl_start());
    let back = Instant::now();
    loop {
        let (status, _) = app.http("GET", "/readyz", &[], None).await;
        if status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "readyz stays 503 after the database is back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let acknowledged_at_recovery = observed.lock().unwrap().acknowledged.len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.expect("client finished");
    }

    let observed = Arc::try_unwrap(observed)
        .ok()
        .expect("clients are done")
        .into_inner()
        .unwrap();
    assert!(
        observed.wrong.is_empty(),
        "answers that were neither data nor SERVICE_UNAVAILABLE/503:\n{}",
        observed.wrong.join("\n")
    );
    assert!(
        observed.unavailable > 0,
        "the load saw the outage as SERVICE_UNAVAILABLE"
    );
    assert!(
        observed.slowest_unavailable < QUICK,
        "slowest SERVICE_UNAVAILABLE took {:?}",
        observed.slowest_unavailable
    );
    assert!(
        observed.acknowledged.len() > acknowledged_at_recovery,
        "writes succeed again after the outage"
    );

    // Every acknowledged write is stored exactly once, and nothing else was stored (the
    // refused outage requests wrote nothing).
    let lots: Vec<StoredLot> = {
        use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
        let mut conn = AsyncPgConnection::establish(&url).await.expect("connect");
        diesel::sql_query(
            "SELECT COALESCE(notes, '') AS notes, CAST(COUNT(*) AS BIGINT) AS n \
             FROM inventory_lots GROUP BY notes ORDER BY notes",
        )
        .load(&mut conn)
        .await
        .expect("count lots per key")
    };
    let stored: BTreeMap<String, i64> = lots.into_iter().map(|l| (l.notes, l.n)).collect();
    let duplicated: Vec<_> = stored.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        duplicated.is_empty(),
        "keys stored more than once: {duplicated:?}"
    );
    let acked: BTreeSet<&String> = observed.acknowledged.keys().collect();
    let kept: BTreeSet<&String> = stored.keys().collect();
    assert_eq!(
        acked, kept,
        "stored lots must be exactly the acknowledged writes"
    );
    let (status, body) = app.http("GET", "/readyz", &[], None).await;
    assert_eq!(status, 200, "{body}");

    Arc::try_unwrap(app).ok().expect("one owner").finish().await;
    drop(cluster);
    assert!(
        test_started.elapsed() < Duration::from_secs(60),
        "took {:?}",
        test_started.elapsed()
    );
}

#[derive(diesel::QueryableByName)]
struct StoredLot {
    #[diesel(sql_type = diesel::sql_types::Text)]
    notes: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

// ---------------------------------------------------------------------------------------
// SQLite: the write lock is held elsewhere.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_lock_held_elsewhere_is_unavailable_and_writes_nothing() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    let app = TestApp::spawn(Backend::Sqlite).await;
    let ingredient = create_ingredient(&app, json!({"name": "Sugar", "unit": "g"})).await;
    let before = app.snapshot().await;

    // Another process-like connection takes the write lock and keeps it past busy_timeout.
    let mut holder =
        diesel::SqliteConnection::establish(app.db.url()).expect("second SQLite connection");
    holder
        .batch_execute("BEGIN IMMEDIATE")
        .expect("take the write lock");
    let started = Instant::now();
    let input = purchase_input(&ingredient, "locked-1", 1);
    let (status, response) = post(&app, RECORD, json!({ "input": input })).await;
    let took = started.elapsed();
    holder.batch_execute("ROLLBACK").expect("release the lock");
    drop(holder);

    assert_unavailable(status, &response, "recordPurchase while SQLite is locked");
    // It waited busy_timeout (5 s), once: a held lock is not retried inside the server.
    assert!(took < Duration::from_secs(9), "took {took:?}");
    app.assert_unchanged(&before, "a write refused for a held lock")
        .await;

    // The lock is gone; the same retry succeeds and records once.
    let (status, response) = post(&app, RECORD, json!({ "input": input })).await;
    assert_eq!(status, 200, "{response}");
    assert!(response.get("errors").is_none(), "{response}");
    let (_, again) = post(&app, RECORD, json!({ "input": input })).await;
    assert_eq!(
        again["data"]["recordPurchase"]["id"],
        response["data"]["recordPurchase"]["id"]
    );
    assert_eq!(count(&app, "inventory_lots").await, 1);
    app.finish().await;
}

/// A new pool connection's setup reads the database (`journal_mode`); opened while another
/// connection holds it, the setup must wait like any statement, not fail at once. (Eight
/// requests reaching a fresh pool together used to fail this way now and then: the first
/// connections open the WAL while the others set themselves up.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_connections_opened_while_the_database_is_held_wait_for_it() {
    use diesel::connection::SimpleConnection;
    use diesel::Connection;
    // A database no server has open: exclusive locking needs every other connection closed.
    let dir = tempfile::tempdir().expect("temp dir");
    let url = dir.path().join("held.db").to_string_lossy().into_owned();
    bakeplan::db::migrate::run_pending(&url)
        .await
        .expect("migrate");

    // Exclusive locking mode: until it rolls back, no other connection can even read.
    let mut holder = diesel::SqliteConnection::establish(&url).expect("holding connection");
    holder
        .batch_execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; CREATE TABLE held (x)")
        .expect("hold the database");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        holder
            .batch_execute("ROLLBACK")
            .expect("release the database");
    });

    let fresh = bakeplan::db::Db::open(&url, &DbOptions::default()).expect("pool");
    let started = Instant::now();
    let pending = bakeplan::db::migrate::pending_versions(&fresh).await;
    let waited = started.elapsed();
    release.join().expect("holder thread");
    assert_eq!(
        pending.expect("a read through a new connection"),
        Vec::<String>::new()
    );
    assert!(
        waited >= Duration::from_millis(300),
        "did not wait: {waited:?}"
    );
}

// ---------------------------------------------------------------------------------------
// PostgreSQL: deadlocks and serialization failures are retried inside the server.

/// Makes the next `failures` lot inserts fail with SQLSTATE `code`. The counter is a
/// sequence, which a rollback does not undo, so each failed attempt uses one up.
async fn inject_failures(app: &TestApp, code: &str, failures: i64) {
    sql(app, "DROP TRIGGER IF EXISTS inject_fault ON inventory_lots").await;
    sql(app, "DROP SEQUENCE IF EXISTS injected_faults").await;
    sql(app, "CREATE SEQUENCE injected_faults").await;
    let message = if code == "40P01" {
        "deadlock detected"
    } else {
        "could not serialize access due to concurrent update"
    };
    sql(
        app,
        &format!(
            "CREATE OR REPLACE FUNCTION inject_fault() RETURNS trigger AS $$ BEGIN \
             IF nextval('injected_faults') <= {failures} THEN \
             RAISE EXCEPTION '{message}' USING ERRCODE = '{code}'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql"
        ),
    )
    .await;
    sql(
        app,
        "CREATE TRIGGER inject_fault BEFORE INSERT ON inventory_lots \
         FOR EACH ROW EXECUTE FUNCTION inject_fault()",
    )
    .await;
}

async fn attempts_made(app: &TestApp) -> i64 {
    sql_number(
        app,
        "SELECT CAST(last_value AS BIGINT) AS n FROM injected_faults",
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_conflicts_are_retried_then_unavailable() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ingredient = create_ingredient(&app, json!({"name": "Butter", "unit": "g"})).await;

    for code in ["40P01", "40001"] {
        // Two conflicts, then success on the third attempt: the client never sees them.
        inject_failures(&app, code, 2).await;
        let key = format!("retried-{code}");
        let (status, response) = post(
            &app,
            RECORD,
            json!({ "input": purchase_input(&ingredient, &key, 2) }),
        )
        .await;
        assert_eq!(status, 200, "{code}: {response}");
        assert!(response.get("errors").is_none(), "{code}: {response}");
        assert_eq!(attempts_made(&app).await, 3, "{code}: attempts");
        assert_eq!(
            sql_number(
                &app,
                &format!("SELECT COUNT(*) AS n FROM inventory_lots WHERE notes = '{key}'")
            )
            .await,
            1
        );

        // A conflict that persists: bounded attempts, then SERVICE_UNAVAILABLE, nothing written.
        inject_failures(&app, code, 1_000).await;
        let before = app.snapshot().await;
        let started = Instant::now();
        let (status, response) = post(
            &app,
            RECORD,
            json!({ "input": purchase_input(&ingredient, &format!("lost-{code}"), 2) }),
        )
        .await;
        assert_unavailable(status, &response, "a conflict that persists");
        assert_eq!(attempts_made(&app).await, 3, "{code}: bounded attempts");
        assert!(started.elapsed() < Duration::from_secs(2));
        app.assert_unchanged(&before, "a write that kept conflicting")
            .await;
    }
    sql(&app, "DROP TRIGGER inject_fault ON inventory_lots").await;
    app.finish().await;
}
