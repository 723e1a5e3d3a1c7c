//! Error responses in the OpenAPI document: the contract's three shapes as schemas, and on every
//! operation the error statuses it can answer, each with its body's schema.

use serde_json::{Value, json};
use utoipa::{Modify, PartialSchema};

use crate::error::{DetailBody, ErrorBody};
use utoipa::openapi::RefOr;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::Response;

/// The three error shapes of the contract.
fn schemas() -> Value {
    json!({
        "FieldErrors": {
            "type": "object",
            "description": "Validation failed: each field's messages; object-level ones under `non_field_errors`.",
            "additionalProperties": {"oneOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
            ]},
            "example": {"amount": ["Bid must be higher than current price of 1000.00"]}
        },
        // The bodies `crate::error` renders derive their own.
        "Error": <ErrorBody as PartialSchema>::schema(),
        "Detail": <DetailBody as PartialSchema>::schema(),
    })
}

/// What an operation is, for deciding which errors it can answer.
struct Shape<'a> {
    path: &'a str,
    method: &'a str,
    has_body: bool,
    has_query: bool,
}

impl Shape<'_> {
    fn api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    fn write(&self) -> bool {
        self.method != "get"
    }

    fn reaches_stripe(&self) -> bool {
        [
            "checkout",
            "purchase",
            "connect",
            "refund",
            "trigger-transfers",
        ]
        .iter()
        .any(|p| self.path.contains(p))
    }

    /// `(status, description, shapes)` of each error it can answer.
    fn errors(&self) -> Vec<(&'static str, &'static str, &'static [&'static str])> {
        let mut out = Vec::new();
        if !self.api() {
            // Health, readiness and metrics: only the database can be missing.
            out.push((
                "503",
                "The database is unreachable or every connection is busy",
                &["Detail"][..],
            ));
            return out;
        }
        if self.has_body || self.has_query || self.write() {
            out.push((
                "400",
                "Invalid input: field errors, a business refusal, or unreadable JSON",
                &["FieldErrors", "Error", "Detail"][..],
            ));
        }
        out.push((
            "401",
            "Missing credentials where they are needed, or an unknown token (on every endpoint)",
            &["Detail"][..],
        ));
        if self.write() || self.path.contains("/admin/") {
            out.push((
                "403",
                "Not allowed: someone else's object, the wrong role, or a blocked account",
                &["Error", "Detail"][..],
            ));
        }
        out.push((
            "404",
            "No such object (or one the caller cannot see), or no such page",
            &["Detail", "Error"][..],
        ));
        if self.write() {
            out.push((
                "409",
                "The object's state does not allow it, or it is still in use",
                &["Error"][..],
            ));
        }
        if self.has_body {
            out.push((
                "413",
                "The body is larger than this endpoint takes",
                &["Detail"][..],
            ));
            out.push(("415", "Not JSON, a form or multipart", &["Detail"][..]));
        }
        if self.write() {
            out.push((
                "429",
                "Throttled; `Retry-After` says when to retry",
                &["Detail"][..],
            ));
        }
        if self.reaches_stripe() {
            out.push(("502", "The payment provider failed", &["Error"][..]));
        }
        out.push((
            "503",
            "The database is unreachable or every connection is busy; `Retry-After` says when to retry",
            &["Detail"][..],
        ));
        out
    }
}

fn content(shapes: &[&str]) -> Value {
    let schema = if let [one] = shapes {
        json!({"$ref": format!("#/components/schemas/{one}")})
    } else {
        json!({"oneOf": shapes.iter().map(|s| json!({"$ref": format!("#/components/schemas/{s}")})).collect::<Vec<_>>()})
    };
    json!({"application/json": {"schema": schema}})
}

/// Adds the error schemas, and to every operation the error responses it lacks (a response
/// already described keeps its description and gains the body's schema).
pub struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas().as_object().expect("an object") {
            let schema = serde_json::from_value(schema.clone()).expect("a valid schema");
            components.schemas.insert(name.clone(), schema);
        }
        for (path, item) in &mut openapi.paths.paths {
            for (method, op) in super::operations_mut(item) {
                add_errors(path, method, op);
            }
        }
    }
}

fn add_errors(path: &str, method: &str, op: &mut Operation) {
    use utoipa::openapi::path::ParameterIn;
    let shape = Shape {
        path,
        method,
        has_body: op.request_body.is_some(),
        has_query: op.parameters.as_ref().is_some_and(|ps| {
            ps.iter()
                .any(|p| matches!(p.parameter_in, ParameterIn::Query))
        }),
    };
    // Errors the handler already declares without a body: the business and framework shapes,
    // or the dev gateway's closed page.
    for (status, response) in &mut op.responses.responses {
        if let RefOr::T(response) = response
            && (status.starts_with('4') || status.starts_with('5'))
            && response.content.is_empty()
        {
            let body = if status == "410" {
                json!({"text/html": {"schema": {"type": "string"}}})
            } else {
                content(&["Error", "Detail"])
            };
            response.content = serde_json::from_value(body).expect("valid content");
        }
    }
    for (status, description, shapes) in shape.errors() {
        let body = content(shapes);
        let entry = op
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| {
                RefOr::T(
                    serde_json::from_value::<Response>(json!({"description": description}))
                        .expect("a valid response"),
                )
            });
        if let RefOr::T(response) = entry
            && response.content.is_empty()
        {
            response.content = serde_json::from_value(body).expect("valid content");
        }
    }
}
