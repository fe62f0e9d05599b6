package dev.neonkit.testing

import dev.neonkit.EmulatorOptions
import dev.neonkit.NeonClient
import dev.neonkit.NeonClientOptions
import dev.neonkit.NeonException
import dev.neonkit.TestEmulator
import dev.neonkit.startEmulator
import java.net.ProxySelector
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.time.Duration
import org.junit.jupiter.api.extension.BeforeEachCallback
import org.junit.jupiter.api.extension.ExtensionConfigurationException
import org.junit.jupiter.api.extension.ExtensionContext
import org.junit.jupiter.api.extension.ParameterContext
import org.junit.jupiter.api.extension.ParameterResolutionException
import org.junit.jupiter.api.extension.ParameterResolver
import org.junit.platform.commons.support.AnnotationSupport

/**
 * A JUnit 5 extension that runs tests against the neonkit emulator (a local Neon API, in this process).
 *
 * - It resolves parameters of type [TestEmulator] and [NeonClient] (a client of that emulator) in test methods,
 *   constructors and lifecycle methods.
 * - Before each test it resets the emulator: no projects, faults or request counts, the clock on the real time, and
 *   the runtime settings that `configure` or the admin API changed put back. So make test data in the test or in
 *   `@BeforeEach`, not `@BeforeAll`.
 * - One emulator (and one client) serves every test of the run that asks for the same options; it stops when the
 *   run ends (a PostgreSQL cluster takes seconds to start, an emulator milliseconds). Tests that share one must not
 *   run in parallel with each other.
 *
 * Declaratively, with the options of [NeonEmulatorTest] (or none: `@ExtendWith(NeonEmulatorExtension::class)`):
 * ```kotlin
 * @NeonEmulatorTest(postgres = true)
 * class PreviewBranchTest { @Test fun story(emulator: TestEmulator, client: NeonClient) { … } }
 * ```
 * Programmatically, with any [EmulatorOptions], a `postgresUrl` and the client's options; [emulator] and [client]
 * are then readable in the tests:
 * ```kotlin
 * class PreviewBranchTest {
 *     @JvmField @RegisterExtension
 *     val neon = NeonEmulatorExtension(EmulatorOptions(operationDurationMs = 0), clientOptions = NeonClientOptions(maxRetries = 0))
 *
 *     @Test fun lists() { assertEquals(0, neon.client.projects().listBlocking().projects.size) }
 * }
 * ```
 * Use one of the two forms per class: both would resolve the same parameters.
 *
 * @param options the emulator's options; null (the declarative form) takes them from the closest
 *   [NeonEmulatorTest] of the test method, its class or an enclosing class, else the defaults.
 * @param postgresUrl attach to this running PostgreSQL server instead of starting a cluster (implies postgres);
 *   never shown.
 * @param clientOptions the options of the [NeonClient] it gives (the base URL is the emulator's).
 */
class NeonEmulatorExtension @JvmOverloads constructor(
    private val options: EmulatorOptions? = null,
    private val postgresUrl: String? = null,
    private val clientOptions: NeonClientOptions? = null,
) : BeforeEachCallback, ParameterResolver {

    @Volatile private var current: Running? = null

    /** The emulator of the running test (after the extension's `beforeEach`): for the `@RegisterExtension` form. */
    val emulator: TestEmulator
        get() = (current ?: throw notStarted("emulator")).emulator

    /** The client of [emulator] (one per emulator; its key and base URL are the emulator's). */
    val client: NeonClient
        get() = (current ?: throw notStarted("client")).client

    override fun beforeEach(context: ExtensionContext) {
        val key = keyFor(context)
        val store = context.root.getStore(NAMESPACE)
        var running = running(store, key)
        if (!running.reset()) {
            // stopped by a test (or broken): start another one
            store.remove(key, Running::class.java)
            running.close()
            running = running(store, key)
            running.reset()
        }
        current = running
    }

    override fun supportsParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Boolean {
        val type = parameterContext.parameter.type
        return type == TestEmulator::class.java || type == NeonClient::class.java
    }

    override fun resolveParameter(parameterContext: ParameterContext, extensionContext: ExtensionContext): Any {
        val running = running(extensionContext.root.getStore(NAMESPACE), keyFor(extensionContext))
        return when (parameterContext.parameter.type) {
            TestEmulator::class.java -> running.emulator
            NeonClient::class.java -> running.client
            else -> throw ParameterResolutionException("NeonEmulatorExtension resolves TestEmulator and NeonClient only")
        }
    }

    private fun running(store: ExtensionContext.Store, key: Key): Running =
        store.getOrComputeIfAbsent(key, { Running.start(it) }, Running::class.java)

    private fun keyFor(context: ExtensionContext): Key {
        val opts = options ?: annotationOptions(context)
        return Key(opts, postgresUrl, clientOptions)
    }

    private fun notStarted(what: String) = IllegalStateException(
        "NeonEmulatorExtension.$what is there once a test starts (in @BeforeEach methods, the test and @AfterEach); " +
            "register the extension with @JvmField @RegisterExtension, or take a $what parameter instead",
    )

    /** What starts one emulator and its client: their options and the PostgreSQL URL (hidden from toString). */
    private data class Key(val options: EmulatorOptions, val postgresUrl: String?, val clientOptions: NeonClientOptions?) {
        override fun toString() = "Key($options, postgresUrl=${if (postgresUrl == null) "null" else "***"}, $clientOptions)"
    }

    /** A running emulator, its configuration as started, and its client; closed (stopped) when the run ends. */
    private class Running(
        val emulator: TestEmulator,
        val client: NeonClient,
        private val config: String,
    ) : AutoCloseable, ExtensionContext.Store.CloseableResource {
        private var closed = false

        /** Empties the emulator and puts its runtime configuration back; false when it no longer answers. */
        fun reset(): Boolean = try {
            emulator.reset()
            admin(emulator, config)
            true
        } catch (e: Exception) {
            false
        }

        @Synchronized
        override fun close() {
            if (closed) return
            closed = true
            try {
                client.close()
            } finally {
                try {
                    emulator.stop()
                } finally {
                    emulator.close()
                }
            }
        }

        companion object {
            fun start(key: Key): Running {
                val emulator = try {
                    startEmulator(key.options, key.postgresUrl)
                } catch (e: NeonException) {
                    throw ExtensionConfigurationException("NeonEmulatorExtension: the emulator did not start: ${e.message}", e)
                }
                try {
                    val options = (key.clientOptions ?: NeonClientOptions()).copy(baseUrl = emulator.baseUrl())
                    val client = NeonClient(emulator.apiKey(), options)
                    return Running(emulator, client, admin(emulator, null))
                } catch (e: Throwable) {
                    emulator.stop()
                    throw e
                }
            }
        }
    }

    companion object {
        private val NAMESPACE = ExtensionContext.Namespace.create(NeonEmulatorExtension::class.java)

        // The emulator's admin surface (outside /api/v2, no key), never through a proxy.
        private val http: HttpClient by lazy {
            HttpClient.newBuilder().proxy(ProxySelector.of(null)).connectTimeout(Duration.ofSeconds(10)).build()
        }

        /**
         * GETs (body null) or PATCHes /_emulator/config: the runtime configuration (operation duration, locking,
         * rate limits, latency, fault rates) that `reset()` keeps.
         */
        private fun admin(emulator: TestEmulator, body: String?): String {
            val url = emulator.baseUrl().substringBefore("/api/") + "/_emulator/config"
            val builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
            val request = if (body == null) {
                builder.GET().build()
            } else {
                builder.header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString(body)).build()
            }
            val response = http.send(request, HttpResponse.BodyHandlers.ofString())
            check(response.statusCode() == 200) { "$url answered ${response.statusCode()}" }
            return response.body()
        }

        /** The options of the closest @NeonEmulatorTest: the test method's, its class's, an enclosing class's. */
        private fun annotationOptions(context: ExtensionContext): EmulatorOptions {
            var ctx: ExtensionContext? = context
            while (ctx != null) {
                val found = ctx.element.flatMap { AnnotationSupport.findAnnotation(it, NeonEmulatorTest::class.java) }
                if (found.isPresent) return found.get().toOptions()
                ctx = ctx.parent.orElse(null)
            }
            return EmulatorOptions()
        }

        private fun NeonEmulatorTest.toOptions() = EmulatorOptions(
            apiKey = apiKey.ifEmpty { null },
            operationDurationMs = operationDurationMs.takeIf { it != -1L },
            locking = false.takeIf { !locking },
            rateLimits = true.takeIf { rateLimits },
            latencyMs = latencyMs.takeIf { it != -1L },
            seed = seed.takeIf { it != -1L },
            postgres = true.takeIf { postgres },
            noPooler = true.takeIf { noPooler },
        )
    }
}
