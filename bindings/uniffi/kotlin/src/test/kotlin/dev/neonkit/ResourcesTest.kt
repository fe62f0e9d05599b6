package dev.neonkit

import dev.neonkit.models.ApiKeyCreateRequest
import dev.neonkit.models.BranchCreateRequestEndpointOptions
import dev.neonkit.models.BranchUpdateRequest
import dev.neonkit.models.BranchUpdateRequestBranch
import dev.neonkit.models.CreateProjectBranchRequest
import dev.neonkit.models.CreateProjectBranchRequestBranch
import dev.neonkit.models.DatabaseCreateRequest
import dev.neonkit.models.DatabaseCreateRequestDatabase
import dev.neonkit.models.EndpointCreateRequest
import dev.neonkit.models.EndpointCreateRequestEndpoint
import dev.neonkit.models.EndpointState
import dev.neonkit.models.EndpointType
import dev.neonkit.models.ListProjectBranchesSortBy
import dev.neonkit.models.ListProjectBranchesSortOrder
import dev.neonkit.models.OperationStatus
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.models.ProjectUpdateRequest
import dev.neonkit.models.ProjectUpdateRequestProject
import dev.neonkit.models.RoleCreateRequest
import dev.neonkit.models.RoleCreateRequestRole
import dev.neonkit.testing.Emu
import java.time.OffsetDateTime
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * Each main resource family through the typed methods only (models in, models out, typed pagers),
 * suspend and blocking, against the emulator.
 */
class ResourcesTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun project(name: String) = ProjectCreateRequest(project = ProjectCreateRequestProject(name = name))

    private fun newProject(name: String): Pair<String, String> {
        val p = client.projects().createBlocking(project(name))
        return p.project.id to p.branch.id
    }

    @Test
    fun projectsSuspend() = runBlocking<Unit> {
        val created = client.projects().create(project("kt-suspend"))
        val id = created.project.id
        assertEquals("kt-suspend", created.project.name)
        assertEquals(OperationStatus.FINISHED, created.operations[0].status, "create waits for its operations")
        assertTrue(created.operations[0].status.isKnown)
        assertTrue(created.project.createdAt.isAfter(OffsetDateTime.now().minusHours(1)), "timestamps are OffsetDateTime")
        assertTrue(created.missing.isEmpty(), created.missing.toString())
        assertEquals("kt-suspend", client.projects().get(id).project.name)
        client.projects().update(id, ProjectUpdateRequest(project = ProjectUpdateRequestProject(name = "renamed")))
        assertEquals("renamed", client.projects().get(id).project.name)
        assertEquals(listOf(id), client.projects().list(limit = 10).projects.map { it.id })
        assertEquals(id, client.projects().delete(id).project.id)
        assertThrows<NeonException.NotFoundException> { runBlocking { client.projects().get(id) } }
    }

    @Test
    fun projectsBlockingAndPagers() = runBlocking<Unit> {
        val ids = (1..5).map { newProject("p$it").first }
        assertEquals("p1", client.projects().getBlocking(ids[0]).project.name)
        client.projects().updateBlocking(ids[0], ProjectUpdateRequest(project = ProjectUpdateRequestProject(name = "renamed")))
        assertTrue("renamed" in client.projects().listBlocking().projects.map { it.name })
        // Typed pagers, two items a page: a Flow (suspend) and a Sequence (blocking) of ProjectListItem.
        val flowed = client.projects().iter(limit = 2).asFlow().toList()
        assertEquals(ids.toSet(), flowed.map { it.id }.toSet())
        assertEquals(5, flowed.size)
        val seq = client.projects().iter(limit = 2).asSequence().map { it.name }.toList()
        assertEquals(5, seq.size)
        assertTrue("renamed" in seq)
        val pages = client.projects().iter(limit = 2)
        assertEquals(2, pages.nextPageBlocking()!!.size)
        assertEquals(3, pages.collectAllBlocking().size)
        client.projects().deleteBlocking(ids[0])
        assertThrows<NeonException.NotFoundException> { client.projects().getBlocking(ids[0]) }
    }

    @Test
    fun branches() = runBlocking<Unit> {
        val (pid, main) = newProject("branches")
        val b = client.branches().create(
            pid,
            CreateProjectBranchRequest(
                branch = CreateProjectBranchRequestBranch(name = "dev", parentId = main),
                endpoints = listOf(BranchCreateRequestEndpointOptions(type = EndpointType.READ_WRITE)),
            ),
        )
        val bid = b.branch.id
        assertEquals(main, b.branch.parentId)
        assertEquals(EndpointType.READ_WRITE, b.endpoints[0].type)
        assertEquals("dev", client.branches().getBlocking(pid, bid).branch.name)
        client.branches().update(pid, bid, BranchUpdateRequest(branch = BranchUpdateRequestBranch(name = "dev2")))
        assertEquals("dev2", client.branches().get(pid, bid).branch.name)
        val sorted = client.branches().listBlocking(pid, sortBy = ListProjectBranchesSortBy.NAME, sortOrder = ListProjectBranchesSortOrder.ASC)
        assertEquals(listOf("dev2", "main"), sorted.branches.map { it.name })
        assertEquals(true, sorted.branches.first { it.id == main }.default)
        val walked = client.branches().iter(pid, limit = 1).asFlow().toList().map { it.id }.toSet()
        assertEquals(setOf(main, bid), walked)
        client.branches().deleteBlocking(pid, bid)
        assertThrows<NeonException.NotFoundException> { client.branches().getBlocking(pid, bid) }
    }

    @Test
    fun endpoints() = runBlocking<Unit> {
        val (pid, main) = newProject("endpoints")
        val list = client.endpoints().list(pid).endpoints
        val eid = list[0].id
        assertEquals(main, list[0].branchId)
        assertEquals(EndpointType.READ_WRITE, list[0].type)
        assertEquals(eid, client.endpoints().getBlocking(pid, eid).endpoint.id)
        val suspended = client.endpoints().suspend(pid, eid)
        assertEquals(eid, suspended.endpoint.id)
        assertEquals(EndpointState.IDLE, client.endpoints().get(pid, eid).endpoint.currentState)
        assertEquals(eid, client.endpoints().startBlocking(pid, eid).endpoint.id)
        val ro = client.endpoints().create(pid, EndpointCreateRequest(endpoint = EndpointCreateRequestEndpoint(branchId = main, type = EndpointType.READ_ONLY)))
        assertEquals(EndpointType.READ_ONLY, ro.endpoint.type)
        assertEquals(2, client.endpoints().listBlocking(pid).endpoints.size)
    }

    @Test
    fun openEnumsTravelAsTheirValue() = runBlocking<Unit> {
        val (pid, main) = newProject("open-enums")
        // An enum value built from its text is the constant.
        val ro = client.endpoints().create(pid, EndpointCreateRequest(endpoint = EndpointCreateRequestEndpoint(branchId = main, type = EndpointType("read_only"))))
        assertEquals(EndpointType.READ_ONLY, ro.endpoint.type)
        // A value the spec does not list goes to the server unchanged (the emulator validates bodies
        // against the spec and refuses it, naming the field): the open type does not drop or rewrite it.
        val e = assertThrows<NeonException.BadRequestException> {
            client.endpoints().createBlocking(pid, EndpointCreateRequest(endpoint = EndpointCreateRequestEndpoint(branchId = main, type = EndpointType("read_replica_v2"))))
        }
        assertTrue(e.errorMessage.contains("endpoint.type") && e.errorMessage.contains("read_replica_v2"), e.errorMessage)
        assertEquals(listOf(EndpointType.READ_WRITE, EndpointType.READ_ONLY), client.endpoints().list(pid).endpoints.map { it.type })
    }

    @Test
    fun databasesAndRoles() = runBlocking<Unit> {
        val (pid, main) = newProject("dbs")
        val role = client.roles().create(pid, main, RoleCreateRequest(role = RoleCreateRequestRole(name = "app_user")))
        assertEquals("app_user", role.role.name)
        val password = role.role.password
        assertNotNull(password, "a new role's password is returned once")
        assertFalse(role.toString().contains(password!!), role.toString())
        assertTrue(role.toString().contains("password=***"), role.toString())
        assertEquals("app_user", client.roles().getBlocking(pid, main, "app_user").role.name)
        val db = client.databases().createBlocking(pid, main, DatabaseCreateRequest(database = DatabaseCreateRequestDatabase(name = "appdb", ownerName = "app_user")))
        assertEquals("appdb", db.database.name)
        assertEquals("app_user", client.databases().get(pid, main, "appdb").database.ownerName)
        val dbs = client.databases().list(pid, main).databases.map { it.name }
        assertTrue("appdb" in dbs && "neondb" in dbs, dbs.toString())
        client.databases().delete(pid, main, "appdb")
        assertThrows<NeonException.NotFoundException> { client.databases().getBlocking(pid, main, "appdb") }
        val uri = client.projects().getConnectionUriBlocking(pid, "neondb", "app_user", branchId = main)
        assertTrue(uri.uri.startsWith("postgres"))
        assertFalse(uri.toString().contains(uri.uri), uri.toString())
    }

    @Test
    fun operationsAndApiKeys() = runBlocking<Unit> {
        val (pid, _) = newProject("ops")
        val ops = client.operations().list(pid).operations
        val opId = ops[0].id
        assertEquals(OperationStatus.FINISHED, client.operations().getBlocking(pid, opId).operation.status)
        assertEquals(ops.map { it.id }.toSet(), client.operations().iter(pid, limit = 1).asSequence().map { it.id }.toSet())
        val key = client.apiKeys().create(ApiKeyCreateRequest(keyName = "ci"))
        val keyId: Long = key.id
        assertTrue(key.key.isNotEmpty())
        assertFalse(key.toString().contains(key.key), key.toString())
        assertTrue("ci" in client.apiKeys().listBlocking().map { it.name })
        assertEquals(true, client.apiKeys().revoke(keyId).revoked)
    }

    @Test
    fun concurrentSuspendCallsShareOneClient() = runBlocking<Unit> {
        val ids = (1..8).map { i -> async { client.projects().create(project("c$i")).project.id } }.awaitAll()
        assertEquals(8, ids.toSet().size)
        assertEquals(8, client.projects().iter(limit = 3).collectAll().size)
    }

    @Test
    fun blockingCallsFromManyThreadsShareTheRuntime() {
        val ids = java.util.Collections.synchronizedList(mutableListOf<String>())
        val threads = (1..6).map { i -> Thread { ids += client.projects().createBlocking(project("t$i")).project.id } }
        threads.forEach { it.start() }
        threads.forEach { it.join(30_000) }
        assertEquals(6, ids.toSet().size)
        assertEquals(6, client.projects().iter().collectAllBlocking().size)
    }

    @Test
    fun clientOptionsAndToString() {
        assertTrue(client.waitsForOperations())
        assertFalse(client.withWait(false).waitsForOperations())
        assertEquals(Emu.emulator.baseUrl(), client.baseUrl())
        assertTrue(neonkitVersion().isNotEmpty())
        val shown = client.toString()
        assertTrue(shown.contains(Emu.emulator.baseUrl()), shown)
        assertTrue(shown.contains("wait_for_operations"), shown)
        assertFalse(shown.contains(Emu.emulator.apiKey()), shown)
    }
}
