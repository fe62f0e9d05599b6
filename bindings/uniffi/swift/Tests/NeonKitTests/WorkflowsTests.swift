import XCTest
@testable import NeonKit

/// The workflows of spec/workflows.yaml (generated methods on the namespaces and
/// on NeonClient, which run the core's `Client::workflow`), against the emulator.
/// Mirrors the Kotlin WorkflowsTest.
final class WorkflowsTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client()
    }

    func project(_ name: String = "wf") throws -> String {
        try NeonModels.CreatedProjectResponse(text: try client.projects().createJsonBlocking(body: #"{"project": {"name": "\#(name)"}}"#)).project!.id!
    }

    func testEveryWorkflowHasAMethodThatReachesTheCoreByItsId() async throws {
        XCTAssertEqual(Set(workflowIds()), Set(Dispatch.workflowIds))
        XCTAssertEqual(Dispatch.workflowIds.count, 11)
        let c = Emu.client(maxRetries: 0)
        for id in Dispatch.workflowIds {
            for blocking in [false, true] {
                do {
                    if blocking {
                        _ = try Dispatch.workflowBlocking(c, id, Args(dummies: true))
                    } else {
                        _ = try await Dispatch.workflow(c, id, Args(dummies: true))
                    }
                } catch let e as NeonError {
                    XCTAssertFalse(e.info.errorMessage.contains("no workflow"), "\(id): \(e.info)")
                    XCTAssertFalse(["runtime", "config", "decode"].contains(e.kind), "\(id): \(e.info)")
                }
            }
        }
    }

    func testUnknownIdsAndArgumentsAreInvalidArgumentsBeforeAnyRequest() async throws {
        let e = await expectNeonErrorAsync("invalid_argument") { _ = try await self.client.workflow(id: "branches.nope", args: "{}") }
        XCTAssertTrue(e?.info.errorMessage.contains("branches.nope") == true)
        let arg = expectNeonError("invalid_argument") {
            _ = try self.client.workflowBlocking(id: "branches.ensure", args: #"{"project_id": "p-1", "name": "dev", "colour": "blue"}"#)
        }
        XCTAssertTrue(arg?.info.errorMessage.contains("colour") == true)
        XCTAssertEqual(Emu.count("listProjectBranches"), 0)
    }

    func testABodyThatIsNotJsonIsAnInvalidArgumentBeforeAnyRequest() throws {
        let e = expectNeonError("invalid_argument") { _ = try self.client.projects().createAndConnectJsonBlocking(body: #"{"project": {"name": "s3cr3t""#) }
        XCTAssertTrue(e?.info.errorMessage.contains("body is not JSON") == true)
        XCTAssertFalse(e?.info.errorMessage.contains("s3cr3t") ?? true)
        XCTAssertEqual(Emu.count("createProject"), 0)
    }

    func testEnsureTwiceCreatesOnceAsyncThenBlocking() async throws {
        let pid = try project()
        let first = try NeonModels.EnsuredBranch(text: try await client.branches().ensureJson(projectId: pid, name: "dev"))
        XCTAssertEqual(first.created, true)
        let second = try NeonModels.EnsuredBranch(text: try client.branches().ensureJsonBlocking(projectId: pid, name: "dev"))
        XCTAssertEqual(second.created, false)
        XCTAssertEqual(first.branch?.id, second.branch?.id)
        XCTAssertEqual(Emu.count("createProjectBranch"), 1)
    }

    func testConnectionStringOfAFreshProjectIsPooledByDefault() async throws {
        let pid = try project()
        let pooled = try await client.connectionString(projectId: pid)
        XCTAssertTrue(pooled.hasPrefix("postgres"))
        XCTAssertTrue(pooled.contains("-pooler"))
        let direct = try client.connectionStringBlocking(projectId: pid, pooled: false)
        XCTAssertFalse(direct.contains("-pooler"))
    }

    func testConnectionViewsNeverDescribeTheConnectionString() async throws {
        let made = try NeonModels.ProjectConnection(text: try await client.projects().createAndConnectJson(body: #"{"project": {"name": "cc"}}"#))
        let uri = try XCTUnwrap(made.connectionString)
        XCTAssertFalse(made.description.contains(uri))
        let pid = try XCTUnwrap(made.project?.id)
        let branch = try NeonModels.BranchConnection(text: try client.branches().createAndConnectJsonBlocking(projectId: pid, name: "feature"))
        let buri = try XCTUnwrap(branch.connectionString)
        XCTAssertFalse(branch.description.contains(buri))
        XCTAssertTrue(branch.description.contains("connection_string"))
    }
}
