import XCTest
@testable import NeonKit

/// Operation waits and pagination.
final class WaitsAndPagesTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private func project(_ name: String = "w") throws -> String {
        try client.projects().createJsonBlocking(body: #"{"project": {"name": "\#(name)"}}"#).jsonString("project.id")!
    }

    func testMutationsWaitByDefaultAndNotWhenAskedNot() async throws {
        let pid = try project()
        let waited = try await client.branches().createJson(projectId: pid, body: #"{"branch": {"name": "a"}}"#)
        XCTAssertEqual(waited.jsonString("operations.0.status"), "finished")
        let quick = try await client.withWait(wait: false).branches().createJson(projectId: pid, body: #"{"branch": {"name": "b"}}"#)
        XCTAssertNotEqual(quick.jsonString("operations.0.status"), "finished")
        let ops = NeonJSON.at(try NeonJSON.parse(quick), "operations") as! [[String: Any]]
        let ids = ops.map { $0["id"] as! String }
        let doneText = try await client.waitForOperations(projectId: pid, operationIds: ids)
        let done = try NeonJSON.parse(doneText) as! [[String: Any]]
        XCTAssertEqual(done.count, ids.count)
        XCTAssertTrue(done.allSatisfy { ($0["status"] as? String) == "finished" })
    }

    func testFailedOperationIsAnError() throws {
        let pid = try project()
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "createProjectBranch", "kind": "fail_operation", "error": "disk quota exceeded", "times": 1}"#)
        let e = expectNeonError("operation_failed") { _ = try self.client.branches().createJsonBlocking(projectId: pid, body: #"{"branch": {"name": "doomed"}}"#) }
        XCTAssertEqual(e?.info.pendingOperations.count, 1)
        XCTAssertTrue(e?.message.contains("disk quota exceeded") ?? false)
    }

    func testPagersWalkEveryPage() async throws {
        for i in 0..<7 { _ = try project("p\(i)") }
        let pager = client.projects().iterJson(query: ListProjectsQuery(limit: 3))
        var sizes: [Int] = []
        while let page = try await pager.nextPage() { sizes.append(page.count) }
        XCTAssertEqual(sizes, [3, 3, 1])
        var n = 0
        for try await _ in client.projects().iterJson(query: ListProjectsQuery(limit: 2)).items() { n += 1 }
        XCTAssertEqual(n, 7)
        XCTAssertEqual(try client.projects().iterJson(query: nil).collectAllBlocking().count, 7)
    }
}
