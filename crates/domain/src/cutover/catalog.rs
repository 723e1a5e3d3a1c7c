//! The catalogue from the Django service: products, their images, listings and auctions.

/// An image row's stored path: the old `image` column may be NULL, and an image with no file
/// name cannot be shown, so such a row is refused (reported).
pub fn image_path(image: Option<&str>) -> Result<&str, String> {
    match image {
        Some(path) if !path.trim().is_empty() => Ok(path),
        _ => Err("the image row has no file".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_needs_a_file() {
        assert_eq!(image_path(Some("products/a.jpg")), Ok("products/a.jpg"));
        assert!(image_path(None).is_err());
        assert!(image_path(Some(" ")).is_err());
    }
}
