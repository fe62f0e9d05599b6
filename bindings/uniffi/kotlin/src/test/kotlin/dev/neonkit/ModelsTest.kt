package dev.neonkit

import dev.neonkit.models.CreatedProjectResponse
import dev.neonkit.models.ListProjectBranchesResponse
import dev.neonkit.models.ListProjectsResponse
import dev.neonkit.models.OperationResponse
import dev.neonkit.models.OperationStatus
import dev.neonkit.models.ProjectResponse
import dev.neonkit.models.RoleOperations
import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The generated typed views (dev.neonkit.models) over real responses. */
class ModelsTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    @Test
    fun typedViewsOfTheMainResponses() = runBlocking<Unit> {
        val created = CreatedProjectResponse(client.projects().create("""{"project": {"name": "typed"}}"""))
        val pid = created.project.id
        assertEquals("typed", created.project.name)
        assertEquals("neondb", created.databases[0].name)
        assertEquals("neondb_owner", created.roles[0].name)
        assertTrue(created.connectionUris[0].connectionUri.startsWith("postgres"))
        assertEquals(OperationStatus.FINISHED, created.operations[0].status)
        assertTrue(created.operations[0].status in OperationStatus.values)
        assertEquals(created.branch.id, created.endpoints[0].branchId)

        assertEquals(pid, ProjectResponse(client.projects().get(pid)).project.id)
        assertEquals(listOf(pid), ListProjectsResponse(client.projects().list()).projects.map { it.id })
        val branches = ListProjectBranchesResponse(client.branches().list(pid)).branches
        assertEquals(listOf(created.branch.id), branches.map { it.id })
        val op = OperationResponse(client.operations().get(pid, created.operations[0].id)).operation
        assertEquals(pid, op.projectId)
    }

    @Test
    fun secretsNeverReachToStringAndUnknownFieldsAreKept() {
        val pid = CreatedProjectResponse(client.projects().createBlocking("""{"project": {"name": "s"}}""")).project.id
        val branch = client.branches().listBlocking(pid).json().str("branches.0.id")!!
        val role = RoleOperations(client.roles().createBlocking(pid, branch, """{"role": {"name": "app"}}"""))
        val password = role.role.password
        assertNotNull(password)
        assertFalse(role.toString().contains(password!!), role.toString())
        assertFalse(role.role.toString().contains(password), role.role.toString())
        assertTrue(role.role.toString().contains("password"), "field names are listed")
        // Unknown fields and open enum values survive.
        val view = ProjectResponse("""{"project": {"id": "p-1", "name": "n", "brand_new_field": 1, "provisioner": "k8s-new"}}""")
        assertEquals("k8s-new", view.project.provisioner)
        assertEquals("1", view.project.neonJson["brand_new_field"].toString())
        // A required field the server left out fails on access, with its name.
        val e = assertThrows<IllegalStateException> { ProjectResponse("""{"project": {}}""").project.id }
        assertTrue(e.message!!.contains("\"id\""))
        assertNull(ProjectResponse("""{"project": {"id": "p", "maintenance_starts_at": null}}""").project.maintenanceStartsAt)
    }
}
