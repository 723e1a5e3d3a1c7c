//! Stripe adapter (Connect Express, Checkout, webhooks, transfers, refunds) and the offline dev
//! gateway. It implements the payments port that arrives with the Stripe issue; until then the
//! crate only reserves its place in the workspace so the dependency graph is final.
