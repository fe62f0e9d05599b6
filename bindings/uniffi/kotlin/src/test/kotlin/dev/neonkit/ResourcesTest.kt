package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Each main resource family through its generated methods, suspend and blocking. */
class ResourcesTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun newProject(name: String): Pair<String, String> {
        val p = client.projects().createBlocking("""{"project": {"name": "$name"}}""").json()
        return p.str("project.id")!! to p.str("branch.id")!!
    }

    @Test
    fun projectsSuspend() = runBlocking<Unit> {
        val created = client.projects().create("""{"project": {"name": "kt-suspend"}}""").json()
        val id = created.str("project.id")!!
        assertEquals("kt-suspend", created.str("project.name"))
        assertEquals("finished", created.str("operations.0.status"), "create waits for its operations")
        assertEquals("kt-suspend", client.projects().get(id).json().str("project.name"))
        client.projects().update(id, """{"project": {"name": "renamed"}}""")
        assertEquals("renamed", client.projects().get(id).json().str("project.name"))
        val listed = client.projects().list(ListProjectsQuery(limit = 10)).json()
        assertEquals(id, listed.str("projects.0.id"))
        assertEquals(id, client.projects().delete(id).json().str("project.id"))
        assertThrows<NeonException.NotFoundException> { runBlocking { client.projects().get(id) } }
    }

    @Test
    fun projectsBlocking() {
        val (id, _) = newProject("kt-blocking")
        assertEquals("kt-blocking", client.projects().getBlocking(id).json().str("project.name"))
        client.projects().updateBlocking(id, """{"project": {"name": "renamed"}}""")
        assertEquals("renamed", client.projects().listBlocking().json().str("projects.0.name"))
        client.projects().deleteBlocking(id)
        assertThrows<NeonException.NotFoundException> { client.projects().getBlocking(id) }
    }

    @Test
    fun branches() = runBlocking<Unit> {
        val (pid, main) = newProject("branches")
        val b = client.branches().create(pid, """{"branch": {"name": "dev", "parent_id": "$main"}, "endpoints": [{"type": "read_write"}]}""").json()
        val bid = b.str("branch.id")!!
        assertEquals(main, b.str("branch.parent_id"))
        assertEquals("dev", client.branches().getBlocking(pid, bid).json().str("branch.name"))
        client.branches().update(pid, bid, """{"branch": {"name": "dev2"}}""")
        assertEquals("dev2", client.branches().get(pid, bid).json().str("branch.name"))
        val names = client.branches().listBlocking(pid).json().at("branches").toString()
        assertTrue("dev2" in names && "main" in names, names)
        client.branches().deleteBlocking(pid, bid)
        assertThrows<NeonException.NotFoundException> { client.branches().getBlocking(pid, bid) }
    }

    @Test
    fun endpoints() = runBlocking<Unit> {
        val (pid, main) = newProject("endpoints")
        val list = client.endpoints().list(pid).json()
        val eid = list.str("endpoints.0.id")!!
        assertEquals(main, list.str("endpoints.0.branch_id"))
        assertEquals(eid, client.endpoints().getBlocking(pid, eid).json().str("endpoint.id"))
        val suspended = client.endpoints().suspend(pid, eid).json()
        assertEquals(eid, suspended.str("endpoint.id"))
        assertEquals(eid, client.endpoints().startBlocking(pid, eid).json().str("endpoint.id"))
    }

    @Test
    fun databasesAndRoles() = runBlocking<Unit> {
        val (pid, main) = newProject("dbs")
        val role = client.roles().create(pid, main, """{"role": {"name": "app_user"}}""").json()
        assertEquals("app_user", role.str("role.name"))
        assertNotNull(role.str("role.password"), "a new role's password is returned once")
        assertEquals("app_user", client.roles().getBlocking(pid, main, "app_user").json().str("role.name"))
        val db = client.databases().createBlocking(pid, main, """{"database": {"name": "appdb", "owner_name": "app_user"}}""").json()
        assertEquals("appdb", db.str("database.name"))
        assertEquals("app_user", client.databases().get(pid, main, "appdb").json().str("database.owner_name"))
        val dbs = client.databases().list(pid, main).json().at("databases").toString()
        assertTrue("appdb" in dbs && "neondb" in dbs, dbs)
        client.databases().delete(pid, main, "appdb")
        assertThrows<NeonException.NotFoundException> { client.databases().getBlocking(pid, main, "appdb") }
        val uri = client.projects().getConnectionUriBlocking(pid, "neondb", "app_user", GetConnectionUriQuery(branchId = main)).json()
        assertNotNull(uri.str("uri"))
    }

    @Test
    fun operationsAndApiKeys() = runBlocking<Unit> {
        val (pid, _) = newProject("ops")
        val ops = client.operations().list(pid).json()
        val opId = ops.str("operations.0.id")!!
        assertEquals("finished", client.operations().getBlocking(pid, opId).json().str("operation.status"))
        val key = client.apiKeys().create("""{"key_name": "ci"}""").json()
        val keyId = key.at("id").toString().toLong()
        assertNotNull(key.str("key"))
        assertTrue(client.apiKeys().listBlocking().contains("\"ci\""))
        assertEquals(true, client.apiKeys().revoke(keyId).json().at("revoked").toString().toBoolean())
    }

    @Test
    fun concurrentSuspendCallsShareOneClient() = runBlocking<Unit> {
        val ids = (1..8).map { i -> async { client.projects().create("""{"project": {"name": "c$i"}}""").json().str("project.id")!! } }.awaitAll()
        assertEquals(8, ids.toSet().size)
        assertEquals(8, client.projects().iter(ListProjectsQuery(limit = 3)).collectAll().size)
    }

    @Test
    fun blockingCallsFromManyThreadsShareTheRuntime() {
        val ids = java.util.Collections.synchronizedList(mutableListOf<String>())
        val threads = (1..6).map { i ->
            Thread { ids += client.projects().createBlocking("""{"project": {"name": "t$i"}}""").json().str("project.id")!! }
        }
        threads.forEach { it.start() }
        threads.forEach { it.join(30_000) }
        assertEquals(6, ids.toSet().size)
        assertEquals(6, client.projects().iter().collectAllBlocking().size)
    }

    @Test
    fun clientOptions() {
        assertTrue(client.waitsForOperations())
        assertFalse(client.withWait(false).waitsForOperations())
        assertEquals(Emu.emulator.baseUrl(), client.baseUrl())
        assertTrue(neonkitVersion().isNotEmpty())
    }
}
