//! Stripe adapter (Connect Express, Checkout, webhooks, transfers, refunds) and the offline dev
//! gateway. The Stripe issue brings the real client; until then the dev gateway answers the
//! payout-readiness question.

use madeinpk_domain::ids::UserId;
use madeinpk_domain::ports::PayoutReadiness;
use madeinpk_domain::store::StoreError;

/// The offline gateway: every seller can be paid (what the dev onboarding page will confirm).
#[derive(Debug, Clone, Copy, Default)]
pub struct DevPayouts;

impl PayoutReadiness for DevPayouts {
    async fn can_receive_payouts(&self, _seller: UserId) -> Result<bool, StoreError> {
        Ok(true)
    }
}
