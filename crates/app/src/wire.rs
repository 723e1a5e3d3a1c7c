//! Wire types every feature shares: media URLs, the `{"message"}` answer, the page envelope
//! and its parameters, and the request value types (money, uploads).

use madeinpk_domain::page::DEFAULT_PAGE_SIZE;
use serde::Serialize;
use utoipa::ToSchema;

/// Media URLs: relative for storage paths, absolute (on the origin the client used) for `*_url`
/// fields and product images. An extractor, so every handler builds them the same way.
#[derive(Debug, Clone)]
pub struct Media {
    /// `scheme://host` of the request.
    pub base_url: String,
}

impl Media {
    /// `/media/{path}`.
    pub fn relative(&self, path: &str) -> String {
        format!("/media/{}", path.trim_start_matches('/'))
    }

    /// `{origin}/media/{path}`.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{}", self.base_url, self.relative(path))
    }
}

impl actix_web::FromRequest for Media {
    type Error = std::convert::Infallible;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let base_url = req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .map_or_else(String::new, |s| crate::client::origin(req, &s.config));
        std::future::ready(Ok(Self { base_url }))
    }
}

/// `{"message": text}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageDto {
    /// The message.
    pub message: &'static str,
}

/// The list envelope of every paginated collection (page-number pagination, 20 rows a page by
/// default), as `query::paginate` renders it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// Rows on all pages.
    pub count: i64,
    /// Absolute URL of the next page (the other query parameters kept), or null on the last.
    #[schema(required = true)]
    pub next: Option<String>,
    /// Absolute URL of the previous page (page 1 drops `page`), or null on the first.
    #[schema(required = true)]
    pub previous: Option<String>,
    /// This page's rows.
    pub results: Vec<T>,
}

/// `?page=N|last&page_size=M` of every paginated collection, as `query::paginate` reads them.
#[derive(Debug, Clone, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// 1-based page number, or `last`; 0, a page past the end or anything else is 404
    /// `{"detail": "Invalid page."}`.
    #[param(inline)]
    page: Option<PageNumber>,
    /// Rows per page: 20 by default, at most 100 (larger values are capped, unreadable ones
    /// ignored).
    #[param(minimum = 1)]
    page_size: Option<u32>,
}

impl PageParams {
    /// The parameters as read (`query::page_params` reads them from a query string).
    pub fn new(page: Option<PageNumber>, page_size: Option<u32>) -> Self {
        Self { page, page_size }
    }

    /// The requested page: the first when none is given.
    pub fn page(&self) -> PageNumber {
        self.page.unwrap_or(PageNumber::Number(1))
    }

    /// Rows per page: the default when none (or an unreadable one) is given.
    pub fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }
}

/// A page number (integer ≥ 1) or `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageNumber {
    /// A 1-based page number.
    Number(u32),
    /// The last page.
    Last,
}

impl utoipa::PartialSchema for PageNumber {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1)),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["last"])),
            )
            .description(Some("A page number (integer ≥ 1) or `last`."))
            .into()
    }
}

impl ToSchema for PageNumber {}

/// A money amount in a request body: a decimal string such as `"1500.00"`, or a JSON number;
/// at most two decimal places and ten digits in all.
pub struct MoneyInput;

impl utoipa::PartialSchema for MoneyInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Type};
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^[0-9]{1,8}(\.[0-9]{1,2})?$"))
                    .examples([serde_json::json!("1500.00")]),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .examples([serde_json::json!(1500)]),
            )
            .description(Some(
                "A decimal string such as `\"1500.00\"`, or a JSON number; at most 2 decimal \
                 places and 10 digits in all.",
            ))
            .into()
    }
}

impl ToSchema for MoneyInput {}

/// A file part of a multipart upload.
pub struct FileUpload;

impl utoipa::PartialSchema for FileUpload {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .content_media_type("application/octet-stream")
            .description(Some("A file (multipart/form-data)."))
            .into()
    }
}

impl ToSchema for FileUpload {}
