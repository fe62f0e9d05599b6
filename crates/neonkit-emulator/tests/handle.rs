//! The handle every testing helper holds: options under a language's names, configure, faults.
#![cfg(feature = "handle")]

use neonkit::{Convention, ErrorKind, OptionValue};
use neonkit_emulator::handle::{config, EmulatorHandle};
use neonkit_emulator::OptionNames;

fn values(pairs: &[(&str, OptionValue)]) -> Vec<(String, OptionValue)> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

#[test]
fn options_are_read_under_each_languages_names() {
    let c = config(Convention::Camel, values(&[("operationDurationMs", OptionValue::Float(250.0)), ("locking", OptionValue::Bool(false))]))
        .unwrap();
    assert_eq!(c.operation_duration.as_millis(), 250);
    assert!(!c.locking);
    let c = config(Convention::Snake, values(&[("operation_duration", OptionValue::Float(0.25))])).unwrap();
    assert_eq!(c.operation_duration.as_millis(), 250);
    let e = config(Convention::Camel, values(&[("operation_duration", OptionValue::Float(1.0))])).unwrap_err();
    assert!(e.message().starts_with("unknown emulator option \"operation_du\""), "{e}");
    assert!(e.message().contains("(the options are: port, apiKey, operationDurationMs"), "{e}");
    let e = config(Convention::Snake, values(&[("port", OptionValue::Int(70_000))])).unwrap_err();
    assert_eq!(e.message(), "port must be a whole number from 0 to 65535 (got 70000)");
}

#[test]
fn a_running_emulator_changes_what_can_change_and_refuses_the_rest() {
    let emu = EmulatorHandle::start_blocking(Default::default()).unwrap();
    emu.configure(Convention::Camel, values(&[("latencyMs", OptionValue::Int(0)), ("rateLimits", OptionValue::Bool(true))])).unwrap();
    let e = emu.configure(Convention::Camel, values(&[("port", OptionValue::Int(1))])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.message(), "port is set when the emulator starts; it cannot change while it runs");
    emu.add_fault_json(r#"{"operation_id": "getProject", "kind": "status", "status": 423, "times": 1}"#).unwrap();
    assert!(emu.add_fault_json("{not json").unwrap_err().message().starts_with("not a valid emulator fault"));
    assert_eq!(emu.request_count("getProject").unwrap(), 0);
    emu.stop();
    assert!(emu.is_stopped());
    assert_eq!(emu.reset().unwrap_err().message(), "the emulator was stopped");
}

#[test]
fn postgres_options_give_the_postgres_config_and_never_show_the_url() {
    assert!(config(Convention::Snake, values(&[])).unwrap().postgres.is_none());
    let c = config(Convention::Snake, values(&[("postgres", OptionValue::Bool(true))])).unwrap();
    let pg = c.postgres.expect("postgres=True");
    assert!(pg.url.is_none() && !pg.no_pooler);
    assert!(config(Convention::Camel, values(&[("postgres", OptionValue::Bool(false))])).unwrap().postgres.is_none());

    let url = "postgresql://admin:s3cret-pw@127.0.0.1:5432/postgres";
    let c = config(Convention::Camel, values(&[("postgresUrl", OptionValue::Text(url.into())), ("noPooler", OptionValue::Bool(true))]))
        .unwrap();
    let pg = c.postgres.expect("postgresUrl implies postgres");
    assert_eq!(pg.url.as_deref(), Some(url));
    assert!(pg.no_pooler);
    assert!(!format!("{pg:?}").contains("s3cret"), "{pg:?}");

    let e = config(Convention::Camel, values(&[("noPooler", OptionValue::Bool(true))])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Config);
    assert_eq!(e.message(), "noPooler is for the emulator's PostgreSQL: set postgres (or postgresUrl) too");
    let e = config(Convention::Snake, values(&[("postgres", OptionValue::Bool(false)), ("postgres_url", OptionValue::Text(url.into()))]))
        .unwrap_err();
    assert_eq!(e.message(), "postgres_url attaches the emulator to a PostgreSQL server: leave postgres unset or true");
    let e = config(Convention::Snake, values(&[("postgres_url", OptionValue::Int(5))])).unwrap_err();
    assert_eq!(e.message(), "postgres_url must be a string (got a number)");

    // a URL that is not one, or a server that is not there: the message never holds the password
    for bad in ["mysql://admin:s3cret-pw@127.0.0.1/db", "postgresql://admin:s3cret-pw@127.0.0.1:9/postgres"] {
        let c = config(Convention::Snake, values(&[("postgres_url", OptionValue::Text(bad.into()))])).unwrap();
        let e = EmulatorHandle::start_blocking(c).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Runtime);
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}

#[test]
fn the_clock_is_set_advanced_and_put_back_through_the_handle() {
    let emu = EmulatorHandle::start_blocking(Default::default()).unwrap();
    let now = emu.set_clock("2026-01-01T00:00:00Z").unwrap();
    assert!(now.starts_with("2026-01-01T00:00:00."), "{now}");
    let now = emu.advance_clock(3600.0).unwrap();
    assert!(now.starts_with("2026-01-01T01:00:00."), "{now}");
    assert!(emu.clock().unwrap().starts_with("2026-01-01T01:00:0"));
    let e = emu.set_clock("tomorrow").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.message().starts_with("set_clock: \"tomorrow\" is not an RFC 3339 date-time"), "{e}");
    let e = emu.advance_clock(-1.0).unwrap_err();
    assert!(e.message().starts_with("advance_clock: -1 is not a number of seconds zero or more"), "{e}");
    assert!(!emu.real_clock().unwrap().starts_with("2026-01-01T01"));
    emu.set_clock("2026-01-01T00:00:00+02:00").unwrap();
    assert!(emu.clock().unwrap().starts_with("2025-12-31T22:00:0"));
    emu.reset().unwrap();
    assert!(!emu.clock().unwrap().starts_with("2025-12-31T22"));
    emu.stop();
    assert_eq!(emu.set_clock("2026-01-01T00:00:00Z").unwrap_err().message(), "the emulator was stopped");
}

#[test]
fn the_clock_takes_and_gives_system_times_for_bindings_with_a_time_type() {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    let emu = EmulatorHandle::start_blocking(Default::default()).unwrap();
    let at = UNIX_EPOCH + Duration::from_secs(1_767_225_600); // 2026-01-01T00:00:00Z
    let now = emu.set_clock_time(at).unwrap();
    assert!(now.duration_since(at).unwrap() < Duration::from_secs(1));
    assert!(emu.clock_time().unwrap().duration_since(at).unwrap() < Duration::from_secs(1));
    let before = UNIX_EPOCH - Duration::from_secs(1);
    assert_eq!(emu.set_clock_time(before).unwrap_err().kind(), ErrorKind::InvalidArgument);
    emu.real_clock().unwrap();
    let drift = emu.clock_time().unwrap().duration_since(SystemTime::now()).unwrap_or_else(|e| e.duration());
    assert!(drift < Duration::from_secs(1));
}

#[test]
fn messages_name_options_as_each_language_does() {
    let parity: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/parity/vocabulary.json")).unwrap())
            .unwrap();
    // the messages name no duration (their camelCase names carry a unit: `latencyMs`)
    for row in parity["emulator_options"].as_array().unwrap().iter().filter(|r| r["type"] != "duration") {
        let name = row["name"].as_str().unwrap();
        for (names, convention) in [(OptionNames::Snake, Convention::Snake), (OptionNames::Camel, Convention::Camel)] {
            assert_eq!(names.of(name), neonkit::options::emulator_option_name(convention, name), "{name}");
        }
    }
    assert_eq!(OptionNames::Flags.of("postgres_url"), "--postgres-url");
    assert_eq!(OptionNames::Flags.of("state_file"), "--state");
}

#[test]
fn the_state_file_keeps_the_state_across_restarts_and_a_foreign_one_is_refused_by_its_name() {
    let dir = std::env::temp_dir().join(format!("neonkit-handle-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let text = |p: &std::path::Path| OptionValue::Text(p.display().to_string());
    let start = || EmulatorHandle::start_blocking(config(Convention::Camel, values(&[("stateFile", text(&file))])).unwrap());
    let emu = start().unwrap();
    emu.seed_json(r#"{"projects": [{"id": "kept-project-1", "name": "kept"}]}"#).unwrap();
    emu.stop();
    let saved = std::fs::read_to_string(&file).unwrap();
    assert!(saved.contains("kept-project-1"), "the state file lacks what was made");
    let again = start().unwrap();
    let projects: serde_json::Value = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let url = format!("{}/projects", again.base_url());
        reqwest::Client::new().get(url).bearer_auth(again.api_key()).send().await.unwrap().json().await.unwrap()
    });
    assert_eq!(projects["projects"][0]["id"], "kept-project-1", "{projects}");
    again.stop();

    std::fs::write(&file, saved.replacen(concat!("\"version\":\"", env!("CARGO_PKG_VERSION"), "\""), "\"version\":\"0.0.0-other\"", 1))
        .unwrap();
    let e = start().unwrap_err();
    assert!(e.message().contains(&format!("stateFile {}: written by neonkit-emulator 0.0.0-other", file.display())), "{e}");
    assert!(e.message().ends_with("start without stateFile or remove the file"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}
