//! What `PUT`/`PATCH auth/profile/` parse: the JSON bodies and the multipart forms (the same
//! text fields and a new picture file).

use madeinpk_domain::account::rules::ProfileChanges;
use serde_json::Value;
use utoipa::ToSchema;

use crate::body::{Body, Need, Upload};
use crate::error::ApiError;
use crate::wire::FileUpload;

/// `PUT auth/profile/` as JSON. `role` and other read-only fields are ignored.
#[derive(ToSchema)]
pub(super) struct ProfileReplaceBody {
    /// As for register.
    #[schema(max_length = 150)]
    username: String,
    /// As for register.
    #[schema(max_length = 254)]
    email: String,
    #[schema(nullable = false, max_length = 150)]
    first_name: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    last_name: Option<String>,
    #[schema(nullable = false, max_length = 15)]
    phone_number: Option<String>,
    /// null or `""` removes the picture; a new one is uploaded as multipart.
    // `Some(None)`: remove it (a body never carries a picture itself).
    #[schema(value_type = Option<String>, max_length = 0)]
    profile_picture: Option<Option<String>>,
}

impl ProfileReplaceBody {
    /// Reads the text fields of a JSON or multipart body; `username` and `email` are required.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let b = ProfilePatchBody::read(body, Need::Required)?;
        // `finish` refused a missing username or email, so the defaults are never used.
        Ok(Self {
            username: b.username.unwrap_or_default(),
            email: b.email.unwrap_or_default(),
            first_name: b.first_name,
            last_name: b.last_name,
            phone_number: b.phone_number,
            profile_picture: b.profile_picture,
        })
    }
}

impl From<ProfileReplaceBody> for ProfileChanges {
    fn from(b: ProfileReplaceBody) -> Self {
        Self {
            username: Some(b.username),
            email: Some(b.email),
            first_name: b.first_name,
            last_name: b.last_name,
            phone_number: b.phone_number,
            profile_picture: b.profile_picture,
        }
    }
}

/// `PATCH auth/profile/` as JSON: any subset of the fields.
#[derive(ToSchema)]
pub(super) struct ProfilePatchBody {
    #[schema(nullable = false, max_length = 150)]
    username: Option<String>,
    #[schema(nullable = false, max_length = 254)]
    email: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    #[schema(examples("Ayesha"))]
    first_name: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    last_name: Option<String>,
    #[schema(nullable = false, max_length = 15)]
    #[schema(examples("03001234567"))]
    phone_number: Option<String>,
    /// null or `""` removes the picture; a new one is uploaded as multipart.
    // `Some(None)`: remove it (a body never carries a picture itself).
    #[schema(value_type = Option<String>, max_length = 0)]
    profile_picture: Option<Option<String>>,
}

impl ProfilePatchBody {
    /// Reads the text fields present in a JSON or multipart body.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        Self::read(body, Need::Optional)
    }

    /// Reads the text fields; `need` applies to `username` and `email` (required for PUT). A
    /// picture file arrives as a multipart upload, taken by the caller.
    fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let changes = Self {
            username: f.string("username", need),
            email: f.string("email", need),
            first_name: f.string("first_name", Need::Optional),
            last_name: f.string("last_name", Need::Optional),
            phone_number: f.string("phone_number", Need::Optional),
            // Null or "" clears it; any other value is not a file.
            profile_picture: match body.fields.get("profile_picture") {
                None => None,
                Some(Value::Null) => Some(None),
                Some(Value::String(s)) if s.is_empty() => Some(None),
                Some(_) => {
                    f.error(
                        "profile_picture",
                        "The submitted data was not a file. Check the encoding type on the form.",
                    );
                    None
                }
            },
        };
        f.finish()?;
        Ok(changes)
    }
}

impl From<ProfilePatchBody> for ProfileChanges {
    fn from(b: ProfilePatchBody) -> Self {
        Self {
            username: b.username,
            email: b.email,
            first_name: b.first_name,
            last_name: b.last_name,
            phone_number: b.phone_number,
            profile_picture: b.profile_picture,
        }
    }
}

/// `PUT auth/profile/` as multipart: the JSON body's fields and a new picture file. What the
/// handler parses from either encoding (JSON simply has no file).
#[derive(ToSchema)]
pub(super) struct ProfileReplaceForm {
    #[schema(max_length = 150)]
    username: String,
    #[schema(max_length = 254)]
    email: String,
    #[schema(nullable = false, max_length = 150)]
    first_name: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    last_name: Option<String>,
    #[schema(nullable = false, max_length = 15)]
    phone_number: Option<String>,
    /// The new picture (an image file).
    #[schema(nullable = false, value_type = Option<FileUpload>)]
    profile_picture: Option<Upload>,
    /// A text `profile_picture` (null or `""` removes the picture).
    #[schema(ignore)]
    removal: Option<Option<String>>,
}

impl ProfileReplaceForm {
    /// The text fields, read as for JSON, and the uploaded picture.
    pub(super) fn parse(body: &Body) -> Result<Self, ApiError> {
        let text = ProfileReplaceBody::parse(body)?;
        Ok(Self {
            username: text.username,
            email: text.email,
            first_name: text.first_name,
            last_name: text.last_name,
            phone_number: text.phone_number,
            profile_picture: body.file("profile_picture").cloned(),
            removal: text.profile_picture,
        })
    }

    /// The changes, and the picture to store.
    pub(super) fn into_parts(self) -> (ProfileChanges, Option<Upload>) {
        let text = ProfileReplaceBody {
            username: self.username,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            phone_number: self.phone_number,
            profile_picture: self.removal,
        };
        (text.into(), self.profile_picture)
    }
}

/// `PATCH auth/profile/` as multipart: any of the JSON body's fields and a new picture file.
/// What the handler parses from either encoding.
#[derive(ToSchema)]
pub(super) struct ProfilePatchForm {
    #[schema(nullable = false, max_length = 150)]
    username: Option<String>,
    #[schema(nullable = false, max_length = 254)]
    email: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    first_name: Option<String>,
    #[schema(nullable = false, max_length = 150)]
    last_name: Option<String>,
    #[schema(nullable = false, max_length = 15)]
    phone_number: Option<String>,
    /// The new picture (an image file).
    #[schema(nullable = false, value_type = Option<FileUpload>)]
    profile_picture: Option<Upload>,
    /// A text `profile_picture` (null or `""` removes the picture).
    #[schema(ignore)]
    removal: Option<Option<String>>,
}

impl ProfilePatchForm {
    /// The text fields present, read as for JSON, and the uploaded picture.
    pub(super) fn parse(body: &Body) -> Result<Self, ApiError> {
        let text = ProfilePatchBody::parse(body)?;
        Ok(Self {
            username: text.username,
            email: text.email,
            first_name: text.first_name,
            last_name: text.last_name,
            phone_number: text.phone_number,
            profile_picture: body.file("profile_picture").cloned(),
            removal: text.profile_picture,
        })
    }

    /// The changes, and the picture to store.
    pub(super) fn into_parts(self) -> (ProfileChanges, Option<Upload>) {
        let text = ProfilePatchBody {
            username: self.username,
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            phone_number: self.phone_number,
            profile_picture: self.removal,
        };
        (text.into(), self.profile_picture)
    }
}
