//! Enum values the spec does not list (what a newer Neon sends) decode through the
//! typed methods into the open enums' `Unknown` variant, stay reachable, and
//! serialize back unchanged. The emulator's `merge_body` fault sends them.
// `Endpoint::pooler_mode` is deprecated in the spec; it is read here as one more open enum.
#![allow(deprecated)]

mod common;

use common::*;
use neonkit::models::{EndpointPoolerMode, EndpointState, EndpointType, OperationAction, OperationStatus};
use neonkit_emulator::FaultKind;
use serde_json::json;

#[tokio::test]
async fn an_unknown_endpoint_state_is_kept_and_serializes_back() {
    let emu = emulator().await;
    let client = client(&emu);
    let created = new_project(&client, "unknown-enums").await;
    let pid = created.project.id.clone();
    let eid = created.endpoints[0].id.clone();
    emu.add_fault(fault(
        "getProjectEndpoint",
        FaultKind::MergeBody {
            body: json!({"endpoint": {"current_state": "hibernating", "pending_state": "thawing", "pooler_mode": "statement"}}),
        },
        1,
    ));

    let got = client.endpoints().get(&pid, &eid).await.expect("an unknown enum value is not a decode error");
    let ep = &got.endpoint;
    assert_eq!(ep.current_state, EndpointState::Unknown("hibernating".into()));
    assert_eq!(ep.current_state.as_str(), "hibernating");
    assert_eq!(ep.current_state.to_string(), "hibernating");
    assert!(!EndpointState::VALUES.contains(&ep.current_state.as_str()));
    assert_ne!(ep.current_state, EndpointState::Active);
    assert_eq!(ep.pending_state, Some(EndpointState::Unknown("thawing".into())));
    assert_eq!(ep.pooler_mode, EndpointPoolerMode::Unknown("statement".into()));
    // the known values of the same answer decode as ever
    assert_eq!(ep.r#type, EndpointType::ReadWrite);
    assert_eq!(ep.id, eid);
    // serialized back: the value as it was sent
    let back = serde_json::to_value(&got).unwrap();
    assert_eq!(back["endpoint"]["current_state"], "hibernating");
    assert_eq!(back["endpoint"]["pending_state"], "thawing");
    assert_eq!(back["endpoint"]["pooler_mode"], "statement");
    assert_eq!(back["endpoint"]["type"], "read_write");
    let again: neonkit::models::EndpointResponse = serde_json::from_value(back).unwrap();
    assert_eq!(again, got);

    // the fault was for one answer: the next one is the emulator's own
    let next = client.endpoints().get(&pid, &eid).await.unwrap();
    assert!(!matches!(next.endpoint.current_state, EndpointState::Unknown(_)), "{:?}", next.endpoint.current_state);
    assert_eq!(next.endpoint.pooler_mode, EndpointPoolerMode::Transaction);

    // another model: an operation's status and action
    let op_id = created.operations[0].id.clone();
    emu.add_fault(fault(
        "getProjectOperation",
        FaultKind::MergeBody { body: json!({"operation": {"status": "paused", "action": "hibernate_compute"}}) },
        1,
    ));
    let op = client.operations().get(&pid, &op_id).await.unwrap();
    assert_eq!(op.operation.status, OperationStatus::Unknown("paused".into()));
    assert_eq!(op.operation.action, OperationAction::Unknown("hibernate_compute".into()));
    assert_eq!(serde_json::to_value(&op).unwrap()["operation"]["status"], "paused");
    emu.stop().await;
}
