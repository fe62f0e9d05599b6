package dev.neonkit.testing

import dev.neonkit.EmulatorOptions
import dev.neonkit.NeonClient
import dev.neonkit.NeonClientOptions
import dev.neonkit.NeonException
import dev.neonkit.TestEmulator
import dev.neonkit.createBlocking
import dev.neonkit.listBlocking
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.startEmulator
import java.net.URI
import java.sql.DriverManager
import java.time.Duration
import java.time.Instant
import java.util.Properties
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertSame
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.MethodOrderer
import org.junit.jupiter.api.Nested
import org.junit.jupiter.api.Order
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestMethodOrder
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.condition.EnabledIfSystemProperty
import org.junit.jupiter.api.extension.ExtendWith
import org.junit.jupiter.api.extension.ExtensionConfigurationException
import org.junit.jupiter.api.extension.RegisterExtension
import org.junit.platform.engine.discovery.DiscoverySelectors.selectClass
import org.junit.platform.testkit.engine.EngineTestKit
import org.junit.platform.testkit.engine.EventConditions.event
import org.junit.platform.testkit.engine.EventConditions.finishedWithFailure
import org.junit.platform.testkit.engine.EventConditions.test
import org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf
import org.junit.platform.testkit.engine.TestExecutionResultConditions.message

private fun project(name: String) = ProjectCreateRequest(project = ProjectCreateRequestProject(name = name))

private const val TESTKIT = "neonkit.extension.testkit"

private const val FAULT_503 = """{"operation_id": "listProjects", "kind": "status", "status": 503}"""

/** The declarative form: parameters in the constructor, @BeforeEach and tests; reset between tests on one emulator. */
@NeonEmulatorTest(operationDurationMs = 0)
@TestMethodOrder(MethodOrderer.OrderAnnotation::class)
class NeonEmulatorTestAnnotationTest(private val constructorClient: NeonClient) {
    companion object {
        var firstBaseUrl: String? = null
    }

    private var fromBeforeEach: TestEmulator? = null

    @BeforeEach
    fun setUp(emulator: TestEmulator) {
        fromBeforeEach = emulator
    }

    @Test
    @Order(1)
    fun aTestGetsTheEmulatorAndAClientOfIt(emulator: TestEmulator, client: NeonClient) {
        assertSame(emulator, fromBeforeEach)
        assertSame(client, constructorClient)
        firstBaseUrl = emulator.baseUrl()
        client.projects().createBlocking(project("left-behind"))
        assertEquals(1, client.projects().listBlocking().projects.size)
        emulator.addFault(FAULT_503)
        emulator.configure(EmulatorOptions(latencyMs = 1500, operationDurationMs = 3000))
        emulator.setClock(Instant.now().minus(Duration.ofDays(40)))
    }

    @Test
    @Order(2)
    fun theNextTestStartsFromAnEmptyEmulatorTheSameOne(emulator: TestEmulator, client: NeonClient) {
        assertEquals(firstBaseUrl, emulator.baseUrl())
        assertEquals(0, emulator.requestCount("createProject"))
        assertTrue(Duration.between(emulator.clock(), Instant.now()).abs() < Duration.ofMinutes(1), "the clock is real again")
        val started = System.nanoTime()
        assertEquals(0, client.projects().listBlocking().projects.size) // no project, no fault
        client.projects().createBlocking(project("fresh")) // waits for its operations
        val ms = (System.nanoTime() - started) / 1_000_000
        assertTrue(ms < 1200, "latency and operation duration put back ($ms ms)")
    }

    @Test
    @Order(3)
    @NeonEmulatorTest(apiKey = "method-key")
    fun aMethodsAnnotationGivesItAnotherEmulator(emulator: TestEmulator, client: NeonClient) {
        assertEquals("method-key", emulator.apiKey())
        assertNotEquals(firstBaseUrl, emulator.baseUrl())
        assertEquals(0, client.projects().listBlocking().projects.size)
    }

    @Nested
    inner class ANestedClass {
        @Test
        fun sharesTheOuterClassEmulator(emulator: TestEmulator) {
            assertEquals(firstBaseUrl, emulator.baseUrl())
        }
    }
}

/** `@ExtendWith` alone: the default options; the same emulator as any other test run asking for those. */
@ExtendWith(NeonEmulatorExtension::class)
class NeonEmulatorExtendWithTest {
    @Test
    fun defaults(emulator: TestEmulator, client: NeonClient) {
        assertEquals(emulator.baseUrl(), client.baseUrl())
        assertEquals(0, client.projects().listBlocking().projects.size)
    }
}

/** The programmatic form: any EmulatorOptions, client options, and the `emulator` / `client` properties. */
@TestMethodOrder(MethodOrderer.OrderAnnotation::class)
class NeonEmulatorRegisteredExtensionTest {
    companion object {
        var stoppedBaseUrl: String? = null
    }

    @JvmField
    @RegisterExtension
    val neon = NeonEmulatorExtension(EmulatorOptions(operationDurationMs = 0, seed = 11), clientOptions = NeonClientOptions(maxRetries = 0))

    @Test
    @Order(1)
    fun clientOptionsReachTheClient() {
        neon.emulator.addFault(FAULT_503.replace("}", ", \"times\": 1}"))
        assertThrows<NeonException.ServerException> { neon.client.projects().listBlocking() }
        assertEquals(1, neon.emulator.requestCount("listProjects"))
    }

    @Test
    @Order(2)
    fun aTestThatStopsTheEmulator(emulator: TestEmulator) {
        assertSame(neon.emulator, emulator)
        stoppedBaseUrl = emulator.baseUrl()
        emulator.stop()
    }

    @Test
    @Order(3)
    fun theNextTestGetsANewOne() {
        assertNotEquals(stoppedBaseUrl, neon.emulator.baseUrl())
        assertEquals(0, neon.client.projects().listBlocking().projects.size)
    }
}

/**
 * What the extension says when it is misused, and what it does at the end of a run: the nested classes run through
 * JUnit's EngineTestKit (only then: they fail on purpose), and their outcomes are checked.
 */
class NeonEmulatorExtensionBehaviourTest {
    @NeonEmulatorTest(operationDurationMs = -5)
    @EnabledIfSystemProperty(named = TESTKIT, matches = "true")
    class BadOption {
        @Test
        fun never(emulator: TestEmulator) = Unit
    }

    @EnabledIfSystemProperty(named = TESTKIT, matches = "true")
    class PropertiesOutsideATest {
        @JvmField
        @RegisterExtension
        val neon = NeonEmulatorExtension()

        val tooEarly: String = runCatching { neon.emulator }.exceptionOrNull()?.message ?: "no error"

        @Test
        fun readInTheConstructor() {
            throw AssertionError(tooEarly)
        }
    }

    @NeonEmulatorTest(seed = 99)
    @EnabledIfSystemProperty(named = TESTKIT, matches = "true")
    class Remembered {
        companion object {
            var baseUrl: String? = null
        }

        @Test
        fun remember(emulator: TestEmulator) {
            baseUrl = emulator.baseUrl()
        }
    }

    @NeonEmulatorTest(postgres = true, operationDurationMs = 0)
    @TestMethodOrder(MethodOrderer.MethodName::class)
    @EnabledIfSystemProperty(named = TESTKIT, matches = "true")
    class OnPostgres {
        @Test
        fun aRowOnMainAndAFreshStartNext(client: NeonClient) {
            val uri = client.projects().createBlocking(project("pg")).connectionUris.first().connectionUri
            connect(uri).use { c -> c.createStatement().use { it.execute("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('hi')") } }
        }

        @Test
        fun theOtherTestSeesNoTable(client: NeonClient) {
            val uri = client.projects().createBlocking(project("pg")).connectionUris.first().connectionUri
            connect(uri).use { c ->
                c.createStatement().use { s ->
                    s.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 'notes'").use { rs ->
                        rs.next()
                        assertEquals(0, rs.getInt(1))
                    }
                }
            }
        }

        private fun connect(uri: String): java.sql.Connection {
            val u = URI(uri)
            val (user, password) = u.rawUserInfo.split(":", limit = 2).map { java.net.URLDecoder.decode(it, "UTF-8") }
            val props = Properties().apply {
                setProperty("user", user)
                setProperty("password", password)
                setProperty("sslmode", "disable")
            }
            return DriverManager.getConnection("jdbc:postgresql://${u.host}:${u.port}${u.rawPath}", props)
        }
    }

    private fun run(type: Class<*>): org.junit.platform.testkit.engine.EngineExecutionResults {
        System.setProperty(TESTKIT, "true")
        try {
            return EngineTestKit.engine("junit-jupiter").selectors(selectClass(type)).execute()
        } finally {
            System.clearProperty(TESTKIT)
        }
    }

    @Test
    fun aBadOptionFailsTheTestWithTheCoresConfigError() {
        val events = run(BadOption::class.java).testEvents()
        events.assertThatEvents().haveExactly(
            1,
            event(
                test("never"),
                finishedWithFailure(
                    instanceOf(ExtensionConfigurationException::class.java),
                    message { it.startsWith("NeonEmulatorExtension: the emulator did not start:") && "operation" in it },
                ),
            ),
        )
    }

    @Test
    fun thePropertiesOutsideATestSayWhen() {
        val events = run(PropertiesOutsideATest::class.java).testEvents()
        events.assertThatEvents().haveExactly(
            1,
            event(finishedWithFailure(message { it.startsWith("NeonEmulatorExtension.emulator is there once a test starts") })),
        )
        assertThrows<IllegalStateException> { NeonEmulatorExtension().client }
    }

    @Test
    fun theEmulatorStopsWhenTheRunEnds() {
        run(Remembered::class.java).testEvents().assertStatistics { it.started(1).succeeded(1) }
        // stopped with the run's root store: its port refuses
        NeonClient("key", NeonClientOptions(baseUrl = Remembered.baseUrl!!, maxRetries = 0)).use { client ->
            assertThrows<NeonException.NetworkException> { client.projects().listBlocking() }
        }
    }

    @Test
    fun postgresTrueGivesConnectionUrisThatConnect() {
        try {
            startEmulator(EmulatorOptions(postgres = true)).use { it.stop() }
        } catch (e: NeonException.NeonRuntimeException) {
            assumeTrue(!e.errorMessage.contains("apt-get install postgresql") || System.getenv("CI") != null, e.errorMessage)
            throw e
        }
        run(OnPostgres::class.java).testEvents().assertStatistics { it.started(2).succeeded(2) }
    }
}
