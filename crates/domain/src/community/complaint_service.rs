//! Complaints: users file and manage their own; admins see all and move them through the
//! workflow. Filing tells the admins; each move tells the complainant.

use crate::account::user::User;
use crate::clock::Clock;
use crate::community::complaint::{
    Changed, Complaint, ComplaintError, ComplaintInput, ComplaintQuery, ComplaintStatus, Moved,
    check_input, filed_outbox, moved_outbox,
};
use crate::community::ports::ComplaintRepository;
use crate::ids::ComplaintId;
use crate::page::{Page, PageRequest};

/// The complaints use case.
pub struct Complaints<R, K> {
    store: R,
    clock: K,
}

fn changed(outcome: Changed) -> Result<(), ComplaintError> {
    match outcome {
        Changed::Done => Ok(()),
        Changed::NotFound => Err(ComplaintError::NotFound),
        Changed::Final => Err(ComplaintError::Final),
        Changed::Invalid(f) => Err(ComplaintError::Validation(f)),
    }
}

impl<R: ComplaintRepository, K: Clock> Complaints<R, K> {
    /// Wires the service.
    pub fn new(store: R, clock: K) -> Self {
        Self { store, clock }
    }

    /// Files a complaint.
    pub async fn create(
        &self,
        user: &User,
        input: ComplaintInput,
    ) -> Result<Complaint, ComplaintError> {
        check_input(&input).map_err(ComplaintError::Validation)?;
        self.store
            .create_complaint(user.id, input, self.clock.now(), Box::new(filed_outbox))
            .await?
            .map_err(ComplaintError::Validation)
    }

    /// The caller's complaints (admins too see only their own here, as the original).
    pub async fn list(
        &self,
        user: &User,
        oldest_first: bool,
        page: PageRequest,
    ) -> Result<Page<Complaint>, ComplaintError> {
        let query = ComplaintQuery {
            user: Some(user.id),
            status: None,
            oldest_first,
        };
        Ok(self.store.complaints(query, page).await?)
    }

    /// One of the caller's complaints (admins too read only their own here, as the
    /// original; they see all through the admin list).
    pub async fn get(&self, user: &User, id: ComplaintId) -> Result<Complaint, ComplaintError> {
        self.store
            .complaint(id)
            .await?
            .filter(|c| c.user == user.id)
            .ok_or(ComplaintError::NotFound)
    }

    /// Changes the caller's complaint while it is open or in progress.
    pub async fn update(
        &self,
        user: &User,
        id: ComplaintId,
        input: ComplaintInput,
    ) -> Result<Complaint, ComplaintError> {
        check_input(&input).map_err(ComplaintError::Validation)?;
        changed(
            self.store
                .update_complaint(user.id, id, input, self.clock.now())
                .await?,
        )?;
        self.get(user, id).await
    }

    /// Withdraws the caller's complaint while it is open or in progress.
    pub async fn delete(&self, user: &User, id: ComplaintId) -> Result<(), ComplaintError> {
        changed(self.store.delete_complaint(user.id, id).await?)
    }

    /// Admins: every complaint, optionally in one status.
    pub async fn all(
        &self,
        admin: &User,
        status: Option<ComplaintStatus>,
        page: PageRequest,
    ) -> Result<Page<Complaint>, ComplaintError> {
        if !admin.is_admin() {
            return Err(ComplaintError::NotAdmin);
        }
        let query = ComplaintQuery {
            user: None,
            status,
            oldest_first: false,
        };
        Ok(self.store.complaints(query, page).await?)
    }

    /// Admins: moves a complaint on (resolving or closing it, or reopening it); the
    /// complainant is told.
    pub async fn set_status(
        &self,
        admin: &User,
        id: ComplaintId,
        to: ComplaintStatus,
        notes: Option<String>,
    ) -> Result<Complaint, ComplaintError> {
        if !admin.is_admin() {
            return Err(ComplaintError::NotAdmin);
        }
        match self
            .store
            .move_complaint(id, to, notes, self.clock.now(), Box::new(moved_outbox))
            .await?
        {
            Moved::Done(c) => Ok(*c),
            Moved::NotFound => Err(ComplaintError::NotFound),
            Moved::Illegal(from) => Err(ComplaintError::Illegal(from.as_str(), to.as_str())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::user::Role;
    use crate::clock::FixedClock;
    use crate::community::ports::MockComplaintRepository;
    use crate::fixtures::user;
    use chrono::Utc;
    use std::future::ready;

    #[tokio::test]
    async fn only_admins_list_all_and_move_complaints() {
        let mut store = MockComplaintRepository::new();
        store.expect_complaints().never();
        store.expect_move_complaint().never();
        let s = Complaints::new(store, FixedClock(Utc::now()));
        let buyer = user(1, Role::Buyer);
        assert_eq!(
            s.all(&buyer, None, PageRequest::default())
                .await
                .unwrap_err(),
            ComplaintError::NotAdmin
        );
        assert_eq!(
            s.set_status(&buyer, ComplaintId(1), ComplaintStatus::Resolved, None)
                .await
                .unwrap_err(),
            ComplaintError::NotAdmin
        );
    }

    #[tokio::test]
    async fn a_final_complaint_cannot_be_changed_by_its_author() {
        let mut store = MockComplaintRepository::new();
        store
            .expect_update_complaint()
            .returning(|_, _, _, _| Box::pin(ready(Ok(Changed::Final))));
        let s = Complaints::new(store, FixedClock(Utc::now()));
        let err = s
            .update(
                &user(1, Role::Buyer),
                ComplaintId(1),
                ComplaintInput::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(err, ComplaintError::Final);
    }
}
