//! The payment port over the real Stripe API (async-stripe 1.0): Checkout Sessions, transfers
//! with `source_transaction`, refunds, transfer reversals, Express accounts and onboarding links.
//! Every mutating call carries a deterministic idempotency key from the caller; 429, 5xx and
//! network failures are retried a few times under the same key (longer outages are retried by the
//! job queue, again with the same key).

use std::collections::HashMap;
use std::time::Duration;

use std::str::FromStr;

use madeinpk_domain::order::payment::{
    AccountRequest, PaymentError, PaymentSession, ProviderAmount, RefundCall, ReversalCall,
    SessionRequest, Settlement, TransferRequest,
};
use madeinpk_domain::order::ports::PaymentGateway;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_checkout::CheckoutSessionMode;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionLineItemsPriceData,
    CreateCheckoutSessionPaymentIntentData, ProductData,
};
use stripe_connect::AccountBusinessType;
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers,
    CreateAccountType, TosAcceptanceSpecs,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::login_link::CreateAccountLoginLink;
use stripe_connect::transfer::CreateTransfer;
use stripe_connect::transfer_reversal::CreateIdTransferReversal;
use stripe_core::charge::RetrieveCharge;
use stripe_core::payment_intent::RetrievePaymentIntent;
use stripe_core::refund::CreateRefund;
use stripe_types::{Currency, Expandable};

/// Attempts per call before the failure goes back to the caller.
const ATTEMPTS: u32 = 3;

/// Stripe opens Checkout Sessions for 30 minutes to 24 hours. A deadline closer than that
/// (the default 30-minute window) is moved to the nearest time Stripe accepts, measured from
/// the order's creation (a moment before the first call) with a little slack for clock skew;
/// the order then takes the session's expiry as its deadline. It depends on the stored order
/// only, so every retry and every replay of the checkout sends the same request under the same
/// key (Stripe refuses a key reused with other parameters).
fn session_expiry(wanted: i64, created: i64) -> i64 {
    const SLACK: i64 = 60;
    wanted.clamp(created + 30 * 60 + SLACK, created + 24 * 3600 - SLACK)
}

/// Where Stripe sends the buyer and the seller back to.
#[derive(Debug, Clone)]
pub struct StripeSettings {
    /// `STRIPE_SECRET_KEY`.
    pub secret_key: String,
    /// The API base (Stripe's unless a test points it at a stub).
    pub api_base: Option<String>,
    /// The app's public address (success page, onboarding return pages).
    pub public_base_url: String,
    /// The front end (cancel page, seller settings).
    pub frontend_url: String,
    /// Country of new Express accounts.
    pub country: String,
}

/// The Stripe gateway.
#[derive(Clone)]
pub struct StripeGateway {
    client: Client,
    settings: StripeSettings,
}

impl std::fmt::Debug for StripeGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeGateway")
            .field("api_base", &self.settings.api_base)
            .finish_non_exhaustive()
    }
}

fn classify(e: &StripeError) -> PaymentError {
    match e {
        StripeError::Stripe(err, status) => {
            let message = err
                .message
                .clone()
                .unwrap_or_else(|| format!("Stripe answered {status}"));
            if matches!(*status, 409 | 424 | 429 | 500..=599) {
                PaymentError::Unavailable(message)
            } else {
                PaymentError::Refused(message)
            }
        }
        // A network failure, or a non-Stripe error body (a proxy's 502 page): the outcome is
        // unknown, so retry under the same key.
        StripeError::ClientError(m) | StripeError::JSONDeserialize(m) => {
            PaymentError::Unavailable(m.clone())
        }
        StripeError::Timeout => PaymentError::Unavailable("Stripe did not answer in time".into()),
        StripeError::ConfigError(m) => PaymentError::Refused(m.clone()),
    }
}

fn key(k: &str) -> Result<RequestStrategy, PaymentError> {
    IdempotencyKey::new(k)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| PaymentError::Refused(format!("idempotency key: {e:?}")))
}

fn metadata(pairs: &[(&str, String)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

/// Sends `request` (under one idempotency key when it changes something), retrying transient
/// failures with short backoff.
async fn send<R>(
    client: &Client,
    request: &R,
    idempotency_key: Option<&str>,
) -> Result<R::Output, PaymentError>
where
    R: StripeRequest + Sync,
    R::Output: miniserde::Deserialize,
{
    let mut last = PaymentError::Unavailable("not sent".into());
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
        }
        let strategy = match idempotency_key {
            Some(k) => key(k)?,
            None => RequestStrategy::Once,
        };
        match request
            .customize()
            .request_strategy(strategy)
            .send(client)
            .await
        {
            Ok(out) => return Ok(out),
            Err(e) => {
                last = classify(&e);
                if !last.is_transient() {
                    return Err(last);
                }
            }
        }
    }
    Err(last)
}

impl StripeGateway {
    /// A client for the API at `settings.api_base` (Stripe's by default).
    pub fn new(settings: StripeSettings) -> Result<Self, String> {
        let mut builder =
            ClientBuilder::new(settings.secret_key.clone()).timeout(Duration::from_secs(20));
        if let Some(base) = &settings.api_base {
            builder = builder.url(base.clone());
        }
        let client = builder
            .build()
            .map_err(|e| format!("Stripe client: {e:?}"))?;
        Ok(Self { client, settings })
    }
}

impl PaymentGateway for StripeGateway {
    async fn create_session(
        &self,
        request: SessionRequest,
    ) -> Result<PaymentSession, PaymentError> {
        let mut meta = vec![
            ("order_id", request.order_id.to_string()),
            ("order_number", request.order_number.clone()),
            ("buyer_id", request.buyer.to_string()),
            ("order_type", request.order_type.as_str().to_owned()),
        ];
        if let Some(seller) = request.seller {
            meta.push(("seller_id", seller.to_string()));
        }
        // From the stored order alone: a replay sends Stripe identical parameters.
        let expires_at = session_expiry(
            request.expires_at.timestamp(),
            request.created_at.timestamp(),
        );
        let mut price = CreateCheckoutSessionLineItemsPriceData::new(Currency::PKR);
        price.unit_amount = Some(request.amount.minor());
        let mut product = ProductData::new(format!("Order {}", request.order_number));
        product.description = Some(request.description.clone()).filter(|d| !d.is_empty());
        price.product_data = Some(product);
        let mut item = CreateCheckoutSessionLineItems::new();
        item.price_data = Some(price);
        item.quantity = Some(1);
        let mut intent = CreateCheckoutSessionPaymentIntentData::new();
        intent.transfer_group = Some(request.order_number.clone());
        intent.metadata = Some(metadata(&meta));
        let create = CreateCheckoutSession::new()
            .mode(CheckoutSessionMode::Payment)
            .line_items(vec![item])
            .metadata(metadata(&meta))
            .payment_intent_data(intent)
            .expires_at(expires_at)
            .success_url(format!(
                "{}/api/payments/success/?order_id={}&session_id={{CHECKOUT_SESSION_ID}}",
                self.settings.public_base_url, request.order_id
            ))
            .cancel_url(format!(
                "{}/checkout?cancelled=true",
                self.settings.frontend_url
            ));
        let session = send(
            &self.client,
            &create,
            Some(&format!("checkout:{}", request.order_id)),
        )
        .await?;
        let url = session.url.clone().ok_or_else(|| {
            PaymentError::Refused("Stripe returned a session without a URL".into())
        })?;
        Ok(PaymentSession {
            id: session.id.to_string(),
            url,
            expires_at: (session.expires_at != request.expires_at.timestamp())
                .then(|| chrono::DateTime::from_timestamp(session.expires_at, 0))
                .flatten(),
        })
    }

    async fn transfer(&self, request: TransferRequest) -> Result<String, PaymentError> {
        let destination = request
            .destination
            .clone()
            .ok_or_else(|| PaymentError::Refused("the seller has no payout account".into()))?;
        let currency = Currency::from_str(&request.amount.currency).unwrap_or(Currency::PKR);
        let mut create = CreateTransfer::new(currency, destination)
            .amount(request.amount.minor)
            .transfer_group(request.transfer_group.clone())
            .metadata(metadata(&[(
                "order_number",
                request.transfer_group.clone(),
            )]));
        if let Some(charge) = &request.source_transaction {
            create = create.source_transaction(charge.clone());
        }
        let transfer = send(&self.client, &create, Some(&request.idempotency_key)).await?;
        Ok(transfer.id.to_string())
    }

    async fn settlement(
        &self,
        payment_intent: Option<String>,
        charge: Option<String>,
    ) -> Result<Settlement, PaymentError> {
        // Reads change nothing, so they go without an idempotency key.
        let charge = if let Some(id) = charge {
            let retrieve =
                RetrieveCharge::new(id.as_str()).expand(vec!["balance_transaction".to_owned()]);
            Some(send(&self.client, &retrieve, None).await?)
        } else if let Some(id) = payment_intent {
            let retrieve = RetrievePaymentIntent::new(id.as_str())
                .expand(vec!["latest_charge.balance_transaction".to_owned()]);
            let intent = send(&self.client, &retrieve, None).await?;
            match intent.latest_charge {
                Some(Expandable::Object(c)) => Some(*c),
                // Not expanded (an older API answer): the id alone, settlement unknown.
                Some(Expandable::Id(id)) => {
                    return Ok(Settlement {
                        charge: Some(id.to_string()),
                        settled: None,
                    });
                }
                None => None,
            }
        } else {
            None
        };
        Ok(Settlement {
            charge: charge.as_ref().map(|c| c.id.to_string()),
            settled: charge
                .and_then(|c| c.balance_transaction)
                .and_then(Expandable::into_object)
                .map(|b| ProviderAmount {
                    minor: b.amount,
                    currency: b.currency.to_string(),
                }),
        })
    }

    async fn login_link(&self, account_id: String) -> Result<String, PaymentError> {
        let create = CreateAccountLoginLink::new(account_id.as_str());
        // Links are single-use: a fresh key each time.
        let nonce = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let link = send(
            &self.client,
            &create,
            Some(&format!("login:{account_id}:{nonce}")),
        )
        .await?;
        Ok(link.url)
    }

    async fn create_account(&self, request: AccountRequest) -> Result<String, PaymentError> {
        let mut capabilities = CreateAccountCapabilities::new();
        capabilities.transfers = Some(CreateAccountCapabilitiesTransfers {
            requested: Some(true),
        });
        let mut tos = TosAcceptanceSpecs::new();
        tos.service_agreement = Some("recipient".into());
        let create = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .country(self.settings.country.clone())
            .email(request.email.clone())
            .business_type(AccountBusinessType::Individual)
            .capabilities(capabilities)
            .tos_acceptance(tos)
            .metadata(metadata(&[
                ("user_id", request.user.to_string()),
                ("username", request.username.clone()),
            ]));
        let account = send(
            &self.client,
            &create,
            Some(&format!("account:{}", request.user)),
        )
        .await?;
        Ok(account.id.to_string())
    }

    async fn onboarding_link(&self, account_id: String) -> Result<String, PaymentError> {
        let create =
            CreateAccountLink::new(account_id.clone(), CreateAccountLinkType::AccountOnboarding)
                .refresh_url(format!(
                    "{}/seller/settings?stripe_setup=refresh",
                    self.settings.frontend_url
                ))
                .return_url(format!(
                    "{}/seller/settings?stripe_setup=success",
                    self.settings.frontend_url
                ));
        // Links are single-use and short-lived: a fresh key each time.
        let nonce = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let link = send(
            &self.client,
            &create,
            Some(&format!("link:{account_id}:{nonce}")),
        )
        .await?;
        Ok(link.url)
    }

    async fn refund(&self, request: RefundCall) -> Result<String, PaymentError> {
        let intent = request
            .payment_intent
            .clone()
            .ok_or_else(|| PaymentError::Refused("the order has no payment intent".into()))?;
        let create = CreateRefund::new()
            .payment_intent(intent)
            .amount(request.amount.minor());
        let refund = send(&self.client, &create, Some(&request.idempotency_key)).await?;
        Ok(refund.id.to_string())
    }

    async fn reverse_transfer(&self, request: ReversalCall) -> Result<String, PaymentError> {
        let create =
            CreateIdTransferReversal::new(request.transfer_id.clone()).amount(request.amount.minor);
        let reversal = send(&self.client, &create, Some(&request.idempotency_key)).await?;
        Ok(reversal.id.to_string())
    }
}
