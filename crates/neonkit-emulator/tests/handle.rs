//! The handle every testing helper holds: options under a language's names, configure, faults.
#![cfg(feature = "handle")]

use neonkit::{Convention, ErrorKind, OptionValue};
use neonkit_emulator::handle::{config, EmulatorHandle};

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
