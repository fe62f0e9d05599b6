package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonArray
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Operation waits and pagination. */
class WaitsAndPagesTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun project(name: String = "w"): String = client.projects().createJsonBlocking("""{"project": {"name": "$name"}}""").json().str("project.id")!!

    @Test
    fun mutationsWaitByDefaultAndNotWhenAskedNot() = runBlocking<Unit> {
        val pid = project()
        val waited = client.branches().createJson(pid, """{"branch": {"name": "a"}}""").json()
        assertEquals("finished", waited.str("operations.0.status"))
        val quick = client.withWait(false).branches().createJson(pid, """{"branch": {"name": "b"}}""").json()
        val status = quick.str("operations.0.status")
        assertNotEquals("finished", status, "without waiting the operation is still running")
        val ids = (quick.at("operations") as JsonArray).map { it.str("id")!! }
        val done = client.waitForOperations(pid, ids).json() as JsonArray
        assertEquals(ids.size, done.size)
        assertTrue(done.all { it.str("status") == "finished" }, done.toString())
        // Blocking form, on operations already finished.
        assertEquals(ids.size, (client.waitForOperationsBlocking(pid, ids).json() as JsonArray).size)
    }

    @Test
    fun failedOperationIsAnError() {
        val pid = project()
        Emu.emulator.addFault("""{"operation_id": "createProjectBranch", "kind": "fail_operation", "error": "disk quota exceeded", "times": 1}""")
        val e = assertThrows<NeonException.OperationFailedException> { client.branches().createJsonBlocking(pid, """{"branch": {"name": "doomed"}}""") }
        assertNull(e.status)
        assertEquals(1, e.pendingOperations.size)
        assertTrue(e.errorMessage.contains("disk quota exceeded"), e.errorMessage)
        assertEquals("createProjectBranch", e.operation)
    }

    @Test
    fun waitTimeoutListsWhatIsStillRunning() {
        val slowEmu = startEmulator(EmulatorOptions(operationDurationMs = 5_000))
        try {
            val c = NeonClient(slowEmu.apiKey(), NeonClientOptions(baseUrl = slowEmu.baseUrl(), waitTimeoutMs = 150, waitPollIntervalMs = 20))
            val e = assertThrows<NeonException.WaitTimeoutException> { c.projects().createJsonBlocking("""{"project": {"name": "slow"}}""") }
            assertTrue(e.pendingOperations.isNotEmpty())
            assertEquals("createProject", e.operation)
        } finally {
            slowEmu.stop()
        }
    }

    @Test
    fun pagersWalkEveryPage() = runBlocking<Unit> {
        val first = project("p0")
        for (i in 1..6) project("p$i")
        // One page.
        val page = client.projects().listJson(ListProjectsQuery(limit = 4)).json()
        assertEquals(4, (page.at("projects") as JsonArray).size)
        // nextPage until null.
        val pager = client.projects().iterJson(ListProjectsQuery(limit = 3))
        val sizes = mutableListOf<Int>()
        while (true) { sizes += (pager.nextPage() ?: break).size }
        assertEquals(listOf(3, 3, 1), sizes)
        assertNull(pager.nextPage(), "stays exhausted")
        // Flow, sequence and collectAll.
        assertEquals(7, client.projects().iterJson(ListProjectsQuery(limit = 2)).asFlow().toList().size)
        assertEquals(7, client.projects().iterJson(ListProjectsQuery(limit = 5)).asSequence().count())
        assertEquals(7, client.projects().iterJson().collectAllBlocking().size)
        val names = client.projects().iterJson(ListProjectsQuery(limit = 2)).collectAll().map { it.json().str("name") }.toSet()
        assertEquals((0..6).map { "p$it" }.toSet(), names)
        // The branches cursor shape (pagination.next).
        for (i in 1..4) client.branches().createJson(first, """{"branch": {"name": "b$i"}}""")
        assertEquals(5, client.branches().iterJson(first, ListProjectBranchesQuery(limit = 2)).collectAll().size)
        assertEquals(5, client.branches().iterJson(first, ListProjectBranchesQuery(limit = 2)).asSequence().count())
    }

    @Test
    fun pagerErrorsSurfaceOnTheFirstPage() {
        val pager = client.branches().iterJson("Bad/Id")
        assertThrows<NeonException.InvalidArgumentException> { pager.nextPageBlocking() }
    }
}
