package dev.neonkit

import dev.neonkit.generated.Dispatch
import dev.neonkit.models.BranchConnection
import dev.neonkit.models.CreatedProjectResponse
import dev.neonkit.models.EnsuredBranch
import dev.neonkit.models.EndpointsResponse
import dev.neonkit.models.ProjectConnection
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.testing.Args
import dev.neonkit.testing.Emu
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * The workflows of spec/workflows.yaml (generated methods on the namespaces and
 * on NeonClient, which run the core's `Client::workflow`), against the emulator.
 */
class WorkflowsTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun project(name: String = "wf"): String =
        CreatedProjectResponse.fromJson(client.projects().createJsonBlocking("""{"project": {"name": "$name"}}""")).project.id

    @Test
    fun everyWorkflowHasAMethodThatReachesTheCoreByItsId() {
        assertEquals(workflowIds().toSet(), Dispatch.workflowIds.toSet(), "the core's workflows and the generated methods")
        assertEquals(11, Dispatch.workflowIds.size)
        // Made-up ids (dummies) make the API answer 404, an empty body makes a project: either way
        // the core ran the workflow. An id the core did not know would be "no workflow …".
        val c = Emu.client(maxRetries = 0)
        for (id in Dispatch.workflowIds) {
            for (blocking in listOf(false, true)) {
                try {
                    if (blocking) Dispatch.workflowBlocking(c, id, Args(dummies = true)) else runBlocking { Dispatch.workflow(c, id, Args(dummies = true)) }
                } catch (e: NeonException) {
                    assertFalse(e.info.errorMessage.contains("no workflow"), "$id: ${e.info}")
                    assertTrue(e.kind !in setOf("runtime", "config", "decode"), "$id: ${e.info}")
                }
            }
        }
    }

    @Test
    fun unknownIdsAndArgumentsAreInvalidArgumentsBeforeAnyRequest() = runBlocking<Unit> {
        val e = assertThrows<NeonException.InvalidArgumentException> { runBlocking { client.workflow("branches.nope", "{}") } }
        assertTrue(e.errorMessage.contains("branches.nope"), e.errorMessage)
        assertEquals(null, e.status)
        val b = assertThrows<NeonException.InvalidArgumentException> { client.workflowBlocking("nope", "{}") }
        assertTrue(b.errorMessage.contains("nope"), b.errorMessage)
        val arg = assertThrows<NeonException.InvalidArgumentException> {
            client.workflowBlocking("branches.ensure", """{"project_id": "p-1", "name": "dev", "colour": "blue"}""")
        }
        assertTrue(arg.errorMessage.contains("colour"), arg.errorMessage)
        assertEquals(0, Emu.count("listProjectBranches"))
        assertEquals(0, Emu.count("createProjectBranch"))
    }

    @Test
    fun aBodyThatIsNotJsonIsAnInvalidArgumentBeforeAnyRequest() = runBlocking<Unit> {
        val secret = "s3cr3t-in-a-broken-body"
        val e = assertThrows<NeonException.InvalidArgumentException> {
            client.projects().createAndConnectJsonBlocking(body = """{"project": {"name": "$secret"""")
        }
        assertTrue(e.errorMessage.contains("body is not JSON"), e.errorMessage)
        assertFalse(e.message!!.contains(secret), "the text is never quoted: ${e.message}")
        val pid = project()
        val s = assertThrows<NeonException.InvalidArgumentException> { runBlocking { client.branches().createAndConnectJson(pid, endpoint = "[") } }
        assertTrue(s.errorMessage.contains("endpoint is not JSON"), s.errorMessage)
        assertEquals(1, Emu.count("createProject"), "only the project() above")
        assertEquals(0, Emu.count("createProjectBranch"))
    }

    @Test
    fun ensureTwiceCreatesOnceSuspendThenBlocking() = runBlocking<Unit> {
        val pid = project()
        val first = EnsuredBranch.fromJson(client.branches().ensureJson(pid, "dev"))
        assertTrue(first.created)
        assertEquals("dev", first.branch.name)
        val second = EnsuredBranch.fromJson(client.branches().ensureJsonBlocking(pid, "dev"))
        assertFalse(second.created)
        assertEquals(first.branch.id, second.branch.id)
        assertEquals(1, Emu.count("createProjectBranch"))
        // compute defaults to false: the new branch got no endpoint.
        val endpoints = EndpointsResponse.fromJson(client.endpoints().listJson(pid)).endpoints
        assertFalse(endpoints.any { it.branchId == first.branch.id }, "no endpoint for ${first.branch.id}")
    }

    @Test
    fun connectionStringOfAFreshProjectIsPooledByDefault() = runBlocking<Unit> {
        val pid = project()
        val pooled = client.connectionString(pid)
        assertTrue(pooled.startsWith("postgres"), "a postgres URI")
        assertTrue(pooled.contains("-pooler"), "pooled by default")
        val direct = client.connectionStringBlocking(pid, pooled = false)
        assertFalse(direct.contains("-pooler"), "pooled = false")
        val missing = assertThrows<NeonException.InvalidArgumentException> { client.connectionStringBlocking(pid, database = "nope") }
        assertTrue(missing.errorMessage.contains("neondb"), "lists the databases: ${missing.errorMessage}")
    }

    @Test
    fun createAndConnectViewsNeverPrintTheConnectionString() = runBlocking<Unit> {
        // The typed workflow methods: a model in, a model out.
        val made: ProjectConnection = client.projects().createAndConnect(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "cc")))
        assertEquals("cc", made.project.name)
        assertEquals(made.branch.id, made.endpoint.branchId)
        assertTrue(made.connectionString.contains("-pooler"))
        assertFalse(made.toString().contains(made.connectionString), made.toString())

        val branch: BranchConnection = client.branches().createAndConnectBlocking(made.project.id, name = "feature")
        assertEquals("feature", branch.branch.name)
        val uri = branch.connectionString
        assertNotNull(uri)
        assertFalse(branch.toString().contains(uri!!), branch.toString())
        assertTrue(branch.toString().contains("connectionString=***"), "the secret is named, its value hidden: $branch")
        assertTrue(branch.toString().contains("name=feature"), "other values are listed: $branch")
        assertEquals(branch.branch.id, branch.endpoint?.branchId)

        val bare = client.branches().createAndConnect(made.project.id, name = "bare", compute = false)
        assertEquals(null, bare.connectionString)
        assertEquals(null, bare.endpoint)
    }

    @Test
    fun cancellingTheCoroutineAbortsTheWorkflow() = runBlocking<Unit> {
        val pid = project()
        Emu.emulator.addFault("""{"operation_id": "listProjectBranches", "kind": "latency", "ms": 1000, "times": 1}""")
        val started = System.nanoTime()
        assertThrows<TimeoutCancellationException> { runBlocking { withTimeout(100) { client.branches().ensureJson(pid, "late") } } }
        assertTrue((System.nanoTime() - started) / 1_000_000 < 800, "the coroutine did not wait for the slow lookup")
        // Had the call gone on, it would have created the branch once the lookup answered.
        delay(1500)
        assertEquals(0, Emu.count("createProjectBranch"), "the aborted workflow created nothing")
        assertTrue(client.branches().ensure(pid, "late").created)
    }
}
