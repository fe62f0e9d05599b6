package dev.neonkit.testing

import java.lang.annotation.Inherited
import org.junit.jupiter.api.extension.ExtendWith

/**
 * Runs a JUnit 5 test class (or one test method) against the neonkit emulator, through [NeonEmulatorExtension]:
 * test methods, constructors and lifecycle methods take a `TestEmulator` and a `NeonClient` of it as parameters,
 * and every test starts from an empty emulator.
 *
 * ```kotlin
 * @NeonEmulatorTest(operationDurationMs = 0)
 * class BranchTest {
 *     @Test
 *     fun createsABranch(client: NeonClient) {
 *         val made = client.projects().createBlocking(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "app")))
 *         assertEquals(1, client.branches().listBlocking(made.project.id).branches.size)
 *     }
 * }
 * ```
 *
 * The attributes are [dev.neonkit.EmulatorOptions]'s; `-1` and `""` leave an option at the emulator's default.
 * On a method, the annotation replaces the class's options for that test. A `postgresUrl` (a secret) is not an
 * attribute: register `NeonEmulatorExtension(postgresUrl = System.getenv("…"))` instead.
 */
@Target(AnnotationTarget.CLASS, AnnotationTarget.FUNCTION, AnnotationTarget.ANNOTATION_CLASS)
@Retention(AnnotationRetention.RUNTIME)
@MustBeDocumented
@Inherited
@ExtendWith(NeonEmulatorExtension::class)
annotation class NeonEmulatorTest(
    /** A real PostgreSQL behind the API (a private cluster; needs PostgreSQL's server binaries). */
    val postgres: Boolean = false,
    /** With [postgres]: no PgBouncer even when it is installed. */
    val noPooler: Boolean = false,
    /** How long operations take to finish, in ms (0: at once); -1: the default (20 ms). */
    val operationDurationMs: Long = -1,
    /** Latency added to every response, in ms; -1: none. */
    val latencyMs: Long = -1,
    /** `423 Locked` while a conflicting operation runs (the default); false turns it off. */
    val locking: Boolean = true,
    /** Neon's rate limits (700 a minute, 40 a second per route); off by default. */
    val rateLimits: Boolean = false,
    /** Makes ids and random faults deterministic; -1: not seeded. */
    val seed: Long = -1,
    /** The API key the emulator accepts; "": its development key. */
    val apiKey: String = "",
)
