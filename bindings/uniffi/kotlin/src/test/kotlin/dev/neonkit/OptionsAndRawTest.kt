package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** `withOptions` (deadline, retries, wait, headers), response metadata (`callWithResponse`) and the raw `request`. */
class OptionsAndRawTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client(maxRetries = 3)
    }

    private fun project(name: String = "opts"): String =
        client.projects().createJsonBlocking("""{"project": {"name": "$name"}}""").json().str("project.id")!!

    @Test
    fun timeoutIsTheWholeCallsDeadline() {
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "latency", "ms": 2000}""")
        val started = System.nanoTime()
        assertThrows<NeonException.TimeoutException> { client.withOptions(NeonCallOptions(timeoutMs = 300)).projects().listJsonBlocking() }
        val ms = (System.nanoTime() - started) / 1_000_000
        assertTrue(ms < 1500, "the call ended at its deadline, not after the server's delay ($ms ms)")
    }

    @Test
    fun maxRetriesPerCall() {
        val pid = project()
        val before = Emu.count("getProject")
        Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 423, "times": 10}""")
        val e = assertThrows<NeonException.LockedException> { client.withOptions(NeonCallOptions(maxRetries = 0)).projects().getJsonBlocking(pid) }
        assertEquals(423, e.status)
        assertEquals(1, Emu.count("getProject") - before, "one request, no retry")
        // The client it came from keeps its own retries.
        Emu.emulator.clearFaults()
        Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 423, "times": 1}""")
        assertEquals(pid, client.projects().getJsonBlocking(pid).json().str("project.id"))
    }

    @Test
    fun headersReachTheServer() = runBlocking<Unit> {
        val tagged = client.withOptions(NeonCallOptions(headers = mapOf("X-Request-Id" to "kotlin-req-1")))
        // The emulator answers with the request id it was sent.
        assertEquals("kotlin-req-1", tagged.callWithResponseBlocking("listProjects", emptyList(), emptyList(), null).requestId)
        assertEquals("kotlin-req-1", tagged.callWithResponse("listProjects", emptyList(), emptyList(), null).requestId)
        assertTrue(client.callWithResponseBlocking("listProjects", emptyList(), emptyList(), null).requestId != "kotlin-req-1")
    }

    @Test
    fun waitForOperationsPerCall() {
        val created = client.withOptions(NeonCallOptions(waitForOperations = false)).projects().createJsonBlocking("""{"project": {"name": "nowait"}}""").json()
        val statuses = (created.at("operations") as kotlinx.serialization.json.JsonArray).map { it.str("status") }
        assertTrue(statuses.isNotEmpty() && statuses.any { it != "finished" }, "returned with its operations running: $statuses")
        assertTrue(client.waitsForOperations(), "the original client still waits")
    }

    @Test
    fun badCallOptionsAreConfigErrors() {
        val e = assertThrows<NeonException.ConfigException> { client.withOptions(NeonCallOptions(timeoutMs = 0)) }
        assertTrue(e.errorMessage.startsWith("timeoutMs must be"), e.errorMessage)
        assertThrows<NeonException.ConfigException> { client.withOptions(NeonCallOptions(headers = mapOf("Authorization" to "x"))) }
    }

    @Test
    fun callWithResponseGivesStatusRequestIdAndHeaders() = runBlocking<Unit> {
        val pid = project("meta")
        val r = client.callWithResponse("getProject", listOf(pid), emptyList(), null)
        assertEquals(200, r.status)
        assertEquals(pid, r.text().json().str("project.id"))
        assertFalse(r.requestId.isNullOrEmpty())
        assertEquals(r.requestId, r.headers.first { it.name == "x-neon-ret-request-id" }.value)
        assertTrue(r.headers.any { it.name == "content-type" && it.value.startsWith("application/json") }, "${r.headers.map { it.name }}")
        val b = client.callWithResponseBlocking("listProjects", emptyList(), listOf(QueryPair("limit", "1")), null)
        assertEquals(200, b.status)
        assertEquals(pid, b.text().json().str("projects.0.id"))
    }

    @Test
    fun rawRequestGetAndPost() = runBlocking<Unit> {
        val posted = client.request("POST", "/projects", emptyList(), """{"project": {"name": "raw"}}""")
        assertTrue(posted.status in 200..299, "status ${posted.status}")
        val pid = posted.text().json().str("project.id")!!
        assertFalse(posted.requestId.isNullOrEmpty())
        val got = client.requestBlocking("GET", "/projects/$pid", emptyList(), null)
        assertEquals(200, got.status)
        assertEquals("raw", got.text().json().str("project.name"))
        val listed = client.requestBlocking("GET", "/projects", listOf(QueryPair("limit", "1")), null)
        assertEquals(pid, listed.text().json().str("projects.0.id"))
    }

    @Test
    fun emulatorConfigureChangesWhatCanChange() {
        try {
            Emu.emulator.configure(EmulatorOptions(latencyMs = 300))
            val started = System.nanoTime()
            client.projects().listJsonBlocking()
            assertTrue((System.nanoTime() - started) / 1_000_000 >= 300, "the added latency applies")
        } finally {
            Emu.emulator.configure(EmulatorOptions(latencyMs = 0))
        }
        val e = assertThrows<NeonException.ConfigException> { Emu.emulator.configure(EmulatorOptions(port = 1)) }
        assertTrue(e.errorMessage.startsWith("port "), e.errorMessage)
    }

    @Test
    fun rawRequestErrors() {
        val e = assertThrows<NeonException.NotFoundException> { client.requestBlocking("GET", "/projects/missing-project-1", emptyList(), null) }
        assertEquals(404, e.status)
        assertFalse(e.requestId.isNullOrEmpty(), "request id")
        val bad = assertThrows<NeonException.InvalidArgumentException> { client.requestBlocking("GET", "projects", emptyList(), null) }
        assertNull(bad.status)
        assertThrows<NeonException.InvalidArgumentException> { client.requestBlocking("FETCH", "/projects", emptyList(), null) }
    }
}
