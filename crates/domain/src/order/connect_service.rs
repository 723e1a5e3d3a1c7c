//! Sellers' payout accounts (Stripe Connect Express, or the dev gateway's): open one, onboard,
//! read its state; provider reports keep it current and release payouts that were waiting.

use crate::account::user::User;
use crate::order::payment::{AccountRequest, AccountUpdate, PayoutAccount};
use crate::order::ports::{PaymentGateway, PayoutAccountRepository};
use crate::store::StoreError;

/// Why a payout-account request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConnectError {
    /// Only sellers open payout accounts.
    #[error("Only sellers can create Stripe Connect accounts")]
    NotSeller,
    /// The seller has one already (its id).
    #[error("Stripe account already exists")]
    AlreadyExists(String),
    /// No account yet.
    #[error("No Stripe account connected. Please create one to receive payments.")]
    NoAccount,
    /// The dashboard opens only once onboarding details were submitted.
    #[error("Complete your Stripe account setup first")]
    NotOnboarded,
    /// The provider failed.
    #[error("Stripe error: {0}")]
    Gateway(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The payout-account use cases.
pub struct Connect<A, G> {
    accounts: A,
    gateway: G,
}

impl<A: PayoutAccountRepository, G: PaymentGateway> Connect<A, G> {
    /// Wires the service.
    pub fn new(accounts: A, gateway: G) -> Self {
        Self { accounts, gateway }
    }

    /// Opens the seller's account and returns it with its onboarding link.
    pub async fn create_account(&self, user: &User) -> Result<(String, String), ConnectError> {
        if !user.can_sell() {
            return Err(ConnectError::NotSeller);
        }
        if let Some(existing) = self.accounts.payout_account(user.id).await? {
            return Err(ConnectError::AlreadyExists(existing.account_id));
        }
        let request = AccountRequest {
            user: user.id,
            username: user.username.clone(),
            email: user.email.clone(),
        };
        let id = self
            .gateway
            .create_account(request)
            .await
            .map_err(|e| ConnectError::Gateway(e.to_string()))?;
        if !self
            .accounts
            .save_payout_account(user.id, id.clone())
            .await?
        {
            // A double submit: the first request's account stands.
            let existing = self.accounts.payout_account(user.id).await?;
            return Err(ConnectError::AlreadyExists(
                existing.map_or(id, |a| a.account_id),
            ));
        }
        let link = self.link(&id).await?;
        Ok((id, link))
    }

    async fn link(&self, account: &str) -> Result<String, ConnectError> {
        self.gateway
            .onboarding_link(account.to_owned())
            .await
            .map_err(|e| ConnectError::Gateway(e.to_string()))
    }

    /// The seller's account state.
    pub async fn status(&self, user: &User) -> Result<PayoutAccount, ConnectError> {
        self.accounts
            .payout_account(user.id)
            .await?
            .ok_or(ConnectError::NoAccount)
    }

    /// A fresh onboarding link.
    pub async fn refresh_onboarding(&self, user: &User) -> Result<String, ConnectError> {
        let account = self.status(user).await?;
        self.link(&account.account_id).await
    }

    /// A one-time link to the seller's payout dashboard (after onboarding).
    pub async fn login_link(&self, user: &User) -> Result<String, ConnectError> {
        let account = self.status(user).await?;
        if !account.details_submitted {
            return Err(ConnectError::NotOnboarded);
        }
        self.gateway
            .login_link(account.account_id)
            .await
            .map_err(|e| ConnectError::Gateway(e.to_string()))
    }

    /// Applies a provider report; waiting payouts go out once the account can receive.
    pub async fn account_updated(&self, update: AccountUpdate) -> Result<(), StoreError> {
        self.accounts.apply_account_update(update).await.map(drop)
    }
}
