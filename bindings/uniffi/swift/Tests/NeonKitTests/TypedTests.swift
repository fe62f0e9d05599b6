import XCTest
@testable import NeonKit

/// The typed surface only (Codable models in and out, typed pagers, open enums), against the emulator,
/// and the models' decoding of real-API-shaped responses. Parsed here, not compiled (no Swift toolchain).
final class TypedTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private func project(_ name: String) -> ProjectCreateRequest {
        ProjectCreateRequest(project: ProjectCreateRequestProject(name: name))
    }

    func testProjectsAndPagers() async throws {
        let created = try await client.projects().create(body: project("sw-typed"))
        XCTAssertEqual(created.project.name, "sw-typed")
        XCTAssertEqual(created.operations[0].status, OperationStatus.finished)
        XCTAssertTrue(created.missing.isEmpty)
        let id = created.project.id
        XCTAssertEqual(try client.projects().getBlocking(projectId: id).project.name, "sw-typed")
        _ = try await client.projects().update(projectId: id, body: ProjectUpdateRequest(project: ProjectUpdateRequestProject(name: "renamed")))
        for i in 1...4 { _ = try client.projects().createBlocking(body: project("p\(i)")) }
        var names: [String] = []
        for try await p in client.projects().iter(limit: 2).items() { names.append(p.name) }
        XCTAssertEqual(names.count, 5)
        XCTAssertTrue(names.contains("renamed"))
        XCTAssertEqual(try client.projects().iter(limit: 3).collectAllBlocking().count, 5)
    }

    func testBranchesEndpointsAndOpenEnums() async throws {
        let made = try client.projects().createBlocking(body: project("branches"))
        let b = try await client.branches().create(projectId: made.project.id, body: CreateProjectBranchRequest(
            endpoints: [BranchCreateRequestEndpointOptions(type: .readWrite)],
            branch: CreateProjectBranchRequestBranch(parentId: made.branch.id, name: "dev")
        ))
        XCTAssertEqual(b.branch.name, "dev")
        XCTAssertEqual(b.endpoints[0].type, EndpointType.readWrite)
        XCTAssertTrue(b.endpoints[0].type.isKnown)
        let sorted = try client.branches().listBlocking(projectId: made.project.id, sortBy: .name)
        XCTAssertEqual(sorted.branches.map { $0.name }.sorted(), ["dev", "main"])
        XCTAssertFalse(EndpointType("read_replica_v2").isKnown)
    }

    func testRolesHideTheirPassword() throws {
        let made = try client.projects().createBlocking(body: project("roles"))
        let role = try client.roles().createBlocking(projectId: made.project.id, branchId: made.branch.id, body: RoleCreateRequest(role: RoleCreateRequestRole(name: "app")))
        let password = try XCTUnwrap(role.role.password)
        XCTAssertFalse(role.description.contains(password))
        XCTAssertTrue(role.role.description.contains("password=***"))
    }

    func testRealApiShapedResponsesDecode() throws {
        // No `default` (older branches), no `created_by` on a new key (spec/real-api.yaml), an unknown field.
        let branch: Branch = try NeonCoding.decode(from: #"{"id": "br-1", "project_id": "p-1", "name": "main", "current_state": "ready", "state_changed_at": "2024-02-23T17:42:25Z", "creation_source": "console", "protected": false, "created_at": "2024-02-23T17:42:25.123Z", "updated_at": "2024-02-23T17:42:25Z", "brand_new": 1}"#)
        XCTAssertNil(branch.default)
        XCTAssertEqual(branch.name, "main")
        XCTAssertEqual(branch.extra["brand_new"], NeonJSON.number(1))
        XCTAssertTrue(branch.missing.contains("cpu_used_sec"))
        let key: ApiKeyCreateResponse = try NeonCoding.decode(from: #"{"id": 1, "key": "napi_x", "name": "ci", "created_at": "2024-03-01T10:00:00Z"}"#)
        XCTAssertNil(key.createdBy)
        XCTAssertFalse(key.description.contains("napi_x"))
        let op: OperationResponse = try NeonCoding.decode(from: #"{"operation": {"id": "op-1", "status": "paused_by_admin"}}"#)
        XCTAssertEqual(op.operation.status.rawValue, "paused_by_admin")
        XCTAssertFalse(op.operation.status.isKnown)
    }

    func testClientDescriptionHidesTheKey() {
        XCTAssertFalse(client.description.contains(Emu.emulator.apiKey()))
        XCTAssertTrue(client.description.contains(Emu.emulator.baseUrl()))
    }
}
