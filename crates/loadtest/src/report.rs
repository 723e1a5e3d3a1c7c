//! Result rows for `docs/benchmarks.md`: with `--markdown FILE`, each run appends its figures
//! as one Markdown table row (`scripts/bench.sh` writes the headers and the section).

use std::io::Write;

/// Appends `| a | b | … |` to `path`, when one is given.
pub fn row(path: Option<&str>, cells: &[String]) {
    let Some(path) = path else { return };
    let line = format!("| {} |\n", cells.join(" | "));
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = written {
        eprintln!("cannot append to {path}: {e}");
    }
}

/// Milliseconds with two decimals.
pub fn ms2(micros: u64) -> String {
    format!("{:.2} ms", crate::ms(micros))
}
