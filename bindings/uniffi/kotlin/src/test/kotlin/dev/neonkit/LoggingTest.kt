package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import java.util.Collections
import java.util.logging.Handler
import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger

/**
 * Logs and hooks: `NeonHooks` writes the core's lines to java.util.logging's `neonkit` logger
 * and calls hooks, against the emulator with a fault that makes the first attempt fail (503)
 * and its retry succeed.
 */
class LoggingTest {
    private val logger = Logger.getLogger("neonkit")
    private val records: MutableList<LogRecord> = Collections.synchronizedList(mutableListOf())
    private val handler = object : Handler() {
        override fun publish(record: LogRecord) { records.add(record) }
        override fun flush() {}
        override fun close() {}
    }
    private var oldLevel: Level? = null

    @BeforeEach
    fun setUp() {
        Emu.reset()
        oldLevel = logger.level
        logger.level = Level.FINE
        logger.addHandler(handler)
    }

    @AfterEach
    fun tearDown() {
        logger.removeHandler(handler)
        logger.level = oldLevel
    }

    private fun client(listener: NeonEventListener?): NeonClient = NeonClient(
        Emu.emulator.apiKey(),
        NeonClientOptions(baseUrl = Emu.emulator.baseUrl(), maxRetries = 3, retryInitialBackoffMs = 10, retryMaxBackoffMs = 50,
            waitPollIntervalMs = 10, waitMaxPollIntervalMs = 50),
        listener,
    )

    private fun project(): String =
        Emu.client().projects().createJsonBlocking("""{"project": {"name": "logs"}}""").json().str("project.id")!!

    private fun fault() = Emu.emulator.addFault("""{"operation_id": "getProject", "kind": "status", "status": 503, "times": 1}""")

    private val ms = """\d+\.\d ms"""

    private fun checkLines(pid: String) {
        val mine = records.filter { it.loggerName == "neonkit" }
        val lines = mine.map { it.message }
        assertEquals(5, lines.size, lines.joinToString("\n"))
        val failedId = Regex("""request id ([\w-]+)\)$""").find(lines[1])!!.groupValues[1]
        assertEquals("request GET /projects/{project_id} (getProject, attempt 1 of 4)", lines[0])
        assertTrue(Regex("""response GET /projects/\{project_id\} 503 in $ms \(getProject, attempt 1 of 4, request id $failedId\)""").matches(lines[1]), lines[1])
        assertTrue(Regex("""retry GET /projects/\{project_id\} after 503 in $ms \(getProject, attempt 2 of 4, request id $failedId\)""").matches(lines[2]), lines[2])
        assertEquals("request GET /projects/{project_id} (getProject, attempt 2 of 4)", lines[3])
        assertTrue(Regex("""response GET /projects/\{project_id\} 200 in $ms \(getProject, attempt 2 of 4, request id [\w-]+\)""").matches(lines[4]), lines[4])
        assertEquals(listOf(Level.FINE, Level.FINE, Level.INFO, Level.FINE, Level.FINE), mine.map { it.level })
        for (line in lines) {
            assertFalse(Emu.emulator.apiKey() in line, "the key in $line")
            assertFalse(pid in line, "the filled path in $line")
        }
    }

    @Test
    fun aRetriedBlockingCallLogsEachAttemptAndTheRetry() {
        val pid = project()
        val c = client(NeonHooks())
        fault()
        c.projects().getJsonBlocking(pid)
        checkLines(pid)
    }

    @Test
    fun aRetriedSuspendingCallLogsTheSameLines() = runBlocking<Unit> {
        val pid = project()
        val c = client(NeonHooks())
        fault()
        c.projects().getJson(pid)
        checkLines(pid)
    }

    @Test
    fun hooksAreCalledInOrderWithTheEvents() {
        val pid = project()
        val seen = Collections.synchronizedList(mutableListOf<NeonEvent>())
        val c = client(NeonHooks(onRequest = { seen.add(it) }, onResponse = { seen.add(it) }, onRetry = { seen.add(it) }))
        fault()
        val r = c.callWithResponseBlocking("getProject", listOf(pid), emptyList(), null)
        assertEquals(
            listOf(NeonEventKind.REQUEST to 1, NeonEventKind.RESPONSE to 1, NeonEventKind.RETRY to 2, NeonEventKind.REQUEST to 2, NeonEventKind.RESPONSE to 2),
            seen.map { it.kind to it.attempt },
        )
        assertEquals(listOf("getProject", "GET", "/projects/{project_id}"), listOf(seen[0].operation, seen[0].method, seen[0].path))
        val failed = seen[1]
        assertEquals(503, failed.status)
        assertNotNull(failed.requestId)
        assertTrue(failed.durationMs!! > 0.0)
        val retry = seen[2]
        assertEquals(503, retry.status)
        assertEquals(failed.requestId, retry.requestId)
        assertTrue(retry.delayMs!! in 0.0..10.0, "${retry.delayMs}")
        assertEquals(NeonEventLevel.INFO, retry.level)
        assertEquals(200, seen[4].status)
        assertEquals(r.requestId, seen[4].requestId)
        assertNotEquals(failed.requestId, seen[4].requestId)
    }

    @Test
    fun aHookThatThrowsIsLoggedAndTheCallGoesOn() {
        val pid = project()
        logger.level = Level.WARNING
        val c = client(NeonHooks(onRetry = { throw IllegalStateException("boom") }))
        fault()
        assertEquals(pid, c.projects().getJsonBlocking(pid).json().str("project.id"))
        val warnings = records.filter { it.level == Level.WARNING }
        assertEquals(listOf("the onRetry hook failed and was ignored (the call goes on): IllegalStateException: boom"), warnings.map { it.message })
        assertTrue(warnings[0].thrown is IllegalStateException)
        assertEquals(1, records.size, "the logger was at WARNING: no event line")
    }

    /** A listener that throws from every event, not through NeonHooks: dropped, the call goes on. */
    @Test
    fun aListenerThatThrowsDoesNotBreakTheCall() {
        val pid = project()
        val raw = object : NeonEventListener {
            override fun kinds() = NeonEventKind.entries.toList()
            override fun onEvent(event: NeonEvent): Unit = throw RuntimeException("listener bug")
        }
        fault()
        assertEquals(pid, client(raw).projects().getJsonBlocking(pid).json().str("project.id"))
    }

    @Test
    fun nothingIsAskedForWhenTheLoggerIsOffAndNoHookIsGiven() {
        logger.level = Level.WARNING
        assertEquals(emptyList<NeonEventKind>(), NeonHooks().kinds())
        assertEquals(listOf(NeonEventKind.RETRY), NeonHooks(onRetry = {}).kinds())
        logger.level = Level.INFO
        assertEquals(listOf(NeonEventKind.RETRY), NeonHooks().kinds())
        logger.level = Level.FINE
        assertEquals(NeonEventKind.entries.toList(), NeonHooks().kinds())
    }

    @Test
    fun anOperationWaitReportsItsPolls() {
        val pid = project()
        val waits = Collections.synchronizedList(mutableListOf<NeonEvent>())
        client(NeonHooks(onWait = { waits.add(it) })).branches().createJsonBlocking(pid, """{"branch": {"name": "dev"}}""")
        assertTrue(waits.size >= 2, "$waits")
        assertEquals(0, waits[0].attempt)
        assertTrue(waits[0].pending >= 1 && waits[0].operationIds.size == waits[0].pending)
        assertEquals(0, waits.last().pending)
        val lines = records.map { it.message }.filter { it.startsWith("wait ") }
        assertEquals(waits.map { it.message }, lines)
        assertTrue(Regex("""wait done: \d operations? finished \(poll \d+\)""").matches(lines.last()), lines.last())
    }

    @Test
    fun withListenerReplacesTheListenerAndUserAgentIsAnOption() {
        val seen = Collections.synchronizedList(mutableListOf<Int?>())
        val c = NeonClient(Emu.emulator.apiKey(), NeonClientOptions(baseUrl = Emu.emulator.baseUrl(), userAgent = "kotlin-test/1.0"))
        c.withListener(NeonHooks(onResponse = { seen.add(it.status) })).projects().listJsonBlocking()
        c.projects().listJsonBlocking()
        assertEquals(listOf<Int?>(200), seen.toList())
        val e = org.junit.jupiter.api.assertThrows<NeonException.ConfigException> {
            NeonClient("k", NeonClientOptions(userAgent = "a\nb"))
        }
        assertTrue(e.message!!.startsWith("userAgent must be printable ASCII"), e.message)
    }
}
