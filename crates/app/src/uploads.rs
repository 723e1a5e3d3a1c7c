//! Uploaded images: decoded in full (a real PNG, JPEG, GIF or WebP of a bounded pixel count),
//! then re-encoded, so what is stored and served is exactly one clean image (no trailing bytes,
//! no metadata), under `MEDIA_DIR` with a random name, served back under `/media/`.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use image::{DynamicImage, ImageFormat};
use madeinpk_domain::catalog::ports::MediaStorage;
use madeinpk_domain::catalog::product::ImageUpload;
use madeinpk_domain::store::StoreError;
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::body::Upload;

/// DRF's message for a file that is not an image.
pub const NOT_AN_IMAGE: &str = madeinpk_domain::validation::msg::IMAGE;

/// Decodes at once per process: a decoded image takes up to 4 bytes a pixel, so this bounds the
/// memory uploads can take whatever the number of requests.
static DECODES: Semaphore = Semaphore::const_new(1);

/// How long an upload waits for the decoder before it is refused.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Where uploads live on disk, and how large an image may be.
#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
    max_pixels: u64,
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

/// The accepted formats, judged by the bytes, not the name: (format, stored extension).
fn format_of(bytes: &[u8]) -> Option<(ImageFormat, &'static str)> {
    Some(match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Png => (ImageFormat::Png, "png"),
        imagesize::ImageType::Jpeg => (ImageFormat::Jpeg, "jpg"),
        imagesize::ImageType::Gif => (ImageFormat::Gif, "gif"),
        imagesize::ImageType::Webp => (ImageFormat::WebP, "webp"),
        _ => return None,
    })
}

/// The clean image, or `None` when the bytes are not one whole image of an accepted type with
/// at most `max_pixels` pixels. The size is read from the header before anything is decoded,
/// so a decompression bomb is refused without being inflated.
pub fn clean_image(bytes: &[u8], max_pixels: u64) -> Option<ImageUpload> {
    let (format, extension) = format_of(bytes)?;
    let size = imagesize::blob_size(bytes).ok()?;
    let (width, height) = (
        u64::try_from(size.width).ok()?,
        u64::try_from(size.height).ok()?,
    );
    if width == 0 || height == 0 || width.saturating_mul(height) > max_pixels {
        return None;
    }
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = u32::try_from(width).ok();
    limits.max_image_height = u32::try_from(height).ok();
    limits.max_alloc = Some(max_pixels.saturating_mul(8).max(64 * 1024 * 1024));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    // Re-encoding drops the metadata, so a phone photo's EXIF turn is applied to the pixels.
    let orientation = image::ImageDecoder::orientation(&mut decoder).ok()?;
    let mut decoded = DynamicImage::from_decoder(decoder).ok()?;
    decoded.apply_orientation(orientation);
    // The header said one size; the data must agree (a quarter turn swaps the sides).
    let (w, h) = (u64::from(decoded.width()), u64::from(decoded.height()));
    if (w, h) != (width, height) && (h, w) != (width, height) {
        return None;
    }
    let decoded = match format {
        // JPEG has no alpha; WebP's encoder takes 8-bit RGB(A) only.
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(decoded.to_rgb8()),
        ImageFormat::WebP | ImageFormat::Gif => DynamicImage::ImageRgba8(decoded.to_rgba8()),
        _ => decoded,
    };
    let mut out = Cursor::new(Vec::new());
    if format == ImageFormat::Jpeg {
        let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
        decoded.write_with_encoder(encoder).ok()?;
    } else {
        decoded.write_to(&mut out, format).ok()?;
    }
    Some(ImageUpload {
        extension,
        bytes: out.into_inner(),
    })
}

/// Reads an uploaded file and cleans it off the request's threads, one decode at a time.
pub async fn image_upload(upload: &Upload, max_pixels: u64) -> Option<ImageUpload> {
    let bytes = upload.read().await.ok()?;
    // Cheap refusals first, without waiting for the decoder.
    format_of(&bytes)?;
    // A queue of large images must not hold every upload for ever: past the wait, refuse.
    let _permit = tokio::time::timeout(DECODE_WAIT, DECODES.acquire())
        .await
        .ok()?
        .ok()?;
    tokio::task::spawn_blocking(move || clean_image(&bytes, max_pixels))
        .await
        .ok()
        .flatten()
}

impl MediaStore {
    /// Files under `root`; images of at most `max_pixels` pixels.
    pub fn new(root: impl Into<PathBuf>, max_pixels: u64) -> Self {
        Self {
            root: root.into(),
            max_pixels,
        }
    }

    /// The largest image accepted, in pixels.
    pub const fn max_pixels(&self) -> u64 {
        self.max_pixels
    }

    /// The directory served at `/media/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Checks, cleans and stores an image in `dir`; returns its path relative to the media root.
    pub async fn save_image(&self, dir: &str, upload: &Upload) -> Result<String, UploadError> {
        let image = image_upload(upload, self.max_pixels)
            .await
            .ok_or(UploadError::NotAnImage)?;
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
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0B, 0x49, 0x44, 0x41, 0x54, 0x78, 0xDA, 0x63, 0x60,
        0x00, 0x02, 0x00, 0x00, 0x05, 0x00, 0x01, 0xE9, 0xFA, 0xDC, 0xD8, 0x00, 0x00, 0x00, 0x00,
        0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    const MAX: u64 = 25_000_000;

    /// A PNG of `w`×`h` pixels, encoded here.
    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::new_rgba8(w, h)
            .write_to(&mut out, ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[test]
    fn judges_by_content_and_decodes_in_full() {
        assert_eq!(clean_image(PNG, MAX).unwrap().extension, "png");
        let gif = {
            let mut out = Cursor::new(Vec::new());
            DynamicImage::new_rgba8(2, 2)
                .write_to(&mut out, ImageFormat::Gif)
                .unwrap();
            out.into_inner()
        };
        assert_eq!(clean_image(&gif, MAX).unwrap().extension, "gif");
        assert!(clean_image(b"%PDF-1.7 not an image", MAX).is_none());
        assert!(clean_image(&PNG[..12], MAX).is_none(), "a truncated header");
        assert!(clean_image(b"", MAX).is_none());
        let whole = png(40, 30);
        assert!(
            clean_image(&whole[..whole.len() - 20], MAX).is_none(),
            "a truncated image is refused"
        );
    }

    #[test]
    fn trailing_bytes_are_dropped_by_re_encoding() {
        let mut polluted = png(4, 4);
        polluted.extend_from_slice(b"<html><script>alert(1)</script></html>");
        let clean = clean_image(&polluted, MAX).expect("the image itself is fine");
        assert!(
            !clean.bytes.windows(6).any(|w| w == b"<html>"),
            "nothing after the image survives"
        );
        assert_eq!(
            image::load_from_memory(&clean.bytes).unwrap().width(),
            4,
            "still the same picture"
        );
    }

    #[test]
    fn a_turned_photo_is_stored_upright() {
        // A 4×2 JPEG whose EXIF says "rotate 90° clockwise" (orientation 6) is stored 2×4.
        let mut jpeg = Cursor::new(Vec::new());
        let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90);
        let mut exif =
            b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0".to_vec();
        exif.truncate(26);
        image::ImageEncoder::set_exif_metadata(&mut encoder, exif).unwrap();
        DynamicImage::new_rgb8(4, 2)
            .write_with_encoder(encoder)
            .unwrap();
        let clean = clean_image(&jpeg.into_inner(), MAX).expect("a valid JPEG");
        let stored = image::load_from_memory(&clean.bytes).unwrap();
        assert_eq!((stored.width(), stored.height()), (2, 4));
    }

    #[test]
    fn a_decompression_bomb_is_refused_by_its_header() {
        // 12000 × 12000: refused from the header alone, before any pixel is inflated.
        let mut header = png(1, 1);
        header[16..20].copy_from_slice(&12_000u32.to_be_bytes());
        header[20..24].copy_from_slice(&12_000u32.to_be_bytes());
        assert!(clean_image(&header, MAX).is_none());
        assert!(clean_image(&png(10, 10), 99).is_none(), "over the bound");
        assert!(clean_image(&png(10, 10), 100).is_some(), "at the bound");
    }
}
