//! `import-django --media-from DIR`: copies the old service's files that imported rows name
//! (product images, profile pictures) into `MEDIA_DIR` under the same relative paths, so their
//! URLs stay valid. A missing file is reported, never fatal; a file already there is kept.

use std::path::Path;

use madeinpk_domain::cutover::media::safe_media_path;
use madeinpk_domain::cutover::report::EntityReport;
use madeinpk_domain::store::StoreError;
use madeinpk_postgres::Db;

/// Copies every file our rows name from `from` into `to`; the report counts them.
pub async fn copy_media(db: &Db, from: &Path, to: &Path) -> Result<EntityReport, StoreError> {
    let paths = madeinpk_postgres::cutover::media_paths(db).await?;
    let (from, to) = (from.to_owned(), to.to_owned());
    tokio::task::spawn_blocking(move || {
        let mut report = EntityReport::new("media files");
        report.source_rows = paths.len() as u64;
        for path in paths {
            let relative = match safe_media_path(&path) {
                Ok(p) => p,
                Err(why) => {
                    report.refuse(&path, why);
                    continue;
                }
            };
            let (src, dst) = (from.join(relative), to.join(relative));
            if dst.exists() {
                report.already_present += 1;
                continue;
            }
            if !src.is_file() {
                report.refuse(&path, format!("no such file in {}", from.display()));
                continue;
            }
            // Copied beside, then renamed: an interrupted copy never leaves a truncated file
            // that a later run would keep.
            let partial = dst.with_extension("import-partial");
            let copied = dst
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::copy(&src, &partial))
                .and_then(|_| std::fs::rename(&partial, &dst));
            match copied {
                Ok(()) => report.imported += 1,
                Err(e) => report.refuse(&path, format!("could not copy: {e}")),
            }
        }
        report
    })
    .await
    .map_err(|e| StoreError::Other(e.to_string()))
}
