import Foundation
import XCTest
@testable import NeonKit

/// `withOptions` (deadline, retries, headers), response metadata (`callWithResponse`) and the raw `request`.
final class OptionsAndRawTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client(maxRetries: 3)
    }

    func testTimeoutIsTheWholeCallsDeadline() throws {
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "listProjects", "kind": "latency", "ms": 2000}"#)
        let fast = try client.withOptions(options: NeonCallOptions(timeoutMs: 300))
        let started = Date()
        _ = expectNeonError("timeout") { _ = try fast.projects().listJsonBlocking() }
        XCTAssertLessThan(Date().timeIntervalSince(started), 1.5)
    }

    func testMaxRetriesPerCall() throws {
        let pid = try client.projects().createJsonBlocking(body: #"{"project": {"name": "opts"}}"#).jsonString("project.id")!
        let before = Emu.count("getProject")
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 423, "times": 10}"#)
        let once = try client.withOptions(options: NeonCallOptions(maxRetries: 0))
        _ = expectNeonError("locked") { _ = try once.projects().getJsonBlocking(projectId: pid) }
        XCTAssertEqual(Emu.count("getProject") - before, 1)
    }

    func testHeadersReachTheServer() throws {
        let tagged = try client.withOptions(options: NeonCallOptions(headers: ["X-Request-Id": "swift-req-1"]))
        let r = try tagged.callWithResponseBlocking(operationId: "listProjects", path: [], query: [], body: nil)
        XCTAssertEqual(r.requestId, "swift-req-1")
    }

    func testBadCallOptionsAreConfigErrors() {
        _ = expectNeonError("config") { _ = try self.client.withOptions(options: NeonCallOptions(timeoutMs: -1000)) }
    }

    func testCallWithResponseAndRawRequest() async throws {
        let posted = try await client.request(method: "POST", path: "/projects", query: [], body: #"{"project": {"name": "raw"}}"#)
        XCTAssertTrue((200..<300).contains(posted.status))
        let pid = posted.text.jsonString("project.id")!
        let r = try await client.callWithResponse(operationId: "getProject", path: [pid], query: [], body: nil)
        XCTAssertEqual(r.status, 200)
        XCTAssertEqual(r.requestId, r.headers.first { $0.name == "x-neon-ret-request-id" }?.value)
        let e = expectNeonError("not_found") { _ = try self.client.requestBlocking(method: "GET", path: "/projects/missing-project-1", query: [], body: nil) }
        XCTAssertFalse((e?.requestId ?? "").isEmpty)
        _ = expectNeonError("invalid_argument") { _ = try self.client.requestBlocking(method: "GET", path: "projects", query: [], body: nil) }
    }
}
