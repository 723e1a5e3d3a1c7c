//! Bulk actions: `POST /admin/<entity>/action/` runs one action on the selected rows, each row
//! through the domain service that owns the rule, and reports row by row. Irreversible actions
//! show a confirmation page first.

use actix_web::{HttpResponse, web};
use madeinpk_domain::account::moderation::Moderation;
use madeinpk_domain::catalog::listing::ListingInput;
use madeinpk_domain::community::complaint::ComplaintStatus;
use madeinpk_domain::console::action::{Action, BulkReport, RowOutcome};
use madeinpk_domain::console::audit::Source;
use madeinpk_domain::console::columns::spec;
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::ConsoleReads;
use madeinpk_domain::console::record::Record;
use madeinpk_domain::ids::{
    AddressId, AuctionId, ComplaintId, ListingId, MessageId, NotificationId, OrderId, ReviewId,
    SellerProfileId, UserId,
};
use minijinja::context;

use crate::console::audit::{Change, record};
use crate::console::lists::{entity_of, href};
use crate::console::page::{self, Crumb, capitalised, render};
use crate::console::session::{Operator, field, form_pairs};
use crate::console::title::label_of;
use crate::state::AppState;

/// Rows one action may touch at once.
const MAX_ROWS: usize = 500;

fn refused(e: impl std::fmt::Display) -> RowOutcome {
    RowOutcome::Refused(e.to_string())
}

fn done<E: std::fmt::Display>(r: Result<impl Sized, E>) -> RowOutcome {
    match r {
        Ok(_) => RowOutcome::Done,
        Err(e) => refused(e),
    }
}

/// The stored number field `name` of a record.
fn number_field(rec: &Record, name: &str) -> Option<i64> {
    rec.fields
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.as_deref())
        .and_then(|v| v.parse().ok())
}

/// Runs `action` on row `id` (whose record is `before`).
async fn run_one(
    state: &AppState,
    operator: &Operator,
    action: Action,
    id: i64,
    before: &Record,
) -> RowOutcome {
    let admin = &operator.user;
    match action {
        Action::MarkPaid => refused(action.refused_outright().unwrap_or("not allowed")),
        Action::Block | Action::Unblock | Action::ResetFailedPayments => {
            let step = match action {
                Action::Block => Moderation::Block {
                    reason: String::new(),
                },
                Action::Unblock => Moderation::Unblock,
                _ => Moderation::ResetViolations,
            };
            let reason = step.unchanged_reason();
            match state.moderation.apply(admin, UserId(id), step).await {
                Ok(m) if !m.changed => RowOutcome::Refused(reason.into()),
                other => done(other),
            }
        }
        Action::SetDefault => match number_field(before, "user_id") {
            Some(owner) => done(
                state
                    .addresses
                    .set_default(UserId(owner), AddressId(id))
                    .await,
            ),
            None => refused("the address has no owner"),
        },
        Action::EndAuction => match state.auction_life.end_now(admin, AuctionId(id)).await {
            Ok(()) => RowOutcome::Done,
            Err(reason) => RowOutcome::Refused(reason),
        },
        Action::CancelAuction => done(state.auctions.cancel(admin, AuctionId(id)).await),
        Action::Feature | Action::Unfeature => {
            let input = ListingInput {
                featured: Some(action == Action::Feature),
                ..ListingInput::default()
            };
            done(
                state
                    .listings
                    .update(admin, ListingId(id), input, false)
                    .await,
            )
        }
        Action::Activate | Action::Deactivate => done(
            state
                .listings
                .set_active(admin, ListingId(id), action == Action::Activate)
                .await,
        ),
        Action::MarkShipped => done(
            state
                .orders
                .ship_for_sellers(admin, OrderId(id), None)
                .await,
        ),
        Action::CancelOrder => done(state.orders.cancel_as_admin(admin, OrderId(id)).await),
        Action::MarkItemShipped => {
            match (
                number_field(before, "order_id"),
                number_field(before, "seller_id"),
            ) {
                (Some(order), Some(seller)) => done(
                    state
                        .orders
                        .ship_for_sellers(admin, OrderId(order), Some(UserId(seller)))
                        .await,
                ),
                _ => refused("the line has no order"),
            }
        }
        Action::RetryTransfer => match number_field(before, "order_id") {
            Some(order) => {
                let failed = before
                    .fields
                    .iter()
                    .any(|(k, v)| k == "status" && v.as_deref() == Some("failed"));
                if failed {
                    done(state.payouts.trigger(admin, Some(OrderId(order))).await)
                } else {
                    refused("only a failed transfer is retried")
                }
            }
            None => refused("the transfer has no order"),
        },
        Action::ComplaintInProgress | Action::ComplaintResolved | Action::ComplaintClosed => {
            let to = match action {
                Action::ComplaintInProgress => ComplaintStatus::InProgress,
                Action::ComplaintResolved => ComplaintStatus::Resolved,
                _ => ComplaintStatus::Closed,
            };
            done(
                state
                    .complaints
                    .set_status(admin, ComplaintId(id), to, None)
                    .await,
            )
        }
        Action::Verify | Action::Unverify => done(
            state
                .seller_profiles
                .set_verified(admin, Some(SellerProfileId(id)), action == Action::Verify)
                .await,
        ),
        Action::MarkMessageRead | Action::MarkMessageUnread => done(
            state
                .upkeep
                .mark_message(admin, MessageId(id), action == Action::MarkMessageRead)
                .await,
        ),
        Action::MarkNotificationRead => done(
            state
                .upkeep
                .mark_notification_read(admin, NotificationId(id))
                .await,
        ),
        Action::SendEmails => done(
            state
                .upkeep
                .email_notification(admin, NotificationId(id), &state.db)
                .await,
        ),
        Action::UpdateRatings => done(
            state
                .upkeep
                .refresh_rating(admin, SellerProfileId(id))
                .await,
        ),
        Action::VerifyPurchases => done(state.upkeep.verify_purchase(admin, ReviewId(id)).await),
    }
}

fn selected_ids(form: &[(String, String)]) -> Vec<i64> {
    let mut ids: Vec<i64> = form
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .filter(|i| *i > 0)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// `POST /admin/<entity>/action/`: `action`, `ids`…, `csrf_token`, and `confirmed=yes` once
/// confirmed.
pub async fn run(
    operator: Operator,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let form = form_pairs(&body);
    if let Err(refused) = page::check_csrf(&operator, &form) {
        return refused;
    }
    let entity = match entity_of(&slug, &operator) {
        Ok(e) => e,
        Err(res) => return res,
    };
    let list = format!("/admin/{}/", entity.slug());
    let back = |key: &str, text: String| page::see_other(&href(&list, &[], &[(key, Some(text))]));
    let Some(action) = spec(entity)
        .actions
        .iter()
        .copied()
        .find(|a| a.key() == field(&form, "action"))
    else {
        return back("refused", "Choose an action.".into());
    };
    let ids = selected_ids(&form);
    if ids.is_empty() {
        return back(
            "refused",
            "Items must be selected in order to perform actions on them. No items have been changed."
                .into(),
        );
    }
    if ids.len() > MAX_ROWS {
        return back(
            "refused",
            format!("Select at most {MAX_ROWS} rows at once."),
        );
    }
    let mut records = Vec::with_capacity(ids.len());
    for id in &ids {
        match state.db.record(entity, *id).await {
            Ok(r) => records.push((*id, r)),
            Err(e) => return page::store_failure(Some(&operator), &e),
        }
    }
    if action.needs_confirmation() && field(&form, "confirmed") != "yes" {
        return confirm(&state, &operator, entity, action, &records);
    }
    let mut report = BulkReport::new(action);
    for (id, before) in records {
        let Some(before) = before else {
            report.push(id, RowOutcome::Refused("not found".into()));
            continue;
        };
        let mut outcome = run_one(&state, &operator, action, id, &before).await;
        let after = match state.db.record(entity, id).await {
            Ok(r) => r,
            Err(e) => return page::store_failure(Some(&operator), &e),
        };
        let (b, a) = (
            Some(before.snapshot()),
            after.as_ref().map(Record::snapshot),
        );
        if outcome == RowOutcome::Done && b == a && action.unchanged_is_refusal() {
            outcome = RowOutcome::Refused(format!("already {}", action.verb()));
        }
        record(
            &state,
            &operator.user,
            Source::Console,
            Change {
                entity: entity.slug(),
                id: Some(id),
                action: action.key(),
                before: b,
                after: a,
                outcome: outcome.audit_text(),
                label: label_of(&state, entity, id, &before),
            },
        )
        .await;
        report.push(id, outcome);
    }
    let key = if report.any_refused() {
        "refused"
    } else {
        "done"
    };
    back(key, report.summary())
}

fn confirm(
    state: &AppState,
    operator: &Operator,
    entity: Entity,
    action: Action,
    records: &[(i64, Option<Record>)],
) -> HttpResponse {
    let items: Vec<serde_json::Value> = records
        .iter()
        .map(|(id, rec)| {
            let label = rec.as_ref().map_or_else(
                || format!("#{id} (not found)"),
                |r| label_of(state, entity, *id, r),
            );
            serde_json::json!({"id": id, "label": label})
        })
        .collect();
    let list = format!("/admin/{}/", entity.slug());
    render(
        "confirm.html",
        Some(operator),
        entity.slug(),
        Vec::new(),
        vec![
            Crumb {
                label: "Home".into(),
                href: Some("/admin/".into()),
            },
            Crumb {
                label: capitalised(entity.plural()),
                href: Some(list.clone()),
            },
            Crumb {
                label: "Are you sure?".into(),
                href: None,
            },
        ],
        context! {
            title => "Are you sure?",
            entity => context! { slug => entity.slug(), title => entity.title(), plural => entity.plural() },
            action => context! { key => action.key(), label => action.label() },
            items => items,
            cancel_href => list,
            warning => format!("{}: this cannot be undone from the console.", action.label()),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selected_ids_are_positive_distinct_numbers() {
        let form = vec![
            ("ids".to_owned(), "3".to_owned()),
            ("ids".to_owned(), "x".to_owned()),
            ("ids".to_owned(), "3".to_owned()),
            ("ids".to_owned(), "-1".to_owned()),
            ("ids".to_owned(), "1".to_owned()),
        ];
        assert_eq!(selected_ids(&form), vec![1, 3]);
    }
}
