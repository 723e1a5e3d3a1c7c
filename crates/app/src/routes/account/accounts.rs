//! `auth/`: register, login, logout, profile, become-seller.

use actix_web::{HttpRequest, HttpResponse, web};
use madeinpk_domain::account::rules::{
    ProfileChanges, Registration, SellerApplication, validate_registration,
};
use madeinpk_domain::account::user::Role;
use madeinpk_domain::validation::FieldErrors;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::auth::{ActiveUser, CurrentUser};
use crate::body::{Body, Need, Upload};
use crate::error::ApiError;
use crate::routes::account::wire::{SellerProfileDto, SessionDto, UserDto, UserProfileDto};
use crate::routes::community::seller_profiles::SellerProfileBody;
use crate::routes::resource;
use crate::state::AppState;
use crate::uploads::{NOT_AN_IMAGE, UploadError};
use crate::wire::{Media, MessageDto};
use madeinpk_domain::catalog::ports::MediaStorage as _;

use crate::routes::account::profile_bodies::{
    ProfilePatchBody, ProfilePatchForm, ProfileReplaceBody, ProfileReplaceForm,
};

/// Mounts the routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(resource("/auth/register/", "POST").route(web::post().to(register)))
        .service(resource("/auth/login/", "POST").route(web::post().to(login)))
        .service(resource("/auth/logout/", "POST").route(web::post().to(logout)))
        .service(
            resource("/auth/profile/", "GET, PUT, PATCH, HEAD")
                .route(web::get().to(profile))
                .route(web::put().to(replace_profile))
                .route(web::patch().to(patch_profile)),
        )
        .service(
            resource("/auth/become-seller/", "GET, POST, HEAD")
                .route(web::get().to(seller_eligibility))
                .route(web::post().to(become_seller)),
        );
}

/// Adds domain errors for fields the parser did not already reject (DRF checks every field).
fn with_domain_errors(mut parse: FieldErrors, domain: FieldErrors) -> FieldErrors {
    for field in [
        "username",
        "email",
        "password",
        "first_name",
        "last_name",
        "phone_number",
        "role",
    ] {
        if !parse.has(field) {
            for m in domain.get(field).unwrap_or_default() {
                parse.add(field, m.clone());
            }
        }
    }
    parse
}

/// Register body.
#[derive(ToSchema)]
struct RegisterBody {
    /// At most 150 characters: letters, digits and `@.+-_`; unique.
    #[schema(max_length = 150)]
    #[schema(examples("new_buyer"))]
    username: String,
    /// A valid email address, unique.
    #[schema(max_length = 254)]
    #[schema(examples("new_buyer@example.pk"))]
    email: String,
    /// At least 8 characters.
    #[schema(min_length = 8, max_length = 256)]
    #[schema(examples("Handmade-2026!"))]
    password: String,
    /// Must equal `password`.
    #[schema(examples("Handmade-2026!"))]
    password_confirm: String,
    /// At most 150 characters; `""` by default.
    #[schema(nullable = false, max_length = 150)]
    #[schema(examples("Ayesha"))]
    first_name: Option<String>,
    /// At most 150 characters; `""` by default.
    #[schema(nullable = false, max_length = 150)]
    #[schema(examples("Khan"))]
    last_name: Option<String>,
    /// At most 15 characters; `""` by default.
    #[schema(nullable = false, max_length = 15)]
    #[schema(examples("03001234567"))]
    phone_number: Option<String>,
    /// `buyer` (default), `seller` or `both`; `admin` is refused.
    // The text as sent: the domain judges it (`""` is the default).
    #[schema(nullable = false, value_type = Option<SelfServiceRole>)]
    #[schema(examples("buyer"))]
    role: Option<String>,
}

impl RegisterBody {
    /// Reads the body. When a field cannot be read, the domain's errors of the other fields are
    /// reported with the parse errors (DRF checks every field); what could not be read is `""`.
    fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        let parsed = Self {
            username: f.string("username", Need::Required).unwrap_or_default(),
            email: f.string("email", Need::Required).unwrap_or_default(),
            password: f.secret("password", Need::Required).unwrap_or_default(),
            password_confirm: f
                .secret("password_confirm", Need::Required)
                .unwrap_or_default(),
            first_name: f.string("first_name", Need::Optional),
            last_name: f.string("last_name", Need::Optional),
            phone_number: f.string("phone_number", Need::Optional),
            role: f.string("role", Need::Optional),
        };
        if let Err(ApiError::Validation(parse)) = f.finish() {
            let domain = validate_registration(&Registration::from(parsed))
                .err()
                .unwrap_or_default();
            return Err(ApiError::Validation(with_domain_errors(parse, domain)));
        }
        Ok(parsed)
    }
}

impl From<RegisterBody> for Registration {
    fn from(b: RegisterBody) -> Self {
        Self {
            username: b.username,
            email: b.email,
            password: b.password,
            password_confirm: b.password_confirm,
            first_name: b.first_name.unwrap_or_default(),
            last_name: b.last_name.unwrap_or_default(),
            phone_number: b.phone_number.unwrap_or_default(),
            role: b.role,
        }
    }
}

/// A role a user may give themselves: the schema of the role text registration sends, listing
/// the domain's own choices (`Role::SELF_SERVICE`), which the domain checks the text against.
struct SelfServiceRole;

impl utoipa::PartialSchema for SelfServiceRole {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("A role a user may give themselves."))
            .enum_values(Some(Role::SELF_SERVICE.map(Role::as_str)))
            .into()
    }
}

impl ToSchema for SelfServiceRole {}

/// Creates an account and signs it in; attempts are throttled per client address.
#[utoipa::path(post, path = "/api/auth/register/", tag = "auth", request_body = RegisterBody,
    responses((status = 201, body = SessionDto), (status = 400, description = "Field errors"),
              (status = 429, description = "Too many attempts")))]
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let registration = Registration::from(RegisterBody::parse(&body)?);
    let ip = crate::client::ip(&req, state.config.http.trust_proxy_headers);
    let session = state
        .accounts
        .register(registration, &ip, crate::client::agent(&req))
        .await?;
    // The account exists either way; a link that could not be queued can be sent again.
    if let Err(e) = state.verification.send(&session.user).await {
        tracing::error!(error = %e, user = session.user.id.get(), "verification link not queued");
    }
    Ok(HttpResponse::Created().json(SessionDto {
        user: UserDto::new(&session.user, &media),
        token: session.token,
    }))
}

/// Login body. Nothing is validated: anything missing or wrong is 401.
#[derive(ToSchema)]
struct LoginBody {
    /// The account's email.
    #[schema(examples("buyer@example.pk"))]
    email: String,
    /// Its password.
    #[schema(examples("Handmade-2026!"))]
    password: String,
}

impl LoginBody {
    /// Reads the body with no field validation, as in the original: anything missing (or not
    /// text) is `""`, which is just bad credentials.
    fn parse(body: &Body) -> Self {
        let text = |k: &str| {
            body.fields
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        Self {
            email: text("email"),
            password: text("password"),
        }
    }
}

/// Signs in with email and password; a fresh token per login.
#[utoipa::path(post, path = "/api/auth/login/", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = SessionDto, description = "Signed in; or, for an account with two-factor sign-in, `{two_factor_required, challenge}` (see `/api/auth/login/2fa/`)"), (status = 401, description = "Invalid credentials"),
              (status = 403, description = "Account blocked"), (status = 429, description = "Too many attempts")))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let body = LoginBody::parse(&body);
    let ip = crate::client::ip(&req, state.config.http.trust_proxy_headers);
    let user = state
        .accounts
        .check_credentials(&body.email, &body.password, &ip)
        .await?;
    let sign_in = state
        .two_factor
        .sign_in(user, crate::client::agent(&req))
        .await?;
    Ok(crate::routes::account::two_factor::login_reply(
        sign_in, &media,
    ))
}

/// Revokes the token this request used; other devices stay signed in.
#[utoipa::path(post, path = "/api/auth/logout/", tag = "auth", responses((status = 200, body = MessageDto), (status = 401, description = "Not signed in")))]
pub async fn logout(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    state.accounts.logout(&auth.token).await?;
    Ok(HttpResponse::Ok().json(MessageDto {
        message: "Logged out successfully",
    }))
}

/// The caller's profile.
#[utoipa::path(get, path = "/api/auth/profile/", tag = "auth", responses((status = 200, body = UserProfileDto)))]
pub async fn profile(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let view = state.accounts.profile(&auth.user).await?;
    let verified = email_verified(&state, &view.user).await?;
    Ok(HttpResponse::Ok().json(UserProfileDto::new(&view, &media, verified)))
}

/// Whether the user's email is verified, when the profile shows it
/// (`PROFILE_SHOWS_EMAIL_VERIFIED`; off by default, as the contract's UserProfile has no such
/// field).
async fn email_verified(
    state: &AppState,
    user: &madeinpk_domain::account::user::User,
) -> Result<Option<bool>, ApiError> {
    if !state.config.auth.profile_shows_email_verified {
        return Ok(None);
    }
    Ok(Some(state.verification.is_verified(user).await?))
}

async fn update_profile(
    media: &Media,
    state: &AppState,
    auth: &crate::auth::Authenticated,
    mut changes: ProfileChanges,
    picture: Option<&Upload>,
) -> Result<HttpResponse, ApiError> {
    let mut stored = None;
    if let Some(upload) = picture {
        let path = state
            .uploads
            .save_image("profiles", upload)
            .await
            .map_err(|e| match e {
                UploadError::NotAnImage => {
                    ApiError::Validation(FieldErrors::single("profile_picture", NOT_AN_IMAGE))
                }
                UploadError::Store(e) => e.into(),
            })?;
        changes.profile_picture = Some(Some(path.clone()));
        stored = Some(path);
    }
    let replaces_picture = changes.profile_picture.is_some();
    let result = state.accounts.update_profile(&auth.user, changes).await;
    match (&result, stored) {
        // The update failed: the new file belongs to nobody.
        (Err(_), Some(path)) => state.uploads.remove(path).await,
        // It succeeded: the old file belongs to nobody.
        (Ok(_), _) if replaces_picture => {
            if let Some(old) = &auth.user.profile_picture {
                state.uploads.remove(old.clone()).await;
            }
        }
        _ => {}
    }
    let view = result?;
    if let Err(e) = state
        .verification
        .email_changed(&auth.user, &view.user)
        .await
    {
        tracing::error!(error = %e, user = view.user.id.get(), "verification link not queued");
    }
    let verified = email_verified(state, &view.user).await?;
    Ok(HttpResponse::Ok().json(UserProfileDto::new(&view, media, verified)))
}

/// Replaces the caller's profile (`username` and `email` required); role is read-only.
#[utoipa::path(put, path = "/api/auth/profile/", tag = "auth",
    request_body(content((ProfileReplaceBody = "application/json"), (ProfileReplaceForm = "multipart/form-data"))),
    responses((status = 200, body = UserProfileDto), (status = 400, description = "Field errors")))]
pub async fn replace_profile(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let (changes, picture) = ProfileReplaceForm::parse(&body)?.into_parts();
    update_profile(&media, &state, &auth, changes, picture.as_ref()).await
}

/// Changes some of the caller's profile fields; role is read-only.
#[utoipa::path(patch, path = "/api/auth/profile/", tag = "auth",
    request_body(content((ProfilePatchBody = "application/json"), (ProfilePatchForm = "multipart/form-data"))),
    responses((status = 200, body = UserProfileDto), (status = 400, description = "Field errors")))]
pub async fn patch_profile(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let (changes, picture) = ProfilePatchForm::parse(&body)?.into_parts();
    update_profile(&media, &state, &auth, changes, picture.as_ref()).await
}

#[derive(Serialize, ToSchema)]
struct EligibilityDto {
    can_become_seller: bool,
    current_role: &'static str,
    has_seller_profile: bool,
    message: &'static str,
}

/// Whether the caller can upgrade to seller.
#[utoipa::path(get, path = "/api/auth/become-seller/", tag = "auth", responses((status = 200, body = EligibilityDto)))]
pub async fn seller_eligibility(
    state: web::Data<AppState>,
    CurrentUser(auth): CurrentUser,
) -> Result<HttpResponse, ApiError> {
    let e = state.accounts.seller_eligibility(&auth.user).await?;
    Ok(HttpResponse::Ok().json(EligibilityDto {
        can_become_seller: e.can_become_seller,
        current_role: e.current_role.as_str(),
        has_seller_profile: e.has_seller_profile,
        message: if e.can_become_seller {
            "You can upgrade to seller"
        } else {
            "You already have seller capabilities or a seller profile"
        },
    }))
}

#[derive(Serialize, ToSchema)]
struct BecameSellerDto {
    message: &'static str,
    user: UserDto,
    seller_profile: SellerProfileDto,
}

/// Adds selling to a buyer's account and creates the seller profile.
#[utoipa::path(post, path = "/api/auth/become-seller/", tag = "auth",
    request_body = Option<crate::routes::community::seller_profiles::SellerProfileBody>,
    responses((status = 201, body = BecameSellerDto), (status = 400, description = "Already a seller, profile exists, or bad address")))]
pub async fn become_seller(
    state: web::Data<AppState>,
    ActiveUser(auth): ActiveUser,
    body: Body,
    media: Media,
) -> Result<HttpResponse, ApiError> {
    let application = SellerApplication::from(SellerProfileBody::parse(&body)?);
    let (user, profile) = state
        .accounts
        .become_seller(state.addresses.store(), &auth.user, application)
        .await?;
    Ok(HttpResponse::Created().json(BecameSellerDto {
        message: "Successfully upgraded to seller",
        user: UserDto::new(&user, &media),
        seller_profile: SellerProfileDto::from(&profile),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use madeinpk_domain::validation::NON_FIELD;

    #[test]
    fn parse_errors_win_and_domain_errors_fill_the_rest() {
        let parse = FieldErrors::single("email", "This field is required.");
        let mut domain = FieldErrors::single("email", "This field may not be blank.");
        domain.add("username", "Enter a valid username.");
        domain.add(NON_FIELD, "Passwords do not match");
        let merged = with_domain_errors(parse, domain);
        assert_eq!(merged.get("email").unwrap(), ["This field is required."]);
        assert_eq!(merged.get("username").unwrap(), ["Enter a valid username."]);
        assert!(merged.get(NON_FIELD).is_none());
    }
}
