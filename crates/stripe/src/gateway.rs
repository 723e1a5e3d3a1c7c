//! The gateway the app runs with: Stripe when a secret key is configured, else the dev gateway.

use madeinpk_domain::order::payment::{
    AccountRequest, PaymentError, PaymentSession, RefundCall, ReversalCall, SessionRequest,
    Settlement, TransferRequest,
};
use madeinpk_domain::order::ports::PaymentGateway;

use crate::{DevGateway, StripeGateway};

/// Either gateway, chosen at start.
#[derive(Debug, Clone)]
pub enum Gateway {
    /// Offline: pages served by the app.
    Dev(DevGateway),
    /// Stripe's API.
    Stripe(Box<StripeGateway>),
}

impl Gateway {
    /// True for the offline gateway (its pages are served only then).
    pub const fn is_dev(&self) -> bool {
        matches!(self, Self::Dev(_))
    }
}

macro_rules! either {
    ($self:ident, $g:ident => $call:expr) => {
        match $self {
            Gateway::Dev($g) => $call.await,
            Gateway::Stripe($g) => $call.await,
        }
    };
}

impl PaymentGateway for Gateway {
    async fn create_session(
        &self,
        request: SessionRequest,
    ) -> Result<PaymentSession, PaymentError> {
        either!(self, g => g.create_session(request))
    }

    async fn transfer(&self, request: TransferRequest) -> Result<String, PaymentError> {
        either!(self, g => g.transfer(request))
    }

    async fn settlement(
        &self,
        payment_intent: Option<String>,
        charge: Option<String>,
    ) -> Result<Settlement, PaymentError> {
        either!(self, g => g.settlement(payment_intent, charge))
    }

    async fn login_link(&self, account_id: String) -> Result<String, PaymentError> {
        either!(self, g => g.login_link(account_id))
    }

    async fn create_account(&self, request: AccountRequest) -> Result<String, PaymentError> {
        either!(self, g => g.create_account(request))
    }

    async fn onboarding_link(&self, account_id: String) -> Result<String, PaymentError> {
        either!(self, g => g.onboarding_link(account_id))
    }

    async fn refund(&self, request: RefundCall) -> Result<String, PaymentError> {
        either!(self, g => g.refund(request))
    }

    async fn reverse_transfer(&self, request: ReversalCall) -> Result<String, PaymentError> {
        either!(self, g => g.reverse_transfer(request))
    }
}
