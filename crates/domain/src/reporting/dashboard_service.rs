//! The admin dashboard (admins only).

use crate::account::moderation::ModerationError;
use crate::account::user::User;
use crate::clock::Clock;
use crate::reporting::dashboard::{Dashboard, Range};
use crate::reporting::ports::DashboardRepository;

/// The dashboard use case.
pub struct AdminDashboard<R, K> {
    store: R,
    clock: K,
    zone: String,
}

impl<R: DashboardRepository, K: Clock> AdminDashboard<R, K> {
    /// Wires the service; days are counted in the time zone named `zone`.
    pub fn new(store: R, clock: K, zone: impl Into<String>) -> Self {
        Self {
            store,
            clock,
            zone: zone.into(),
        }
    }

    /// Every figure now, daily series over the last 30 days (the admin API's dashboard).
    pub async fn figures(&self, admin: &User) -> Result<Dashboard, ModerationError> {
        self.figures_over(admin, Range::default()).await
    }

    /// Every figure now, daily series over `range`.
    pub async fn figures_over(
        &self,
        admin: &User,
        range: Range,
    ) -> Result<Dashboard, ModerationError> {
        if !admin.is_admin() {
            return Err(ModerationError::NotAdmin);
        }
        Ok(self
            .store
            .dashboard(self.clock.now(), self.zone.clone(), range.days())
            .await?)
    }
}
