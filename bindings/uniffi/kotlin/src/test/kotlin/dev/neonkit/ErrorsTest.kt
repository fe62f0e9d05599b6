package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import kotlinx.coroutines.TimeoutCancellationException
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** Every error kind that a caller can provoke, with its fields. */
class ErrorsTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client(maxRetries = 2)
    }

    private fun project(): String = client.projects().createJsonBlocking("""{"project": {"name": "errs"}}""").json().str("project.id")!!

    @Test
    fun notFoundCarriesStatusCodeAndRequestId() = runBlocking<Unit> {
        val e = assertThrows<NeonException.NotFoundException> { runBlocking { client.projects().getJson("missing-project-1") } }
        assertEquals(404, e.status)
        assertEquals("getProject", e.operation)
        assertTrue(!e.requestId.isNullOrEmpty(), "request id")
        assertTrue(e.errorMessage.isNotEmpty())
        assertEquals("not_found", e.kind)
        assertEquals("not_found", errorInfo(e).kind, "the native kind name agrees")
        assertTrue(e.message!!.contains("status 404"), e.message)
        // Readable, as in Python: the API's message, then its context; no field dump.
        assertTrue(e.message!!.startsWith(e.errorMessage), e.message)
        assertTrue(e.message!!.contains("(operation getProject, status 404"), e.message)
        assertTrue(!e.message!!.contains("errorMessage="), e.message)
        // The blocking form throws the same.
        val b = assertThrows<NeonException.NotFoundException> { client.projects().getJsonBlocking("missing-project-1") }
        assertEquals(404, b.info.status)
    }

    @Test
    fun invalidArgumentsFailBeforeAnyRequest() {
        val before = Emu.count("getProject")
        val e = assertThrows<NeonException.InvalidArgumentException> { client.projects().getJsonBlocking("Bad/Id") }
        assertNull(e.status)
        assertTrue(e.errorMessage.contains("project_id"), e.errorMessage)
        assertThrows<NeonException.InvalidArgumentException> { client.projects().getJsonBlocking("") }
        val body = assertThrows<NeonException.InvalidArgumentException> { client.projects().createJsonBlocking("{not json") }
        assertEquals("createProject", body.operation)
        assertThrows<NeonException.InvalidArgumentException> { client.operations().getJsonBlocking("any-project", "not-a-uuid") }
        assertEquals(before, Emu.count("getProject"), "no request was sent")
        assertEquals(0, Emu.count("createProject"))
    }

    @Test
    fun configErrors() {
        val empty = assertThrows<NeonException.ConfigException> { NeonClient("", NeonClientOptions(baseUrl = Emu.emulator.baseUrl())) }
        assertFalse(empty.errorMessage.isEmpty())
        assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(baseUrl = "ftp://nope")) }
        assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(timeoutMs = -1)) }
        assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(maxRetries = -1)) }
    }

    @Test
    fun unauthorizedWithAWrongKeyAndTheKeyNeverLeaks() {
        val bad = NeonClient("wrong-secret-key-123", NeonClientOptions(baseUrl = Emu.emulator.baseUrl()))
        val e = assertThrows<NeonException.AuthenticationException> { bad.projects().listJsonBlocking() }
        assertEquals(401, e.status)
        assertFalse(e.toString().contains("wrong-secret-key-123"))
        assertFalse(bad.toString().contains("wrong-secret-key-123"))
    }

    @Test
    fun conflict() {
        val pid = project()
        val main = client.branches().listJsonBlocking(pid).json().str("branches.0.id")!!
        client.roles().createJsonBlocking(pid, main, """{"role": {"name": "dup"}}""")
        val e = assertThrows<NeonException.ConflictException> { client.roles().createJsonBlocking(pid, main, """{"role": {"name": "dup"}}""") }
        assertEquals(409, e.status)
    }

    @Test
    fun lockedIsRetriedThenReported() {
        val pid = project()
        // Counted from here: the creation reads its project again after its operations.
        val before = Emu.count("getProject")
        Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 423, "times": 2}""")
        assertEquals(pid, client.projects().getJsonBlocking(pid).json().str("project.id"))
        assertEquals(3, Emu.count("getProject") - before, "two 423s, then success")
        Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 423, "times": 10}""")
        val e = assertThrows<NeonException.LockedException> { client.projects().getJsonBlocking(pid) }
        assertEquals(423, e.status)
        assertTrue(!e.requestId.isNullOrEmpty())
    }

    @Test
    fun rateLimitedAndServerErrors() {
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "status", "status": 429, "retry_after": "0", "times": 10}""")
        val r = assertThrows<NeonException.RateLimitException> { client.projects().listJsonBlocking() }
        assertEquals(429, r.status)
        Emu.emulator.clearFaults()
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "status", "status": 500, "times": 10}""")
        val s = assertThrows<NeonException.ServerException> { client.projects().listJsonBlocking() }
        assertEquals(500, s.status)
        Emu.emulator.clearFaults()
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "status", "status": 410, "times": 1}""")
        val a = assertThrows<NeonException.ApiException> { client.projects().listJsonBlocking() }
        assertEquals(410, a.status)
    }

    @Test
    fun networkErrorWhenNothingListens() {
        val dead = NeonClient("k", NeonClientOptions(baseUrl = "http://127.0.0.1:9/api/v2", maxRetries = 0))
        val e = assertThrows<NeonException.NetworkException> { dead.projects().listJsonBlocking() }
        assertNull(e.status)
    }

    @Test
    fun timeoutError() {
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "latency", "ms": 2000, "times": 1}""")
        val slow = Emu.client(maxRetries = 0, timeoutMs = 200)
        assertThrows<NeonException.TimeoutException> { slow.projects().listJsonBlocking() }
    }

    @Test
    fun cancellingACoroutineCancelsTheCall() = runBlocking<Unit> {
        Emu.emulator.addFault("""{"operation_id": "listProjects", "kind": "latency", "ms": 1500, "times": 1}""")
        val started = System.nanoTime()
        assertThrows<TimeoutCancellationException> {
            runBlocking { withTimeout(100) { client.projects().listJson() } }
        }
        assertTrue((System.nanoTime() - started) / 1_000_000 < 1000, "the coroutine did not wait for the slow call")
        // The client still works afterwards.
        assertEquals(0, client.projects().listJson().json().at("projects")!!.toString().count { it == '{' })
    }

    @Test
    fun outOfRangeOptionsAreConfigErrorsNamingTheOption() {
        val e = assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(timeoutMs = Long.MAX_VALUE)) }
        assertTrue(e.errorMessage.startsWith("timeoutMs must be a number of milliseconds greater than 0 and at most 86400000"), e.errorMessage)
        val r = assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(maxRetries = 1000)) }
        assertTrue(r.errorMessage.startsWith("maxRetries must be a whole number from 0 to 100"), r.errorMessage)
        val m = assertThrows<NeonException.ConfigException> { NeonClient("k", NeonClientOptions(maxResponseBytes = 10)) }
        assertTrue(m.errorMessage.startsWith("maxResponseBytes must be"), m.errorMessage)
    }

    @Test
    fun retryableSaysWhetherCallingAgainIsSafe() {
        val pid = project()
        val once = Emu.client(maxRetries = 0)
        Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 500, "times": 1}""")
        val get = assertThrows<NeonException.ServerException> { once.projects().getJsonBlocking(pid) }
        assertTrue(get.info.retryable, "a GET may be sent again")
        Emu.emulator.addFault("""{"operation_id": "createProjectBranch", "kind": "status", "status": 500, "times": 1}""")
        val post = assertThrows<NeonException.ServerException> { once.branches().createJsonBlocking(pid, null) }
        assertFalse(post.info.retryable, "a POST answered 500 may have been applied")
        assertFalse(post.info.accepted)
    }
}
