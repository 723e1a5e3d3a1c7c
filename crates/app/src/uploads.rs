//! Uploaded images: checked to be a real PNG, JPEG, GIF or WebP, stored under `MEDIA_DIR`
//! with a random name, served back under `/media/`.

use std::path::{Path, PathBuf};

use madeinpk_domain::ports::MediaStorage;
use madeinpk_domain::product::ImageUpload;
use madeinpk_domain::store::StoreError;
use rand::RngCore;

use crate::body::Upload;

/// DRF's message for a file that is not an image.
pub const NOT_AN_IMAGE: &str = madeinpk_domain::validation::msg::IMAGE;

/// Largest width or height accepted (guards against decompression bombs downstream).
const MAX_SIDE: usize = 12_000;

/// Where uploads live on disk.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

/// Why an upload was refused or could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not an image of an accepted type.
    #[error("{NOT_AN_IMAGE}")]
    NotAnImage,
    /// Storing failed.
    #[error("could not store the upload: {0}")]
    Store(#[from] StoreError),
}

/// The file extension of an accepted image, judged by its bytes, not its name.
pub fn image_extension(bytes: &[u8]) -> Option<&'static str> {
    let ext = match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Png => "png",
        imagesize::ImageType::Jpeg => "jpg",
        imagesize::ImageType::Gif => "gif",
        imagesize::ImageType::Webp => "webp",
        _ => return None,
    };
    let size = imagesize::blob_size(bytes).ok()?;
    (size.width > 0 && size.height > 0 && size.width <= MAX_SIDE && size.height <= MAX_SIDE)
        .then_some(ext)
}

/// The checked image, or `None` when the bytes are not an accepted image.
pub fn image_upload(bytes: &[u8]) -> Option<ImageUpload> {
    image_extension(bytes).map(|extension| ImageUpload {
        extension,
        bytes: bytes.to_vec(),
    })
}

impl MediaStore {
    /// Files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The directory served at `/media/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks and stores an image in `dir`; returns its path relative to the media root.
    pub async fn save_image(&self, dir: &str, upload: &Upload) -> Result<String, UploadError> {
        let image = image_upload(&upload.bytes).ok_or(UploadError::NotAnImage)?;
        Ok(self.store(dir.to_owned(), image).await?)
    }
}

impl MediaStorage for MediaStore {
    async fn store(&self, dir: String, upload: ImageUpload) -> Result<String, StoreError> {
        let mut id = [0u8; 16];
        rand::rng().fill_bytes(&mut id);
        let relative = format!("{dir}/{}.{}", hex::encode(id), upload.extension);
        let path = self.root.join(&relative);
        let io = |e: std::io::Error| StoreError::Unavailable(format!("media storage: {e}"));
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(io)?;
        }
        tokio::fs::write(&path, &upload.bytes).await.map_err(io)?;
        Ok(relative)
    }

    async fn remove(&self, relative: String) {
        if relative.contains("..") {
            return;
        }
        if let Err(e) = tokio::fs::remove_file(self.root.join(&relative)).await
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = relative, error = %e, "could not remove a stored upload");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid 1×1 PNG.
    pub const PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn judges_by_content() {
        assert_eq!(image_extension(PNG), Some("png"));
        assert_eq!(
            image_extension(b"GIF89a\x01\x00\x01\x00\x00\x00\x00"),
            Some("gif")
        );
        assert_eq!(image_extension(b"%PDF-1.7 not an image"), None);
        assert_eq!(
            image_extension(&PNG[..12]),
            None,
            "a truncated header is refused"
        );
        assert_eq!(image_extension(b""), None);
    }
}
