package dev.neonkit

import dev.neonkit.models.ApiKeyCreateResponse
import dev.neonkit.models.Branch
import dev.neonkit.models.CreatedProjectResponse
import dev.neonkit.models.EndpointType
import dev.neonkit.models.GetProjectBranchResponse
import dev.neonkit.models.ListProjectsResponse
import dev.neonkit.models.NEON_EPOCH
import dev.neonkit.models.OperationStatus
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.models.ProjectResponse
import dev.neonkit.models.Role
import dev.neonkit.models.RoleOperations
import java.time.OffsetDateTime
import java.time.ZoneOffset
import kotlinx.serialization.json.JsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The generated models read real-API-shaped JSON leniently, write it back, and never print a secret. */
class ModelsTest {
    // As the real API answered (2024–2025): no `default` on branches, no `created_by` on a new key,
    // no `applications` in a project list, no `annotation` beside a branch (spec/real-api.yaml).
    private val realBranch = """
        {"id": "br-small-term-683261", "project_id": "shiny-wind-028834", "parent_id": null, "name": "main",
         "current_state": "ready", "state_changed_at": "2024-02-23T17:42:25Z", "logical_size": 30531584,
         "creation_source": "console", "primary": true, "protected": false, "cpu_used_sec": 0,
         "compute_time_seconds": 0, "active_time_seconds": 0, "written_data_bytes": 0, "data_transfer_bytes": 0,
         "created_at": "2024-02-23T17:42:25Z", "updated_at": "2024-02-26T08:03:13.183+01:00",
         "init_source": "parent-data", "new_server_field": {"x": 1}}
    """

    @Test
    fun fieldsOlderRealResponsesLackAreNullNotErrors() {
        val b = Branch.fromJson(realBranch)
        assertNull(b.default, "Branch.default is absent in older responses")
        assertTrue(b.missing.isEmpty(), b.missing.toString())
        assertEquals("main", b.name)
        assertEquals(OffsetDateTime.of(2024, 2, 23, 17, 42, 25, 0, ZoneOffset.UTC), b.createdAt)
        assertEquals(ZoneOffset.ofHours(1), b.updatedAt.offset)
        assertEquals(30531584L, b.logicalSize)

        val got = GetProjectBranchResponse.fromJson("""{"branch": $realBranch}""")
        assertNull(got.annotation)
        assertEquals("br-small-term-683261", got.branch.id)

        val key = ApiKeyCreateResponse.fromJson("""{"id": 177630, "key": "napi_secretvalue", "name": "ci", "created_at": "2024-03-01T10:00:00Z"}""")
        assertNull(key.createdBy)
        assertEquals(177630L, key.id)
        assertFalse(key.toString().contains("napi_secretvalue"), key.toString())

        val list = ListProjectsResponse.fromJson("""{"projects": [], "pagination": {"cursor": ""}}""")
        assertNull(list.applications)
        assertEquals(emptyList<Any>(), list.projects)
    }

    @Test
    fun unknownFieldsAreKeptAndWrittenBack() {
        val b = Branch.fromJson(realBranch)
        assertEquals(setOf("new_server_field"), b.extra.keys)
        assertEquals(JsonPrimitive(1), (b.json["new_server_field"] as kotlinx.serialization.json.JsonObject)["x"])
        val again = Branch.fromJson(b.toJson())
        assertEquals(b, again)
        assertEquals(b.extra, again.extra)
        assertTrue(b.toString().contains("extra=[new_server_field]"), b.toString())
    }

    @Test
    fun aMissingRequiredFieldIsItsZeroValueAndNamedInMissing() {
        val p = ProjectResponse.fromJson("""{"project": {"id": "p-1", "pg_version": "seventeen"}}""")
        assertEquals("p-1", p.project.id)
        assertEquals("", p.project.name)
        assertEquals(0L, p.project.pgVersion, "a value of the wrong type reads as absent")
        assertEquals(NEON_EPOCH, p.project.createdAt)
        assertTrue("name" in p.project.missing && "pg_version" in p.project.missing && "created_at" in p.project.missing)
        assertFalse("id" in p.project.missing)
        assertEquals(JsonPrimitive("seventeen"), p.project.json["pg_version"], "the JSON keeps what came")
        // Nothing at all: still no exception.
        val empty = CreatedProjectResponse.fromJson("{}")
        assertEquals("", empty.project.id)
        assertEquals(emptyList<Any>(), empty.operations)
        assertTrue("project" in empty.missing)
        assertThrows<IllegalArgumentException> { CreatedProjectResponse.fromJson("[1]") }
    }

    @Test
    fun enumsAreOpen() {
        val created = CreatedProjectResponse.fromJson(
            """{"operations": [{"id": "op-1", "status": "paused_by_admin"}, {"id": "op-2", "status": "finished"}],
                "endpoints": [{"id": "ep-1", "type": "read_write"}]}""",
        )
        assertEquals(OperationStatus("paused_by_admin"), created.operations[0].status)
        assertFalse(created.operations[0].status.isKnown)
        assertEquals(OperationStatus.FINISHED, created.operations[1].status)
        assertTrue(created.operations[1].status in OperationStatus.values)
        assertEquals(EndpointType.READ_WRITE, created.endpoints[0].type)
        assertEquals("paused_by_admin", created.operations[0].status.toString())
        // Written back as it came.
        assertTrue(created.toJson().contains("\"paused_by_admin\""))
    }

    @Test
    fun requestModelsWriteTheApisJson() {
        val body = ProjectCreateRequest(project = ProjectCreateRequestProject(name = "demo", pgVersion = 17, regionId = "aws-us-east-2"))
        assertEquals("""{"project":{"name":"demo","region_id":"aws-us-east-2","pg_version":17}}""", body.toJson())
        assertTrue(body.missing.isEmpty())
        assertEquals(body, ProjectCreateRequest.fromJson(body.toJson()))
        assertEquals("ProjectCreateRequest(project=ProjectCreateRequestProject(name=demo, regionId=aws-us-east-2, pgVersion=17))", body.toString())
    }

    @Test
    fun secretsNeverReachToString() {
        val role = RoleOperations.fromJson(
            """{"role": {"branch_id": "br-1", "name": "app", "password": "hunter2-secret", "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z"}, "operations": []}""",
        )
        assertEquals("hunter2-secret", role.role.password)
        for (shown in listOf(role.toString(), role.role.toString(), listOf(role.role).toString())) {
            assertFalse(shown.contains("hunter2"), shown)
            assertTrue(shown.contains("password=***"), shown)
        }
        assertTrue(role.role.toString().contains("name=app"), "other values are listed")
        val built = Role(branchId = "b", name = "n", password = "pw-123456", createdAt = NEON_EPOCH, updatedAt = NEON_EPOCH)
        assertFalse(built.toString().contains("pw-123456"), built.toString())
        val created = CreatedProjectResponse.fromJson(
            """{"connection_uris": [{"connection_uri": "postgresql://u:sekret@h/db", "connection_parameters": {"password": "sekret", "host": "h"}}]}""",
        )
        assertFalse(created.toString().contains("sekret"), created.toString())
        assertEquals("postgresql://u:sekret@h/db", created.connectionUris[0].connectionUri)
    }
}
