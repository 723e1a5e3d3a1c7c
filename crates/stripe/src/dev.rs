//! The offline dev gateway: behaves like Stripe at the port without an account. Its checkout
//! page is served by the app (`/api/payments/dev/checkout/{session}/`), and paying or failing
//! there delivers a signed Stripe-shaped event to the app's webhook, so the same code runs as
//! with Stripe. Transfers succeed at once with an id derived from the idempotency key, so a
//! retry returns the same transfer.

use madeinpk_domain::order::payment::{
    AccountRequest, PaymentError, PaymentSession, RefundCall, ReversalCall, SessionRequest,
    Settlement, TransferRequest,
};
use madeinpk_domain::order::ports::PaymentGateway;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The offline gateway.
#[derive(Clone)]
pub struct DevGateway {
    base_url: String,
    /// Keys the links of its pages: a link nobody was given cannot be guessed.
    secret: String,
}

impl std::fmt::Debug for DevGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevGateway")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl DevGateway {
    /// A gateway whose pages live under `base_url` (the app's public address), their links
    /// keyed by `secret` (the same for every instance of an install).
    pub fn new(base_url: &str, secret: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// The unguessable key of a page about `subject` (an HMAC under the gateway's secret).
    pub fn link_key(&self, subject: &str) -> String {
        use hmac::{Hmac, Mac};
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).expect("any key length");
        mac.update(subject.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }

    /// Whether `key` is the key of `subject`'s page (in constant time).
    pub fn checks(&self, subject: &str, key: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.link_key(subject).as_bytes().ct_eq(key.as_bytes()))
    }

    /// The session id of an order: one per order (a retry gets the same one, as Stripe's
    /// idempotent creation), ending in a key nobody can guess from the order number.
    pub fn session_id(&self, order_number: &str) -> String {
        format!(
            "cs_dev_{}_{}",
            order_number.to_ascii_lowercase().replace('-', "_"),
            self.link_key(&format!("session:{order_number}"))
        )
    }
}

/// The dev payment intent of a session.
pub fn payment_intent(session: &str) -> String {
    session.replacen("cs_dev_", "pi_dev_", 1)
}

impl PaymentGateway for DevGateway {
    async fn create_session(
        &self,
        request: SessionRequest,
    ) -> Result<PaymentSession, PaymentError> {
        let id = self.session_id(&request.order_number);
        Ok(PaymentSession {
            url: format!("{}/api/payments/dev/checkout/{id}/", self.base_url),
            id,
            expires_at: None,
        })
    }

    async fn transfer(&self, request: TransferRequest) -> Result<String, PaymentError> {
        Ok(keyed_id("tr_dev", &request.idempotency_key))
    }

    async fn settlement(
        &self,
        payment_intent: Option<String>,
        charge: Option<String>,
    ) -> Result<Settlement, PaymentError> {
        // Dev charges settle in their own currency.
        Ok(Settlement {
            charge: charge
                .or_else(|| payment_intent.map(|pi| pi.replacen("pi_dev_", "ch_dev_", 1))),
            settled: None,
        })
    }

    async fn login_link(&self, account_id: String) -> Result<String, PaymentError> {
        Ok(format!(
            "{}/api/stripe/connect/dev/dashboard/{account_id}/{}/",
            self.base_url,
            self.link_key(&account_id)
        ))
    }

    async fn create_account(&self, request: AccountRequest) -> Result<String, PaymentError> {
        Ok(format!("acct_dev_{}", request.user))
    }

    async fn onboarding_link(&self, account_id: String) -> Result<String, PaymentError> {
        Ok(format!(
            "{}/api/stripe/connect/dev/onboard/{account_id}/{}/",
            self.base_url,
            self.link_key(&account_id)
        ))
    }

    async fn refund(&self, request: RefundCall) -> Result<String, PaymentError> {
        Ok(keyed_id("re_dev", &request.idempotency_key))
    }

    async fn reverse_transfer(&self, request: ReversalCall) -> Result<String, PaymentError> {
        Ok(keyed_id("trr_dev", &request.idempotency_key))
    }
}

/// An id derived from the idempotency key: the same request always gets the same object, as
/// Stripe answers a repeated key.
fn keyed_id(prefix: &str, key: &str) -> String {
    let digest = Sha256::digest(key.as_bytes());
    format!("{prefix}_{}", &hex::encode(digest)[..24])
}

/// A Stripe-shaped event.
fn event(id: String, kind: &str, object: Value, created: i64) -> Vec<u8> {
    json!({
        "id": id,
        "object": "event",
        "type": kind,
        "created": created,
        "livemode": false,
        "data": {"object": object},
    })
    .to_string()
    .into_bytes()
}

/// `checkout.session.completed` for a paid dev session.
pub fn completed_event(session: &str, order_id: i64, amount_paisa: i64, now: i64) -> Vec<u8> {
    event(
        format!("evt_dev_paid_{session}"),
        "checkout.session.completed",
        json!({
            "id": session,
            "object": "checkout.session",
            "payment_intent": payment_intent(session),
            "payment_status": "paid",
            "status": "complete",
            "amount_total": amount_paisa,
            "currency": "pkr",
            "metadata": {"order_id": order_id.to_string()},
        }),
        now,
    )
}

/// `payment_intent.payment_failed` for a declined dev payment.
pub fn failed_event(session: &str, order_id: i64, now: i64) -> Vec<u8> {
    event(
        format!("evt_dev_failed_{session}"),
        "payment_intent.payment_failed",
        json!({
            "id": payment_intent(session),
            "object": "payment_intent",
            "status": "requires_payment_method",
            "last_payment_error": {"message": "Your card was declined."},
            "metadata": {"order_id": order_id.to_string()},
        }),
        now,
    )
}

/// `account.updated` for a dev account whose onboarding was completed on the dev page.
pub fn onboarded_event(account: &str, now: i64) -> Vec<u8> {
    event(
        format!("evt_dev_account_{account}_{now}"),
        "account.updated",
        json!({
            "id": account,
            "object": "account",
            "type": "express",
            "details_submitted": true,
            "charges_enabled": true,
            "payouts_enabled": true,
            "requirements": {"currently_due": [], "eventually_due": [], "past_due": [], "disabled_reason": null},
        }),
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use madeinpk_domain::ids::OrderId;
    use madeinpk_domain::money::Money;
    use madeinpk_domain::order::model::OrderType;

    #[tokio::test]
    async fn sessions_and_transfers_are_idempotent() {
        let g = DevGateway::new("http://127.0.0.1:8000/", "s3cret");
        let request = SessionRequest {
            order_id: OrderId(1),
            order_number: "CART-0000000000AB".into(),
            order_type: OrderType::Cart,
            buyer: madeinpk_domain::ids::UserId(2),
            seller: None,
            amount: Money::pkr(100),
            description: "Multi-product order".into(),
            expires_at: chrono::Utc::now(),
            created_at: chrono::Utc::now(),
        };
        let a = g.create_session(request.clone()).await.unwrap();
        assert_eq!(a, g.create_session(request.clone()).await.unwrap());
        let key = g.link_key("session:CART-0000000000AB");
        assert_eq!(key.len(), 32);
        assert_eq!(a.id, format!("cs_dev_cart_0000000000ab_{key}"));
        assert_eq!(
            a.url,
            format!("http://127.0.0.1:8000/api/payments/dev/checkout/{}/", a.id)
        );
        assert_ne!(
            DevGateway::new("http://127.0.0.1:8000/", "other")
                .create_session(request.clone())
                .await
                .unwrap()
                .id,
            a.id,
            "another install's secret, another id: nobody derives it from the order number"
        );
        assert!(g.checks("acct_dev_7", &g.link_key("acct_dev_7")));
        assert!(!g.checks("acct_dev_8", &g.link_key("acct_dev_7")));
        let t = TransferRequest {
            destination: None,
            amount: madeinpk_domain::order::payment::ProviderAmount::of(Money::pkr(98)),
            source_transaction: None,
            transfer_group: "CART-0000000000AB".into(),
            idempotency_key: "transfer:1:3".into(),
        };
        let first = g.transfer(t.clone()).await.unwrap();
        assert!(first.starts_with("tr_dev_"));
        assert_eq!(first, g.transfer(t).await.unwrap());
    }

    #[test]
    fn dev_events_parse_as_the_domain_expects() {
        let body = completed_event("cs_dev_x", 7, 12_345, 1_000);
        let (id, e) = crate::event::parse(&body).unwrap();
        assert_eq!(id, "evt_dev_paid_cs_dev_x");
        assert!(matches!(
            e,
            madeinpk_domain::order::payment::PaymentEvent::SessionCompleted {
                paid: true,
                order_id: Some(OrderId(7)),
                ..
            }
        ));
    }
}
