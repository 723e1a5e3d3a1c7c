//! The old service's media files (product images, profile pictures): which stored paths may be
//! copied into our media folder.

/// A stored path that stays inside the media folder: relative, no `..`, no empty or odd parts.
pub fn safe_media_path(path: &str) -> Result<&str, String> {
    let ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    if ok {
        Ok(path)
    } else {
        Err(format!("the path {path:?} would leave the media folder"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_inside_the_media_folder_are_copied() {
        assert_eq!(safe_media_path("products/a.jpg"), Ok("products/a.jpg"));
        for bad in [
            "",
            "/etc/passwd",
            "../x.jpg",
            "products/../../x",
            "a//b",
            "a\\b",
            "./a",
        ] {
            assert!(safe_media_path(bad).is_err(), "{bad}");
        }
    }
}
