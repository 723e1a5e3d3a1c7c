//! Request bodies: JSON or form-urlencoded into a field map, then typed field reads that report
//! errors with the contract's (DRF's) messages. Bad bodies are 4xx JSON, never 500.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::web::Bytes;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use madeinpk_domain::validation::{FieldErrors, NON_FIELD};
use serde_json::{Map, Value};

use crate::error::ApiError;

mod fields;
pub use fields::{Fields, Need};

/// A request body: its fields, and the files of a multipart upload.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// Named values (JSON members, form fields, or multipart text parts).
    pub fields: Map<String, Value>,
    /// Uploaded files (multipart only).
    pub files: Vec<Upload>,
    /// Values arrived as text (form or multipart), so JSON fields must be parsed.
    pub textual: bool,
}

/// One uploaded file, spooled to disk as it arrives (never held whole in memory); the file
/// is removed when the last copy of the upload is dropped.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field it came in.
    pub field: String,
    /// The client's file name.
    pub filename: String,
    /// Where its bytes wait.
    spooled: std::sync::Arc<Spooled>,
}

/// A spooled file, deleted on drop.
#[derive(Debug)]
struct Spooled(std::path::PathBuf);

impl Drop for Spooled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Upload {
    /// Its content (at most the per-file limit).
    pub async fn read(&self) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(&self.spooled.0).await
    }
}

/// Upload limits, from the configuration.
#[derive(Debug, Clone)]
pub struct UploadLimits {
    /// Largest single file.
    pub max_file_bytes: usize,
    /// Largest multipart body of an endpoint that takes files (all parts together).
    pub max_upload_total: usize,
    /// Largest multipart body of an endpoint that takes no file (file parts are read and
    /// dropped, within this bound).
    pub max_body_bytes: usize,
    /// Most parts in one request.
    pub max_parts: usize,
    /// Where file parts are spooled while a request is read.
    pub spool_dir: std::path::PathBuf,
}

impl Default for UploadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 5 * 1024 * 1024,
            max_upload_total: 64 * 1024 * 1024,
            max_body_bytes: 1024 * 1024,
            max_parts: 32,
            spool_dir: std::env::temp_dir().join("madeinpk-uploads"),
        }
    }
}

/// The endpoints that take files (method, route pattern), as the contract lists them: every
/// other endpoint accepts multipart for its text fields only.
const FILE_ROUTES: &[(&str, &str)] = &[
    ("POST", "/api/products/"),
    ("POST", "/api/auctions/"),
    ("POST", "/api/products/{id}/add_image/"),
    ("PUT", "/api/auth/profile/"),
    ("PATCH", "/api/auth/profile/"),
];

fn takes_files(req: &HttpRequest) -> bool {
    let method = req.method().as_str();
    req.match_pattern().is_some_and(|pattern| {
        FILE_ROUTES
            .iter()
            .any(|(m, p)| *m == method && *p == pattern.as_str())
    })
}

fn too_large() -> ApiError {
    ApiError::Detail(
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request body is too large.".into(),
    )
}

fn parse_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("Multipart form parse error - {e}"))
}

/// The disk could not take a file part: the server's trouble, not the client's.
fn spool_failed(e: std::io::Error) -> ApiError {
    tracing::error!(error = %e, "cannot spool an upload");
    ApiError::Unavailable(e.to_string())
}

/// Opens a fresh spool file for one file part.
async fn spool_file(dir: &std::path::Path) -> Result<(Spooled, tokio::fs::File), ApiError> {
    use rand::RngCore;
    tokio::fs::create_dir_all(dir).await.map_err(spool_failed)?;
    let mut id = [0u8; 16];
    rand::rng().fill_bytes(&mut id);
    let path = dir.join(format!("{}.part", hex::encode(id)));
    let file = tokio::fs::File::create(&path).await.map_err(spool_failed)?;
    Ok((Spooled(path), file))
}

async fn read_multipart(
    headers: &actix_web::http::header::HeaderMap,
    payload: Payload,
    limits: UploadLimits,
    takes_files: bool,
) -> Result<Body, ApiError> {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let mut multipart = actix_multipart::Multipart::new(headers, payload);
    let mut body = Body {
        textual: true,
        ..Body::default()
    };
    let total_cap = if takes_files {
        limits.max_upload_total
    } else {
        limits.max_body_bytes
    };
    let (mut parts, mut total) = (0, 0usize);
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(parse_error)?;
        parts += 1;
        if parts > limits.max_parts {
            return Err(too_large());
        }
        let name = field.name().unwrap_or_default().to_owned();
        let filename = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_owned);
        match filename {
            Some(filename) if takes_files => {
                let (spooled, mut file) = spool_file(&limits.spool_dir).await?;
                let mut size = 0usize;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(parse_error)?;
                    size += chunk.len();
                    total += chunk.len();
                    if size > limits.max_file_bytes || total > total_cap {
                        return Err(too_large());
                    }
                    file.write_all(&chunk).await.map_err(spool_failed)?;
                }
                file.flush().await.map_err(spool_failed)?;
                body.files.push(Upload {
                    field: name,
                    filename,
                    spooled: std::sync::Arc::new(spooled),
                });
            }
            // A file where none is expected is read past (the contract ignores it).
            Some(_) => {
                while let Some(chunk) = field.next().await {
                    total += chunk.map_err(parse_error)?.len();
                    if total > total_cap {
                        return Err(too_large());
                    }
                }
            }
            None => {
                let mut bytes = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(parse_error)?;
                    total += chunk.len();
                    if total > total_cap || bytes.len() + chunk.len() > limits.max_body_bytes {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                body.fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                );
            }
        }
    }
    Ok(body)
}

fn parse_form(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes)
        .map_err(|e| ApiError::bad_request(format!("Form parse error - {e}")))?;
    // The last value of a repeated key wins, as with a form's single-valued fields.
    Ok(pairs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect())
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

impl Body {
    fn from_bytes(content_type: Option<&str>, bytes: &[u8]) -> Result<Self, ApiError> {
        let mime = content_type
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        if bytes.iter().all(u8::is_ascii_whitespace)
            && (mime.is_empty() || mime == "application/json")
        {
            return Ok(Self::default());
        }
        match mime.as_str() {
            "application/json" | "" => {
                let value: Value = serde_json::from_slice(bytes)
                    .map_err(|e| ApiError::bad_request(format!("JSON parse error - {e}")))?;
                match value {
                    Value::Object(fields) => Ok(Self {
                        fields,
                        ..Self::default()
                    }),
                    other => Err(FieldErrors::single(
                        NON_FIELD,
                        format!(
                            "Invalid data. Expected a dictionary, but got {}.",
                            type_name(&other)
                        ),
                    )
                    .into()),
                }
            }
            m if m.ends_with("+json") => Self::from_bytes(Some("application/json"), bytes),
            "application/x-www-form-urlencoded" => Ok(Self {
                fields: parse_form(bytes)?,
                files: Vec::new(),
                textual: true,
            }),
            other => Err(ApiError::Detail(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("Unsupported media type \"{other}\" in request."),
            )),
        }
    }

    /// Starts reading fields.
    pub fn read(&self) -> Fields<'_> {
        Fields {
            map: &self.fields,
            textual: self.textual,
            errors: FieldErrors::new(),
        }
    }

    /// The uploaded file of a field.
    pub fn file(&self, field: &str) -> Option<&Upload> {
        self.files.iter().rev().find(|f| f.field == field)
    }
}

impl FromRequest for Body {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let multipart = content_type.as_deref().is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
        if multipart {
            let limits = req.app_data::<UploadLimits>().cloned().unwrap_or_default();
            let headers = req.headers().clone();
            let payload = payload.take();
            let files = takes_files(req);
            return Box::pin(async move { read_multipart(&headers, payload, limits, files).await });
        }
        // Honours the app's `PayloadConfig` size limit.
        let bytes = Bytes::from_request(req, payload);
        Box::pin(async move {
            let bytes = bytes.await.map_err(|e| {
                let status = e.as_response_error().status_code();
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    too_large()
                } else {
                    ApiError::bad_request(format!("Could not read the request body: {e}"))
                }
            })?;
            Body::from_bytes(content_type.as_deref(), &bytes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Body {
        Body {
            fields: v.as_object().unwrap().clone(),
            ..Body::default()
        }
    }

    #[test]
    fn required_null_blank_and_types() {
        let b = body(json!({"a": null, "b": "  ", "c": 5, "d": true, "e": [1]}));
        let mut f = b.read();
        assert_eq!(f.string("missing", Need::Required), None);
        assert_eq!(f.string("a", Need::Required), None);
        assert_eq!(f.string("b", Need::Required), None);
        assert_eq!(f.string("c", Need::Required).as_deref(), Some("5"));
        assert_eq!(f.string("d", Need::Optional), None);
        assert_eq!(f.int("e", Need::Optional), None);
        let ApiError::Validation(e) = f.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!(e.get("missing").unwrap(), ["This field is required."]);
        assert_eq!(e.get("a").unwrap(), ["This field may not be null."]);
        assert_eq!(e.get("b").unwrap(), ["This field may not be blank."]);
        assert_eq!(e.get("d").unwrap(), ["Not a valid string."]);
        assert_eq!(e.get("e").unwrap(), ["A valid integer is required."]);
    }

    #[test]
    fn ints_bools_and_pks() {
        let b = body(
            json!({"i": "42", "f": 3.0, "g": 3.5, "t": "true", "z": 0, "p": "abc", "q": null, "r": [1]}),
        );
        let mut f = b.read();
        assert_eq!(f.int("i", Need::Required), Some(42));
        assert_eq!(f.int("f", Need::Required), Some(3));
        assert_eq!(f.int("g", Need::Required), None);
        assert_eq!(f.bool("t", Need::Required), Some(true));
        assert_eq!(f.bool("z", Need::Required), Some(false));
        assert_eq!(f.pk("p", Need::Required, false), None);
        assert_eq!(f.pk("q", Need::Required, true), Some(None));
        assert_eq!(f.pk("r", Need::Required, true), None);
        let ApiError::Validation(e) = f.finish().unwrap_err() else {
            panic!()
        };
        assert_eq!(
            e.get("p").unwrap(),
            ["Incorrect type. Expected pk value, received str."]
        );
        assert_eq!(
            e.get("r").unwrap(),
            ["Incorrect type. Expected pk value, received list."]
        );
        assert!(e.get("g").is_some());
    }

    #[test]
    fn content_types() {
        let b = Body::from_bytes(
            Some("application/x-www-form-urlencoded"),
            b"a=1&b=hello+world&c=%C3%A9%2B",
        )
        .unwrap();
        assert_eq!(b.fields["b"], "hello world");
        assert_eq!(b.fields["c"], "é+");
        assert!(matches!(
            Body::from_bytes(Some("text/plain"), b"x"),
            Err(ApiError::Detail(StatusCode::UNSUPPORTED_MEDIA_TYPE, _))
        ));
        let ApiError::Detail(s, m) =
            Body::from_bytes(Some("application/json"), b"{bad").unwrap_err()
        else {
            panic!()
        };
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(m.starts_with("JSON parse error - "));
        assert!(matches!(
            Body::from_bytes(Some("application/json"), b"[1]"),
            Err(ApiError::Validation(_))
        ));
        assert!(Body::from_bytes(None, b"").unwrap().fields.is_empty());
    }
}
