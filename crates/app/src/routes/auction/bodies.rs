//! What the auction endpoints parse: the status filter, the create, replace and patch bodies
//! (JSON or multipart), and bids.

use madeinpk_domain::auction::model::{AuctionInput, AuctionStatus};
use madeinpk_domain::catalog::product::{ImageUpload, ProductInput};
use madeinpk_domain::ids::{CategoryId, ProductId};
use madeinpk_domain::money::{Currency, Money};
use madeinpk_domain::validation::FieldErrors;

use crate::body::{Body, Fields, Need};
use crate::error::ApiError;
use crate::query::QueryMap;
use crate::routes::catalog::product_params::{ConditionParam, image_uploads};
use crate::state::AppState;
use crate::wire::{FileUpload, MoneyInput};

/// An auction status.
#[derive(Clone, Copy, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub(super) enum AuctionStatusParam {
    Active,
    Ended,
    Cancelled,
    Completed,
}

impl AuctionStatusParam {
    /// `?status=`: none when absent or empty; an unknown value is a 400 naming the parameter.
    pub(super) fn parse(q: &QueryMap) -> Result<Option<Self>, ApiError> {
        q.choice("status", |v| AuctionStatus::parse(v).map(Self::from))
    }
}

impl From<AuctionStatus> for AuctionStatusParam {
    fn from(s: AuctionStatus) -> Self {
        match s {
            AuctionStatus::Active => Self::Active,
            AuctionStatus::Ended => Self::Ended,
            AuctionStatus::Cancelled => Self::Cancelled,
            AuctionStatus::Completed => Self::Completed,
        }
    }
}

impl From<AuctionStatusParam> for AuctionStatus {
    fn from(s: AuctionStatusParam) -> Self {
        match s {
            AuctionStatusParam::Active => Self::Active,
            AuctionStatusParam::Ended => Self::Ended,
            AuctionStatusParam::Cancelled => Self::Cancelled,
            AuctionStatusParam::Completed => Self::Completed,
        }
    }
}

/// `POST auctions/` as JSON: `product_id` for an existing product, or the product fields
/// (name, description, category, condition) to create one with it.
#[derive(utoipa::ToSchema)]
pub(super) struct AuctionCreateBody {
    /// An existing product of the caller's; 0 or null means "create the product too".
    product_id: Option<i64>,
    /// The new product's name (without `product_id`).
    #[schema(nullable = false, max_length = 255)]
    #[schema(examples("Ajrak shawl"))]
    name: Option<String>,
    /// The new product's description (without `product_id`).
    #[schema(nullable = false)]
    #[schema(examples("Block-printed in Sindh."))]
    description: Option<String>,
    /// The new product's Category id (without `product_id`).
    #[schema(examples(1))]
    category: Option<i64>,
    /// The new product's condition (without `product_id`).
    // As sent: the service judges the choice.
    #[schema(value_type = Option<ConditionParam>, nullable = false)]
    #[schema(examples("new"))]
    condition: Option<String>,
    /// At least 0.01.
    #[schema(value_type = MoneyInput)]
    starting_price: Money,
    /// The lowest price that sells; null for none.
    #[schema(value_type = Option<MoneyInput>)]
    reserve_price: Option<Option<Money>>,
    /// At most `AUCTION_MAX_START_DAYS` (default 30) days from now.
    // None when null (or a blank form value) was sent: the service then says it is required.
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    #[schema(examples("2026-01-01T00:00:00Z"))]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    /// After `start_time` and in the future; at most `AUCTION_MAX_DAYS` (default 30) after the
    /// later of `start_time` and now.
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    #[schema(examples("2026-01-31T00:00:00Z"))]
    end_time: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuctionCreateBody {
    /// Reads a new auction: the product fields, all optional, then the price and window
    /// (`starting_price`, `start_time` and `end_time` required).
    pub(super) fn parse(body: &Body) -> Result<Self, ApiError> {
        let mut f = body.read();
        // 0 or absent means "create the product too".
        let product_id = f
            .pk("product_id", Need::Optional, true)
            .flatten()
            .filter(|id| *id != 0);
        let name = f.string("name", Need::Optional);
        let description = f.string("description", Need::Optional);
        let category = match body.fields.get("category") {
            None | Some(serde_json::Value::Null) => None,
            Some(_) => f.int("category", Need::Optional),
        };
        let condition = f.string("condition", Need::Optional);
        let terms = AuctionPatchBody::read_from(body, &mut f, Need::Required);
        f.finish()?;
        Ok(Self {
            product_id,
            name,
            description,
            category,
            condition,
            // `finish` refused a missing starting price, so the default is never used.
            starting_price: terms.starting_price.unwrap_or(Money::zero(Currency::Pkr)),
            reserve_price: terms.reserve_price,
            start_time: terms.start_time,
            end_time: terms.end_time,
        })
    }
}

impl From<AuctionCreateBody> for AuctionInput {
    fn from(b: AuctionCreateBody) -> Self {
        Self {
            product_id: b.product_id.map(ProductId),
            product: ProductInput {
                name: b.name,
                description: b.description,
                category: b.category.map(|c| Some(CategoryId(c))),
                condition: b.condition,
            },
            starting_price: Some(b.starting_price),
            reserve_price: b.reserve_price,
            start_time: b.start_time,
            end_time: b.end_time,
        }
    }
}

/// `POST auctions/` as multipart, with the new product's images.
#[derive(utoipa::ToSchema)]
pub(super) struct AuctionCreateForm {
    /// An existing product of the caller's; 0 or `""` means "create the product too".
    #[schema(nullable = false)]
    product_id: Option<i64>,
    #[schema(nullable = false, max_length = 255)]
    name: Option<String>,
    #[schema(nullable = false)]
    description: Option<String>,
    #[schema(nullable = false)]
    category: Option<i64>,
    #[schema(value_type = Option<ConditionParam>, nullable = false)]
    condition: Option<String>,
    #[schema(value_type = MoneyInput)]
    starting_price: Money,
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    reserve_price: Option<Option<Money>>,
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    end_time: Option<chrono::DateTime<chrono::Utc>>,
    /// Image files, the key repeated per file; the first becomes primary.
    #[schema(value_type = Option<Vec<FileUpload>>, nullable = false)]
    images: Vec<ImageUpload>,
}

impl AuctionCreateForm {
    /// Reads a new auction, multipart or JSON: the fields as [`AuctionCreateBody`], then the
    /// checked `images` (none from JSON).
    pub(super) async fn parse(state: &AppState, body: &Body) -> Result<Self, ApiError> {
        let AuctionCreateBody {
            product_id,
            name,
            description,
            category,
            condition,
            starting_price,
            reserve_price,
            start_time,
            end_time,
        } = AuctionCreateBody::parse(body)?;
        let images = image_uploads(state, body, "images").await?;
        Ok(Self {
            product_id,
            name,
            description,
            category,
            condition,
            starting_price,
            reserve_price,
            start_time,
            end_time,
            images,
        })
    }

    /// The auction's fields and the new product's images.
    pub(super) fn into_parts(self) -> (AuctionInput, Vec<ImageUpload>) {
        let fields = AuctionCreateBody {
            product_id: self.product_id,
            name: self.name,
            description: self.description,
            category: self.category,
            condition: self.condition,
            starting_price: self.starting_price,
            reserve_price: self.reserve_price,
            start_time: self.start_time,
            end_time: self.end_time,
        };
        (fields.into(), self.images)
    }
}

/// `PUT auctions/{id}/`: the price and window.
#[derive(utoipa::ToSchema)]
pub(super) struct AuctionReplaceBody {
    #[schema(value_type = MoneyInput)]
    starting_price: Money,
    /// null removes it; absent keeps it.
    #[schema(value_type = Option<MoneyInput>)]
    reserve_price: Option<Option<Money>>,
    /// A changed window keeps the bounds of `POST auctions/`.
    // None when null (or a blank form value) was sent: the service then says it is required.
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    #[schema(examples("2026-01-01T00:00:00Z"))]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    #[schema(examples("2026-01-31T00:00:00Z"))]
    end_time: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuctionReplaceBody {
    /// Reads a full update: `starting_price`, `start_time` and `end_time` required.
    pub(super) fn parse(body: &Body) -> Result<Self, ApiError> {
        let patch = AuctionPatchBody::read(body, Need::Required)?;
        Ok(Self {
            // `read` refused a missing starting price, so the default is never used.
            starting_price: patch.starting_price.unwrap_or(Money::zero(Currency::Pkr)),
            reserve_price: patch.reserve_price,
            start_time: patch.start_time,
            end_time: patch.end_time,
        })
    }
}

impl From<AuctionReplaceBody> for AuctionInput {
    fn from(b: AuctionReplaceBody) -> Self {
        AuctionPatchBody {
            starting_price: Some(b.starting_price),
            reserve_price: b.reserve_price,
            start_time: b.start_time,
            end_time: b.end_time,
        }
        .into()
    }
}

/// `PATCH auctions/{id}/`: any subset.
#[derive(utoipa::ToSchema)]
pub(super) struct AuctionPatchBody {
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    starting_price: Option<Money>,
    /// null removes it.
    #[schema(value_type = Option<MoneyInput>)]
    reserve_price: Option<Option<Money>>,
    #[schema(nullable = false)]
    start_time: Option<chrono::DateTime<chrono::Utc>>,
    #[schema(nullable = false)]
    end_time: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuctionPatchBody {
    /// Reads the price and window fields, `starting_price`, `start_time` and `end_time` as
    /// `need` says (a null time reads as none).
    pub(super) fn read_from(body: &Body, f: &mut Fields<'_>, need: Need) -> Self {
        Self {
            starting_price: f.money("starting_price", need),
            reserve_price: match body.fields.get("reserve_price") {
                None => None,
                Some(serde_json::Value::Null) => Some(None),
                Some(_) => f.money("reserve_price", Need::Optional).map(Some),
            },
            start_time: f.datetime("start_time", need).flatten(),
            end_time: f.datetime("end_time", need).flatten(),
        }
    }

    /// Reads the body: the fields of [`AuctionPatchBody::read_from`], then any errors.
    pub(super) fn read(body: &Body, need: Need) -> Result<Self, ApiError> {
        let mut f = body.read();
        let patch = Self::read_from(body, &mut f, need);
        f.finish()?;
        Ok(patch)
    }
}

impl From<AuctionPatchBody> for AuctionInput {
    fn from(b: AuctionPatchBody) -> Self {
        Self {
            product_id: None,
            product: ProductInput::default(),
            starting_price: b.starting_price,
            reserve_price: b.reserve_price,
            start_time: b.start_time,
            end_time: b.end_time,
        }
    }
}

/// The body of `POST auctions/{id}/place_bid/`.
#[derive(utoipa::ToSchema)]
pub(super) struct BidBody {
    /// At least 0.01 and above the current price.
    #[schema(value_type = MoneyInput)]
    pub(super) amount: Money,
    /// A standing maximum for proxy bidding, at least `amount`; read only when proxy bidding
    /// is on.
    #[schema(value_type = Option<MoneyInput>, nullable = false)]
    pub(super) max_amount: Option<Money>,
}

impl BidBody {
    /// Reads the bid; `max_amount` only when `proxy` bidding is on. The field errors are for
    /// the service to report, after its auction checks.
    pub(super) fn parse(body: &Body, proxy: bool) -> Result<Self, FieldErrors> {
        let mut f = body.read();
        let amount = f.money("amount", Need::Required);
        if amount.is_some_and(|a| a.minor() < 1) {
            f.error(
                "amount",
                "Ensure this value is greater than or equal to 0.01.",
            );
        }
        // A standing maximum, read only when proxy bidding is on (the original has no such
        // field).
        let max_amount = if proxy {
            f.money("max_amount", Need::Optional)
        } else {
            None
        };
        if let (Some(max), Some(amount)) = (max_amount, amount)
            && max < amount
        {
            f.error(
                "max_amount",
                "Ensure this value is greater than or equal to the bid amount.",
            );
        }
        f.into_errors()?;
        Ok(Self {
            amount: amount.ok_or_else(FieldErrors::new)?,
            max_amount,
        })
    }
}
