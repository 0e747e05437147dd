//! Exports validate against the published JSON Schema (`docs/export-format.schema.json`).
//!
//! A small validator for the subset of JSON Schema the file uses (`type`, `properties`,
//! `required`, `additionalProperties: false`, `items`, `enum`, `const`, `$ref` into
//! `$defs`, and the formats `decimal`, `date`, `date-time`, `uuid`); any other keyword in
//! the schema fails the test, so the schema cannot say more than is checked.

use crate::harness::TestApp;
use serde_json::{json, Value};

const ANNOTATIONS: [&str; 5] = ["$schema", "$id", "title", "description", "$defs"];

struct Validator<'a> {
    root: &'a Value,
    errors: Vec<String>,
}

impl Validator<'_> {
    fn check(&mut self, schema: &Value, value: &Value, path: &str) {
        let Some(rules) = schema.as_object() else {
            panic!("schema at {path} is not an object");
        };
        for (keyword, rule) in rules {
            match keyword.as_str() {
                k if ANNOTATIONS.contains(&k) => {}
                "$ref" => {
                    let name = rule
                        .as_str()
                        .and_then(|r| r.strip_prefix("#/$defs/"))
                        .expect("local $ref");
                    let target = &self.root["$defs"][name];
                    assert!(target.is_object(), "unknown $ref {name}");
                    self.check(target, value, path);
                }
                "type" => {
                    let types: Vec<&str> = match rule {
                        Value::String(t) => vec![t.as_str()],
                        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                        _ => panic!("bad type at {path}"),
                    };
                    let actual = match value {
                        Value::Null => "null",
                        Value::Bool(_) => "boolean",
                        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
                        Value::Number(_) => "number",
                        Value::String(_) => "string",
                        Value::Array(_) => "array",
                        Value::Object(_) => "object",
                    };
                    let number = actual == "integer" && types.contains(&"number");
                    if !types.contains(&actual) && !number {
                        self.errors
                            .push(format!("{path}: {actual} is not {types:?}"));
                    }
                }
                "properties" => {
                    if let Some(object) = value.as_object() {
                        for (name, sub) in rule.as_object().expect("properties object") {
                            if let Some(v) = object.get(name) {
                                self.check(sub, v, &format!("{path}.{name}"));
                            }
                        }
                    }
                }
                "required" => {
                    if let Some(object) = value.as_object() {
                        for name in rule.as_array().expect("required array") {
                            let name = name.as_str().expect("required name");
                            if !object.contains_key(name) {
                                self.errors.push(format!("{path}: missing {name}"));
                            }
                        }
                    }
                }
                "additionalProperties" => {
                    assert_eq!(
                        rule,
                        &json!(false),
                        "only additionalProperties: false is supported"
                    );
                    if let Some(object) = value.as_object() {
                        let known = rules.get("properties").and_then(Value::as_object);
                        for name in object.keys() {
                            if !known.is_some_and(|k| k.contains_key(name)) {
                                self.errors
                                    .push(format!("{path}: unexpected property {name}"));
                            }
                        }
                    }
                }
                "items" => {
                    if let Some(items) = value.as_array() {
                        for (i, item) in items.iter().enumerate() {
                            self.check(rule, item, &format!("{path}[{i}]"));
                        }
                    }
                }
                "enum" => {
                    if !rule.as_array().expect("enum array").contains(value) {
                        self.errors
                            .push(format!("{path}: {value} is not one of {rule}"));
                    }
                }
                "const" => {
                    if rule != value {
                        self.errors.push(format!("{path}: {value} is not {rule}"));
                    }
                }
                "format" => {
                    if let Some(text) = value.as_str() {
                        let ok = match rule.as_str().expect("format name") {
                            "decimal" => is_decimal(text),
                            "date" => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok(),
                            "date-time" => chrono::DateTime::parse_from_rfc3339(text).is_ok(),
                            "uuid" => uuid::Uuid::parse_str(text).is_ok(),
                            other => panic!("unsupported format {other}"),
                        };
                        if !ok {
                            self.errors
                                .push(format!("{path}: \"{text}\" is not a {rule}"));
                        }
                    }
                }
                other => panic!(
                    "the schema uses {other:?} at {path}, which this validator does not check"
                ),
            }
        }
    }
}

fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

fn schema() -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/export-format.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema file")).expect("schema JSON")
}

fn errors(document: &Value) -> Vec<String> {
    let schema = schema();
    let mut validator = Validator {
        root: &schema,
        errors: Vec::new(),
    };
    validator.check(&schema, document, "$");
    validator.errors
}

crate::db_test!(exports_validate_against_the_published_schema, |app| {
    bakeplan::transfer::demo::load(&app.db, false)
        .await
        .expect("demo");
    let document =
        serde_json::to_value(bakeplan::transfer::export(&app.db).await.unwrap()).unwrap();
    assert_eq!(errors(&document), Vec::<String>::new());

    let generated = TestApp::spawn(app.backend).await;
    let args = bakeplan::bench_data::BenchDataArgs {
        events: 2,
        recipes: 6,
        finished_goods: 3,
        production_runs: 50,
        assembly_runs: 10,
        production_targets: 2,
        assembly_targets: 2,
        seed: 1,
    };
    bakeplan::bench_data::fill(&generated.db, &args)
        .await
        .expect("bench data");
    let document =
        serde_json::to_value(bakeplan::transfer::export(&generated.db).await.unwrap()).unwrap();
    assert_eq!(errors(&document), Vec::<String>::new());
    generated.finish().await;
});

crate::db_test!(exports_with_authors_validate_against_the_schema, |app| {
    crate::authorship::record_with_authors(&app).await;
    let document =
        serde_json::to_value(bakeplan::transfer::export(&app.db).await.unwrap()).unwrap();
    assert_eq!(document["productionRuns"][0]["recordedBy"], "carla");
    assert_eq!(document["assignments"][0]["deliveredBy"], "finn");
    assert_eq!(errors(&document), Vec::<String>::new());
    // The author fields are described (a number is refused) but not required (the demo,
    // an export from before them, has none and validates).
    let mut wrong = document.clone();
    wrong["lots"][0]["recordedBy"] = json!(7);
    wrong["assignments"][0]["readyBy"] = json!(true);
    assert_eq!(
        errors(&wrong),
        vec![
            "$.assignments[0].readyBy: boolean is not [\"string\", \"null\"]".to_string(),
            "$.lots[0].recordedBy: integer is not [\"string\", \"null\"]".to_string(),
        ]
    );
});

#[test]
fn the_validator_finds_what_breaks_the_schema() {
    let mut document: Value = serde_json::from_str(bakeplan::transfer::demo::DEMO_JSON).unwrap();
    assert!(errors(&document).is_empty());
    document["lots"][0]["unitCost"] = json!(0.5);
    document["recipes"][0]["colour"] = json!("red");
    document["events"][0]["eventDate"] = json!("24/12/2026");
    document["version"] = json!(2);
    document["assignments"][0]
        .as_object_mut()
        .unwrap()
        .remove("package");
    let found = errors(&document);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(!is_decimal("1.") && !is_decimal("") && !is_decimal("1e5") && is_decimal("-0.25"));
}
