//! Edit forms where an operator must correct data: a category, a listing's featured flag and
//! status, a complaint's workflow, a seller's verified badge. Each saves through the same
//! service and validation as the API.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use madeinpk_domain::catalog::listing::{ListingInput, ListingStatus};
use madeinpk_domain::catalog::product::{CatalogError, ProductInput};
use madeinpk_domain::catalog::reference::{CategoryInput, ReferenceError};
use madeinpk_domain::community::complaint::ComplaintStatus;
use madeinpk_domain::console::audit::Source;
use madeinpk_domain::console::entity::Entity;
use madeinpk_domain::console::ports::ConsoleReads;
use madeinpk_domain::console::record::Record;
use madeinpk_domain::ids::{
    CategoryId, CityId, ComplaintId, ListingId, ProductId, ProvinceId, SellerProfileId,
};
use madeinpk_domain::validation::FieldErrors;
use minijinja::context;
use serde::Serialize;

use crate::console::audit::{Change, record};
use crate::console::lists::entity_of;
use crate::console::page::{self, Crumb, capitalised, render_status};
use crate::console::session::{Operator, field, form_pairs};
use crate::state::AppState;

/// True when `entity` has an edit form.
pub fn editable(entity: Entity) -> bool {
    matches!(
        entity,
        Entity::Categories
            | Entity::Provinces
            | Entity::Cities
            | Entity::Products
            | Entity::Listings
            | Entity::Complaints
            | Entity::SellerProfiles
    )
}

#[derive(Serialize, Default)]
struct FormField {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    value: String,
    options: Vec<Choice>,
    error: Option<String>,
    help: Option<&'static str>,
    required: bool,
    checked: bool,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn stored(rec: &Record, name: &str) -> String {
    rec.fields
        .iter()
        .find(|(k, _)| k == name)
        .and_then(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn choices(options: &[(&str, &str)], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|(v, l)| Choice {
            value: (*v).into(),
            label: (*l).into(),
            selected: *v == current,
        })
        .collect()
}

impl FormField {
    /// A text, textarea or number field.
    fn input(name: &'static str, label: &'static str, kind: &'static str, value: String) -> Self {
        Self {
            name,
            label,
            kind,
            value,
            ..Self::default()
        }
    }

    /// A drop-down.
    fn select(name: &'static str, label: &'static str, options: Vec<Choice>) -> Self {
        Self {
            name,
            label,
            kind: "select",
            options,
            ..Self::default()
        }
    }

    /// A tick box (the stored value `true` ticks it).
    fn checkbox(name: &'static str, label: &'static str, stored: &str) -> Self {
        Self {
            name,
            label,
            kind: "checkbox",
            checked: stored == "true",
            ..Self::default()
        }
    }

    /// Marked required.
    fn required(mut self) -> Self {
        self.required = true;
        self
    }
}

/// The rows of a lookup entity as choices, `current` selected, `except` left out.
async fn lookup_choices(
    state: &AppState,
    entity: Entity,
    current: &str,
    except: Option<i64>,
) -> Result<Vec<Choice>, madeinpk_domain::store::StoreError> {
    Ok(state
        .db
        .lookup(entity)
        .await?
        .into_iter()
        .filter(|(id, _)| Some(*id) != except)
        .map(|(id, name)| Choice {
            selected: current == id.to_string(),
            value: id.to_string(),
            label: name,
        })
        .collect())
}

/// The form's fields filled from `value` (the record, or what was posted).
async fn fields(
    state: &AppState,
    entity: Entity,
    id: i64,
    value: &dyn Fn(&str) -> String,
) -> Result<Vec<FormField>, madeinpk_domain::store::StoreError> {
    let name = || FormField::input("name", "Name", "text", value("name")).required();
    Ok(match entity {
        Entity::Categories => {
            let parent = value("parent_id");
            let mut options = vec![Choice {
                value: String::new(),
                label: "— none (a top-level category) —".into(),
                selected: parent.is_empty(),
            }];
            options.extend(lookup_choices(state, Entity::Categories, &parent, Some(id)).await?);
            vec![
                name(),
                FormField::input(
                    "description",
                    "Description",
                    "textarea",
                    value("description"),
                ),
                FormField::select("parent_id", "Parent", options),
            ]
        }
        Entity::Provinces => vec![name()],
        Entity::Cities => {
            let options =
                lookup_choices(state, Entity::Provinces, &value("province_id"), None).await?;
            vec![
                name(),
                FormField::select("province_id", "Province", options).required(),
            ]
        }
        Entity::Products => vec![name(), {
            let mut d = FormField::input(
                "description",
                "Description",
                "textarea",
                value("description"),
            );
            d.help = Some("Correct the seller's text; price, stock and images stay theirs.");
            d
        }],
        Entity::Listings => vec![
            FormField::select(
                "status",
                "Status",
                choices(
                    &[
                        ("active", "Active"),
                        ("inactive", "Inactive"),
                        ("out_of_stock", "Out of stock"),
                    ],
                    &value("status"),
                ),
            ),
            FormField::checkbox("featured", "Featured", &value("featured")),
        ],
        Entity::Complaints => vec![
            FormField::select(
                "status",
                "Status",
                choices(
                    &[
                        ("open", "Open"),
                        ("in_progress", "In progress"),
                        ("resolved", "Resolved"),
                        ("closed", "Closed"),
                    ],
                    &value("status"),
                ),
            ),
            FormField::input(
                "admin_notes",
                "Notes for the complainant",
                "textarea",
                value("admin_notes"),
            ),
        ],
        Entity::SellerProfiles => vec![{
            let mut v =
                FormField::checkbox("is_verified", "Verified seller", &value("is_verified"));
            v.help = Some("Shows the verified badge on the seller's profile and listings.");
            v
        }],
        _ => Vec::new(),
    })
}

fn form_page(
    operator: &Operator,
    entity: Entity,
    id: i64,
    fields: Vec<FormField>,
    errors: Vec<String>,
    status: StatusCode,
) -> HttpResponse {
    let list = format!("/admin/{}/", entity.slug());
    let detail = format!("{list}{id}/");
    render_status(
        status,
        "form.html",
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
                href: Some(list),
            },
            Crumb {
                label: format!("#{id}"),
                href: Some(detail.clone()),
            },
            Crumb {
                label: "Edit".into(),
                href: None,
            },
        ],
        context! {
            title => format!("Edit {} #{id}", entity.title().to_lowercase()),
            entity => context! { slug => entity.slug(), title => entity.title(), plural => entity.plural() },
            record_title => format!("{} #{id}", entity.title()),
            action_url => format!("{detail}edit/"),
            csrf_token => operator.session.csrf_token.clone(),
            cancel_href => detail,
            errors => errors,
            fields => fields,
        },
    )
}

async fn load(
    state: &AppState,
    operator: &Operator,
    slug: &str,
    id: &str,
) -> Result<(Entity, i64, Record), HttpResponse> {
    let entity = entity_of(slug, operator)?;
    let missing = || {
        page::error_page(
            Some(operator),
            StatusCode::NOT_FOUND,
            "There is no such record.",
        )
    };
    if !editable(entity) {
        return Err(missing());
    }
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(missing)?;
    match state.db.record(entity, id).await {
        Ok(Some(r)) => Ok((entity, id, r)),
        Ok(None) => Err(missing()),
        Err(e) => Err(page::store_failure(Some(operator), &e)),
    }
}

/// `GET /admin/<entity>/<id>/edit/`.
pub async fn form(
    operator: Operator,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (entity, id, rec) = match load(&state, &operator, &path.0, &path.1).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    match fields(&state, entity, id, &|name| stored(&rec, name)).await {
        Ok(f) => form_page(&operator, entity, id, f, Vec::new(), StatusCode::OK),
        Err(e) => page::store_failure(Some(&operator), &e),
    }
}

/// What saving refused: per-field messages and others.
struct Refusal {
    fields: Vec<(String, String)>,
    other: Vec<String>,
}

impl Refusal {
    fn other(text: impl std::fmt::Display) -> Self {
        Self {
            fields: Vec::new(),
            other: vec![text.to_string()],
        }
    }
}

/// Field errors, named as the form names its fields.
fn field_refusal(errors: &FieldErrors) -> Refusal {
    Refusal {
        fields: errors
            .entries()
            .iter()
            .flat_map(|(f, msgs)| {
                let name = match f.as_str() {
                    "parent" => "parent_id".to_owned(),
                    "province" => "province_id".to_owned(),
                    other => other.to_owned(),
                };
                msgs.iter().map(move |m| (name.clone(), m.clone()))
            })
            .collect(),
        other: Vec::new(),
    }
}

fn reference_refusal(e: ReferenceError) -> Refusal {
    match e {
        ReferenceError::Validation(errors) => field_refusal(&errors),
        other => Refusal::other(other),
    }
}

async fn save_entity(
    state: &AppState,
    operator: &Operator,
    entity: Entity,
    id: i64,
    form: &[(String, String)],
) -> Result<(), Refusal> {
    let admin = &operator.user;
    let checked = |name: &str| form.iter().any(|(k, _)| k == name);
    match entity {
        Entity::Categories => {
            let parent = field(form, "parent_id");
            let parent = if parent.is_empty() {
                None
            } else {
                match parent.parse::<i64>() {
                    Ok(p) => Some(CategoryId(p)),
                    Err(_) => {
                        return Err(Refusal {
                            fields: vec![("parent_id".into(), "Choose a category.".into())],
                            other: Vec::new(),
                        });
                    }
                }
            };
            let input = CategoryInput {
                name: Some(field(form, "name").to_owned()),
                description: Some(field(form, "description").to_owned()),
                parent: Some(parent),
            };
            match state
                .reference
                .update_category(admin, CategoryId(id), input, true)
                .await
            {
                Ok(_) => Ok(()),
                Err(e) => Err(reference_refusal(e)),
            }
        }
        Entity::Provinces => state
            .reference
            .update_province(admin, ProvinceId(id), field(form, "name"))
            .await
            .map(|_| ())
            .map_err(reference_refusal),
        Entity::Cities => {
            let Ok(province) = field(form, "province_id").parse::<i64>() else {
                return Err(Refusal {
                    fields: vec![("province_id".into(), "Choose a province.".into())],
                    other: Vec::new(),
                });
            };
            state
                .reference
                .update_city(admin, CityId(id), field(form, "name"), ProvinceId(province))
                .await
                .map(|_| ())
                .map_err(reference_refusal)
        }
        Entity::Products => {
            let input = ProductInput {
                name: Some(field(form, "name").to_owned()),
                description: Some(field(form, "description").to_owned()),
                ..ProductInput::default()
            };
            match state
                .products
                .update(admin, ProductId(id), input, false)
                .await
            {
                Ok(_) => Ok(()),
                Err(CatalogError::Validation(errors)) => Err(field_refusal(&errors)),
                Err(e) => Err(Refusal::other(e)),
            }
        }
        Entity::Listings => {
            let Some(status) = ListingStatus::parse(field(form, "status")) else {
                return Err(Refusal {
                    fields: vec![("status".into(), "Choose a status.".into())],
                    other: Vec::new(),
                });
            };
            let input = ListingInput {
                status: Some(status),
                featured: Some(checked("featured")),
                ..ListingInput::default()
            };
            state
                .listings
                .update(admin, ListingId(id), input, false)
                .await
                .map(|_| ())
                .map_err(Refusal::other)
        }
        Entity::Complaints => {
            let Some(status) = ComplaintStatus::parse(field(form, "status")) else {
                return Err(Refusal {
                    fields: vec![("status".into(), "Choose a status.".into())],
                    other: Vec::new(),
                });
            };
            state
                .complaints
                .set_status(
                    admin,
                    ComplaintId(id),
                    status,
                    Some(field(form, "admin_notes").to_owned()),
                )
                .await
                .map(|_| ())
                .map_err(Refusal::other)
        }
        Entity::SellerProfiles => state
            .seller_profiles
            .set_verified(admin, Some(SellerProfileId(id)), checked("is_verified"))
            .await
            .map_err(Refusal::other),
        _ => Err(Refusal::other("This record cannot be edited here.")),
    }
}

/// `POST /admin/<entity>/<id>/edit/`.
pub async fn save(
    operator: Operator,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> HttpResponse {
    let form = form_pairs(&body);
    if let Err(refused) = page::check_csrf(&operator, &form) {
        return refused;
    }
    let (entity, id, before) = match load(&state, &operator, &path.0, &path.1).await {
        Ok(v) => v,
        Err(res) => return res,
    };
    let result = save_entity(&state, &operator, entity, id, &form).await;
    let after = match state.db.record(entity, id).await {
        Ok(r) => r,
        Err(e) => return page::store_failure(Some(&operator), &e),
    };
    let outcome = match &result {
        Ok(()) => "done".to_owned(),
        Err(r) => format!(
            "refused: {}",
            r.fields
                .iter()
                .map(|(f, m)| format!("{f}: {m}"))
                .chain(r.other.iter().cloned())
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    record(
        &state,
        &operator.user,
        Source::Console,
        Change {
            entity: entity.slug(),
            id: Some(id),
            action: "edit",
            before: Some(before.snapshot()),
            after: after.as_ref().map(Record::snapshot),
            outcome,
            label: crate::console::title::label_of(&state, entity, id, &before),
        },
    )
    .await;
    match result {
        Ok(()) => page::see_other(&format!(
            "/admin/{}/{id}/?done={}",
            entity.slug(),
            serde_urlencoded::to_string([("", "Saved.")])
                .unwrap_or_default()
                .trim_start_matches('=')
        )),
        Err(refusal) => {
            // Show what was posted, with the messages beside their fields.
            let posted = |name: &str| {
                if name == "featured" || name == "is_verified" {
                    form.iter().any(|(k, _)| k == name).to_string()
                } else {
                    field(&form, name).to_owned()
                }
            };
            let mut fields = match fields(&state, entity, id, &posted).await {
                Ok(f) => f,
                Err(e) => return page::store_failure(Some(&operator), &e),
            };
            let mut other = refusal.other;
            for (name, message) in refusal.fields {
                match fields.iter_mut().find(|f| f.name == name) {
                    Some(f) => f.error = Some(message),
                    None => other.push(message),
                }
            }
            form_page(
                &operator,
                entity,
                id,
                fields,
                other,
                StatusCode::BAD_REQUEST,
            )
        }
    }
}
