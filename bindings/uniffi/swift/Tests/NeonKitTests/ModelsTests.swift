import XCTest
@testable import NeonKit

/// The generated typed views (NeonModels) over real responses.
final class ModelsTests: XCTestCase {
    var client: NeonClient!

    override func setUp() {
        Emu.reset()
        client = Emu.client()
    }

    func testTypedViewsOfTheMainResponses() async throws {
        let createdText = try await client.projects().createJson(body: #"{"project": {"name": "typed"}}"#)
        let created = try NeonModels.CreatedProjectResponse(text: createdText)
        let pid = try XCTUnwrap(created.project?.id)
        XCTAssertEqual(created.project?.name, "typed")
        XCTAssertEqual(created.databases?.first?.name, "neondb")
        XCTAssertEqual(created.operations?.first?.status, "finished")
        XCTAssertTrue(NeonModels.OperationStatus.values.contains("finished"))
        let listed = try NeonModels.ListProjectsResponse(text: try client.projects().listJsonBlocking(query: nil))
        XCTAssertEqual(listed.projects?.map { $0.id }, [pid])
    }

    func testSecretsNeverReachDescription() throws {
        let pid = try NeonModels.CreatedProjectResponse(text: try client.projects().createJsonBlocking(body: #"{"project": {"name": "s"}}"#)).project!.id!
        let branch = try client.branches().listJsonBlocking(projectId: pid, query: nil).jsonString("branches.0.id")!
        let role = try NeonModels.RoleOperations(text: try client.roles().createJsonBlocking(projectId: pid, branchId: branch, body: #"{"role": {"name": "app"}}"#))
        let password = try XCTUnwrap(role.role?.password)
        XCTAssertFalse(role.description.contains(password))
        XCTAssertFalse(role.role!.description.contains(password))
        let view = try NeonModels.ProjectResponse(text: #"{"project": {"id": "p-1", "provisioner": "k8s-new", "brand_new_field": 1}}"#)
        XCTAssertEqual(view.project?.provisioner, "k8s-new")
        XCTAssertNotNil(view.project?.json["brand_new_field"])
    }
}
