import XCTest
@testable import NeonKit

/// Each main resource family through its generated methods, async and blocking.
final class ResourcesTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private func newProject(_ name: String) throws -> (String, String) {
        let p = try client.projects().createJsonBlocking(body: #"{"project": {"name": "\#(name)"}}"#)
        return (p.jsonString("project.id")!, p.jsonString("branch.id")!)
    }

    func testProjectsAsync() async throws {
        let created = try await client.projects().createJson(body: #"{"project": {"name": "sw-async"}}"#)
        let id = created.jsonString("project.id")!
        XCTAssertEqual(created.jsonString("project.name"), "sw-async")
        XCTAssertEqual(created.jsonString("operations.0.status"), "finished")
        let r1 = try await client.projects().getJson(projectId: id)
        XCTAssertEqual(r1.jsonString("project.name"), "sw-async")
        _ = try await client.projects().updateJson(projectId: id, body: #"{"project": {"name": "renamed"}}"#)
        let r2 = try await client.projects().getJson(projectId: id)
        XCTAssertEqual(r2.jsonString("project.name"), "renamed")
        let listed = try await client.projects().listJson(query: ListProjectsQuery(limit: 10))
        XCTAssertEqual(listed.jsonString("projects.0.id"), id)
        let r3 = try await client.projects().deleteJson(projectId: id)
        XCTAssertEqual(r3.jsonString("project.id"), id)
        _ = await expectNeonErrorAsync("not_found") { _ = try await self.client.projects().getJson(projectId: id) }
    }

    func testProjectsBlocking() throws {
        let (id, _) = try newProject("sw-blocking")
        XCTAssertEqual(try client.projects().getJsonBlocking(projectId: id).jsonString("project.name"), "sw-blocking")
        _ = try client.projects().updateJsonBlocking(projectId: id, body: #"{"project": {"name": "renamed"}}"#)
        XCTAssertEqual(try client.projects().listJsonBlocking().jsonString("projects.0.name"), "renamed")
        _ = try client.projects().deleteJsonBlocking(projectId: id)
        _ = expectNeonError("not_found") { _ = try self.client.projects().getJsonBlocking(projectId: id) }
    }

    func testBranches() async throws {
        let (pid, main) = try newProject("branches")
        let b = try await client.branches().createJson(projectId: pid, body: #"{"branch": {"name": "dev", "parent_id": "\#(main)"}}"#)
        let bid = b.jsonString("branch.id")!
        XCTAssertEqual(b.jsonString("branch.parent_id"), main)
        XCTAssertEqual(try client.branches().getJsonBlocking(projectId: pid, branchId: bid).jsonString("branch.name"), "dev")
        _ = try await client.branches().updateJson(projectId: pid, branchId: bid, body: #"{"branch": {"name": "dev2"}}"#)
        let r4 = try await client.branches().getJson(projectId: pid, branchId: bid)
        XCTAssertEqual(r4.jsonString("branch.name"), "dev2")
        _ = try client.branches().deleteJsonBlocking(projectId: pid, branchId: bid)
        _ = expectNeonError("not_found") { _ = try self.client.branches().getJsonBlocking(projectId: pid, branchId: bid) }
    }

    func testEndpoints() async throws {
        let (pid, main) = try newProject("endpoints")
        let list = try await client.endpoints().listJson(projectId: pid)
        let eid = list.jsonString("endpoints.0.id")!
        XCTAssertEqual(list.jsonString("endpoints.0.branch_id"), main)
        XCTAssertEqual(try client.endpoints().getJsonBlocking(projectId: pid, endpointId: eid).jsonString("endpoint.id"), eid)
        let r5 = try await client.endpoints().suspendJson(projectId: pid, endpointId: eid)
        XCTAssertEqual(r5.jsonString("endpoint.id"), eid)
        XCTAssertEqual(try client.endpoints().startJsonBlocking(projectId: pid, endpointId: eid).jsonString("endpoint.id"), eid)
    }

    func testDatabasesAndRoles() async throws {
        let (pid, main) = try newProject("dbs")
        let role = try await client.roles().createJson(projectId: pid, branchId: main, body: #"{"role": {"name": "app_user"}}"#)
        XCTAssertEqual(role.jsonString("role.name"), "app_user")
        XCTAssertNotNil(role.jsonString("role.password"))
        let db = try client.databases().createJsonBlocking(projectId: pid, branchId: main, body: #"{"database": {"name": "appdb", "owner_name": "app_user"}}"#)
        XCTAssertEqual(db.jsonString("database.name"), "appdb")
        let r6 = try await client.databases().getJson(projectId: pid, branchId: main, databaseName: "appdb")
        XCTAssertEqual(r6.jsonString("database.owner_name"), "app_user")
        _ = try await client.databases().deleteJson(projectId: pid, branchId: main, databaseName: "appdb")
        _ = expectNeonError("not_found") { _ = try self.client.databases().getJsonBlocking(projectId: pid, branchId: main, databaseName: "appdb") }
    }

    func testOperationsAndApiKeys() async throws {
        let (pid, _) = try newProject("ops")
        let ops = try await client.operations().listJson(projectId: pid)
        let opId = ops.jsonString("operations.0.id")!
        XCTAssertEqual(try client.operations().getJsonBlocking(projectId: pid, operationId: opId).jsonString("operation.status"), "finished")
        let key = try await client.apiKeys().createJson(body: #"{"key_name": "ci"}"#)
        let keyId = Int64(key.jsonString("id")!)!
        XCTAssertNotNil(key.jsonString("key"))
        let r7 = try await client.apiKeys().revokeJson(keyId: keyId)
        XCTAssertEqual(r7.jsonString("revoked"), "1")
    }
}
