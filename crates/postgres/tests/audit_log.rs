//! The audit log against a real Postgres database: entries are appended and read back newest
//! first, and the table refuses every edit and deletion.

use diesel_async::RunQueryDsl;
use madeinpk_domain::console::audit::{AuditEntry, AuditFilter, Source};
use madeinpk_domain::console::ports::AuditLog;
use madeinpk_domain::ids::UserId;
use madeinpk_postgres::testing::TestDb;

#[tokio::test]
async fn the_audit_log_is_append_only() {
    let t = TestDb::new().await;
    TestDb::execute(
        &t,
        "INSERT INTO users (username, email, password_hash, role) VALUES ('ops', 'ops@x.pk', 'h', 'admin')",
    )
    .await;
    let ops = t.ids("SELECT id FROM users WHERE username = 'ops'").await[0];
    for action in ["block", "unblock"] {
        t.db.append(AuditEntry {
            operator: UserId(ops),
            operator_name: "ops".into(),
            source: Source::Console,
            entity: "users".into(),
            entity_id: Some(7),
            label: "User #7: amna".into(),
            action: action.into(),
            before: Some(serde_json::json!({"is_blocked": "false"})),
            after: Some(serde_json::json!({"is_blocked": "true"})),
            outcome: "done".into(),
        })
        .await
        .unwrap();
    }
    let (total, page) =
        t.db.audit_page(AuditFilter::default(), 0, 10)
            .await
            .unwrap();
    assert_eq!(total, 2);
    assert_eq!(page[0].entry.action, "unblock", "newest first");
    assert_eq!(page[0].entry.label, "User #7: amna");

    let mut conn = t.db.conn().await.unwrap();
    for sql in [
        "UPDATE audit_log SET outcome = 'refused: nothing'",
        "DELETE FROM audit_log",
    ] {
        let refused = diesel::sql_query(sql).execute(&mut conn).await;
        assert!(refused.is_err(), "{sql} must be refused");
    }
    assert_eq!(t.count("audit_log WHERE outcome = 'done'").await, 2);
    // Deleting the operator keeps their entries, under their name.
    TestDb::execute(&t, &format!("DELETE FROM users WHERE id = {ops}")).await;
    assert_eq!(
        t.count("audit_log WHERE operator_id IS NULL AND operator_name = 'ops'")
            .await,
        2
    );
}
