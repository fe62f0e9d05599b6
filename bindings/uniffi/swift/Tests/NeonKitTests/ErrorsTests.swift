import XCTest
@testable import NeonKit

/// Every error kind that a caller can provoke, with its fields.
final class ErrorsTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client(maxRetries: 2)
    }

    func testNotFoundCarriesStatusCodeAndRequestId() async {
        let e = await expectNeonErrorAsync("not_found") { _ = try await self.client.projects().getJson(projectId: "missing-project-1") }
        XCTAssertEqual(e?.status, 404)
        XCTAssertEqual(e?.info.operation, "getProject")
        XCTAssertFalse((e?.requestId ?? "").isEmpty)
        XCTAssertEqual(e.map { errorInfo(error: $0).kind }, "not_found")
    }

    func testInvalidArgumentsFailBeforeAnyRequest() {
        let before = Emu.count("getProject")
        let e = expectNeonError("invalid_argument") { _ = try self.client.projects().getJsonBlocking(projectId: "Bad/Id") }
        XCTAssertNil(e?.status)
        _ = expectNeonError("invalid_argument") { _ = try self.client.projects().createJsonBlocking(body: "{not json") }
        XCTAssertEqual(Emu.count("getProject"), before)
        XCTAssertEqual(Emu.count("createProject"), 0)
    }

    func testConfigErrors() {
        _ = expectNeonError("config") { _ = try NeonClient(apiKey: "", options: NeonClientOptions(baseUrl: Emu.emulator.baseUrl())) }
        _ = expectNeonError("config") { _ = try NeonClient(apiKey: "k", options: NeonClientOptions(baseUrl: "ftp://nope")) }
    }

    func testUnauthorizedAndTheKeyNeverLeaks() {
        let bad = try! NeonClient(apiKey: "wrong-secret-key-123", options: NeonClientOptions(baseUrl: Emu.emulator.baseUrl()))
        let e = expectNeonError("unauthorized") { _ = try bad.projects().listJsonBlocking() }
        XCTAssertEqual(e?.status, 401)
        XCTAssertFalse("\(String(describing: e))".contains("wrong-secret-key-123"))
    }

    func testLockedIsRetriedThenReported() throws {
        let pid = try client.projects().createJsonBlocking(body: #"{"project": {"name": "l"}}"#).jsonString("project.id")!
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 423, "times": 2}"#)
        XCTAssertEqual(try client.projects().getJsonBlocking(projectId: pid).jsonString("project.id"), pid)
        XCTAssertEqual(Emu.count("getProject"), 3)
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 423, "times": 10}"#)
        let e = expectNeonError("locked") { _ = try self.client.projects().getJsonBlocking(projectId: pid) }
        XCTAssertEqual(e?.status, 423)
    }

    func testServerAndNetworkErrors() throws {
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "listProjects", "kind": "status", "status": 500, "times": 10}"#)
        let s = expectNeonError("server") { _ = try self.client.projects().listJsonBlocking() }
        XCTAssertEqual(s?.status, 500)
        let dead = try NeonClient(apiKey: "k", options: NeonClientOptions(baseUrl: "http://127.0.0.1:9/api/v2", maxRetries: 0))
        _ = expectNeonError("network") { _ = try dead.projects().listJsonBlocking() }
    }
}
