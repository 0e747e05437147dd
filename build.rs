//! Rebuilds when a migration changes, so the embedded migrations are always current.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
