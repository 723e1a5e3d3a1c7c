//! The one place domain errors become HTTP responses, in the contract's three shapes:
//! `{field: [msg]}` for validation, `{"error": msg}` for business refusals, `{"detail": msg}`
//! for framework-level ones.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use madeinpk_domain::account::address::AddressError;
use madeinpk_domain::account::rules::AccountError;
use madeinpk_domain::catalog::product::CatalogError;
use madeinpk_domain::catalog::reference::ReferenceError;
use madeinpk_domain::job::model::OperationsError;
use madeinpk_domain::order::cart::CartError;
use madeinpk_domain::order::connect_service::ConnectError;
use madeinpk_domain::order::model::OrderError;
use madeinpk_domain::store::StoreError;
use madeinpk_domain::validation::FieldErrors;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// A business refusal.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Error, example = json!({"error": "Auction is not active"}))]
pub struct ErrorBody {
    /// What was refused, in the contract's words.
    pub error: String,
}

/// A framework-level refusal (authentication, parsing, routing, limits).
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Detail, example = json!({"detail": "Authentication credentials were not provided."}))]
pub struct DetailBody {
    /// Why, in the contract's words.
    pub detail: String,
}

/// Every error a handler can return.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `{field: [msg]}`.
    #[error("validation failed: {0}")]
    Validation(FieldErrors),
    /// `{"error": msg}` with a status.
    #[error("{1}")]
    Refused(StatusCode, String),
    /// `{"detail": msg}` with a status.
    #[error("{1}")]
    Detail(StatusCode, String),
    /// 401 without credentials.
    #[error("Authentication credentials were not provided.")]
    NotAuthenticated,
    /// 429 with `Retry-After`.
    #[error("throttled for {0} s")]
    Throttled(u64),
    /// Any JSON body with a status (nested field errors such as `{"images": {"0": [...]}}`).
    #[error("{0}: {1}")]
    Body(StatusCode, serde_json::Value),
    /// 503: storage is down; never the client's fault, never a stack trace.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// 500: a fault of ours (a SQL bug, say). Logged with an error id the answer carries, so a
    /// report can be matched to the log; no `Retry-After`, since retrying would not help.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// 404 `{"detail": "Not found."}`.
    pub fn not_found() -> Self {
        Self::Detail(StatusCode::NOT_FOUND, "Not found.".into())
    }

    /// 404 `{"detail": "No {Model} matches the given query."}`.
    pub fn no_match(model: &str) -> Self {
        Self::Detail(
            StatusCode::NOT_FOUND,
            format!("No {model} matches the given query."),
        )
    }

    /// 403 `{"detail": "You do not have permission to perform this action."}`.
    pub fn forbidden() -> Self {
        Self::Detail(
            StatusCode::FORBIDDEN,
            "You do not have permission to perform this action.".into(),
        )
    }

    /// 403 `{"error": "Your account is blocked"}`.
    pub fn blocked() -> Self {
        Self::Refused(StatusCode::FORBIDDEN, "Your account is blocked".into())
    }

    /// 400 `{"detail": msg}`.
    pub fn bad_request(msg: impl Into<String>) -> Self {
        Self::Detail(StatusCode::BAD_REQUEST, msg.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Validation(_) => StatusCode::BAD_REQUEST,
            Self::Refused(s, _) | Self::Detail(s, _) | Self::Body(s, _) => *s,
            Self::NotAuthenticated => StatusCode::UNAUTHORIZED,
            Self::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        match self {
            Self::Validation(errors) => res.json(errors),
            Self::Refused(_, msg) => res.json(ErrorBody { error: msg.clone() }),
            Self::Body(_, body) => res.json(body),
            Self::Detail(status, msg) => {
                if *status == StatusCode::UNAUTHORIZED {
                    res.insert_header((
                        header::WWW_AUTHENTICATE,
                        HeaderValue::from_static("Token"),
                    ));
                }
                res.json(DetailBody {
                    detail: msg.clone(),
                })
            }
            Self::NotAuthenticated => res
                .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Token")))
                .json(DetailBody {
                    detail: "Authentication credentials were not provided.".into(),
                }),
            Self::Throttled(secs) => res
                .insert_header((header::RETRY_AFTER, secs.to_string()))
                .json(DetailBody {
                    detail: format!("Request was throttled. Expected available in {secs} seconds."),
                }),
            Self::Unavailable(reason) => {
                tracing::error!(%reason, "storage unavailable");
                res.insert_header((header::RETRY_AFTER, "5"))
                    .json(DetailBody {
                        detail: "Service temporarily unavailable, please retry shortly.".into(),
                    })
            }
            Self::Internal(reason) => {
                let error_id = hex::encode(rand::random::<[u8; 8]>());
                tracing::error!(%error_id, %reason, "internal error");
                res.json(json!({ "error": "Internal server error", "error_id": error_id }))
            }
        }
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::Validation(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(reason) => {
                tracing::info!(%reason, "write refused by a constraint");
                Self::Refused(
                    StatusCode::CONFLICT,
                    "The request conflicts with a concurrent change; reload and try again.".into(),
                )
            }
            StoreError::Unavailable(reason) => Self::Unavailable(reason),
            StoreError::Other(reason) => Self::Internal(reason),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::Validation(f) => Self::Validation(f),
            AccountError::InvalidCredentials => {
                Self::Refused(StatusCode::UNAUTHORIZED, "Invalid credentials".into())
            }
            AccountError::Blocked => Self::blocked(),
            AccountError::Throttled { retry_after_secs } => Self::Throttled(retry_after_secs),
            AccountError::NotFound => Self::not_found(),
            AccountError::Store(s) => s.into(),
        }
    }
}

impl From<AddressError> for ApiError {
    fn from(e: AddressError) -> Self {
        match e {
            AddressError::NotFound => Self::no_match("Address"),
            AddressError::Validation(f) => Self::Validation(f),
            AddressError::InUse => Self::Refused(StatusCode::CONFLICT, e.to_string()),
            AddressError::Store(s) => s.into(),
        }
    }
}

impl From<ReferenceError> for ApiError {
    fn from(e: ReferenceError) -> Self {
        match e {
            ReferenceError::NotFound(model) => Self::no_match(model),
            ReferenceError::Validation(f) => Self::Validation(f),
            ReferenceError::Forbidden => Self::forbidden(),
            ReferenceError::InUse(msg) => Self::Refused(StatusCode::CONFLICT, msg),
            ReferenceError::Store(s) => s.into(),
        }
    }
}

impl From<OperationsError> for ApiError {
    fn from(e: OperationsError) -> Self {
        match e {
            OperationsError::Forbidden => Self::forbidden(),
            OperationsError::NotFound => Self::no_match("Job"),
            OperationsError::NotDead => Self::Refused(StatusCode::CONFLICT, e.to_string()),
            OperationsError::Store(s) => s.into(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::NotFound(model) => Self::no_match(model),
            CatalogError::Validation(f) => Self::Validation(f),
            CatalogError::Rejected(msg) => Self::Refused(StatusCode::BAD_REQUEST, msg),
            CatalogError::Forbidden(msg) => Self::Refused(StatusCode::FORBIDDEN, msg),
            CatalogError::ImageNotFound => Self::Refused(StatusCode::NOT_FOUND, e.to_string()),
            // The contract answers these with a bare list (`["msg"]`), as the original did.
            CatalogError::NotAuthor(msg) | CatalogError::NotASeller(msg) => {
                Self::Body(StatusCode::FORBIDDEN, json!([msg]))
            }
            CatalogError::ProfileExists => {
                Self::Body(StatusCode::BAD_REQUEST, json!([e.to_string()]))
            }
            CatalogError::InUse(msg) => Self::Refused(StatusCode::CONFLICT, msg),
            CatalogError::Store(s) => s.into(),
        }
    }
}

impl From<CartError> for ApiError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::ItemNotFound => Self::Refused(StatusCode::NOT_FOUND, e.to_string()),
            CartError::Validation(f) => Self::Validation(f),
            CartError::Rejected(msg) => Self::Refused(StatusCode::BAD_REQUEST, msg),
            CartError::Store(s) => s.into(),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::NotFound => Self::no_match("Order"),
            OrderError::ListingNotFound => Self::no_match("FixedPriceListing"),
            OrderError::Validation(f) => Self::Validation(f),
            OrderError::Rejected(msg) => Self::Refused(StatusCode::BAD_REQUEST, msg),
            OrderError::Forbidden(msg) => Self::Refused(StatusCode::FORBIDDEN, msg),
            OrderError::Blocked => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
            OrderError::OrderMissing | OrderError::PaymentMissing => {
                Self::Refused(StatusCode::NOT_FOUND, e.to_string())
            }
            OrderError::Illegal(msg) => Self::Refused(StatusCode::CONFLICT, msg),
            // The provider failed, not the client: 502 with the contract's message.
            OrderError::Gateway(_) => Self::Refused(StatusCode::BAD_GATEWAY, e.to_string()),
            OrderError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::auction::bid::BidError> for ApiError {
    fn from(e: madeinpk_domain::auction::bid::BidError) -> Self {
        use madeinpk_domain::auction::bid::BidError;
        match e {
            BidError::NotFound => Self::Detail(
                StatusCode::NOT_FOUND,
                "No AuctionListing matches the given query.".into(),
            ),
            BidError::Unauthenticated => Self::NotAuthenticated,
            BidError::Blocked => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
            BidError::NotActive | BidError::OwnAuction => {
                Self::Refused(StatusCode::BAD_REQUEST, e.to_string())
            }
            BidError::TooLow { .. } => Self::Validation(FieldErrors::single(
                "amount",
                e.amount_message().unwrap_or_default(),
            )),
            BidError::Invalid(fields) => Self::Validation(fields),
            BidError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::account::moderation::ModerationError> for ApiError {
    fn from(e: madeinpk_domain::account::moderation::ModerationError) -> Self {
        use madeinpk_domain::account::moderation::ModerationError;
        match e {
            ModerationError::NotAdmin => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
            ModerationError::NotFound => Self::Refused(StatusCode::NOT_FOUND, e.to_string()),
            ModerationError::Protected => Self::Refused(StatusCode::BAD_REQUEST, e.to_string()),
            ModerationError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::community::complaint::ComplaintError> for ApiError {
    fn from(e: madeinpk_domain::community::complaint::ComplaintError) -> Self {
        use madeinpk_domain::community::complaint::ComplaintError;
        match e {
            ComplaintError::NotFound => Self::no_match("Complaint"),
            ComplaintError::Validation(f) => Self::Validation(f),
            ComplaintError::Final => Self::Refused(StatusCode::BAD_REQUEST, e.to_string()),
            ComplaintError::NotAdmin => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
            ComplaintError::Illegal(..) => Self::Refused(StatusCode::CONFLICT, e.to_string()),
            ComplaintError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::community::conversation::ConversationError> for ApiError {
    fn from(e: madeinpk_domain::community::conversation::ConversationError) -> Self {
        use madeinpk_domain::community::conversation::ConversationError;
        match e {
            ConversationError::NotFound => Self::no_match("Conversation"),
            ConversationError::Validation(f) => Self::Validation(f),
            ConversationError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::notification::model::NotificationError> for ApiError {
    fn from(e: madeinpk_domain::notification::model::NotificationError) -> Self {
        use madeinpk_domain::notification::model::NotificationError;
        match e {
            NotificationError::NotFound => Self::no_match("Notification"),
            NotificationError::Store(s) => s.into(),
        }
    }
}

impl From<madeinpk_domain::community::feedback::FeedbackError> for ApiError {
    fn from(e: madeinpk_domain::community::feedback::FeedbackError) -> Self {
        use madeinpk_domain::community::feedback::FeedbackError;
        match e {
            FeedbackError::NotFound => Self::no_match("Feedback"),
            FeedbackError::OrderNotFound
            | FeedbackError::NotAuction
            | FeedbackError::NotShipped
            | FeedbackError::AlreadySubmitted
            | FeedbackError::SellerIdRequired => {
                Self::Refused(StatusCode::BAD_REQUEST, e.to_string())
            }
            FeedbackError::Validation(f) => Self::Validation(f),
            FeedbackError::Store(s) => s.into(),
        }
    }
}

impl From<ConnectError> for ApiError {
    fn from(e: ConnectError) -> Self {
        match e {
            ConnectError::NotSeller => Self::Refused(StatusCode::FORBIDDEN, e.to_string()),
            ConnectError::AlreadyExists(account) => Self::Body(
                StatusCode::BAD_REQUEST,
                json!({ "error": "Stripe account already exists", "account_id": account }),
            ),
            ConnectError::NoAccount => Self::Body(
                StatusCode::NOT_FOUND,
                json!({ "has_account": false, "message": e.to_string() }),
            ),
            ConnectError::NotOnboarded => Self::Refused(StatusCode::BAD_REQUEST, e.to_string()),
            ConnectError::Gateway(_) => Self::Refused(StatusCode::BAD_GATEWAY, e.to_string()),
            ConnectError::Store(s) => s.into(),
        }
    }
}
