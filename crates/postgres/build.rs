//! Hashes `migrations/` so the test harness rebuilds its template database when they change.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn visit(dir: &Path, hasher: &mut DefaultHasher) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            visit(&path, hasher);
        } else if let Ok(bytes) = std::fs::read(&path) {
            path.file_name().hash(hasher);
            bytes.hash(hasher);
        }
    }
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut hasher = DefaultHasher::new();
    visit(&dir, &mut hasher);
    // The seed data is part of the template too.
    if let Ok(seed) = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/seed.rs")) {
        seed.hash(&mut hasher);
    }
    println!("cargo:rerun-if-changed=src/seed.rs");
    println!(
        "cargo:rustc-env=MADEINPK_MIGRATIONS_HASH={:016x}",
        hasher.finish()
    );
}
