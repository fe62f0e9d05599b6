package dev.neonkit

import dev.neonkit.models.EndpointState
import dev.neonkit.models.EndpointType
import dev.neonkit.models.OperationAction
import dev.neonkit.models.OperationStatus
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.JsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/**
 * Enum values the spec does not list (what a newer Neon sends), through the typed methods only:
 * the emulator's merge_body fault rewrites a handled answer, and the open enum keeps the value,
 * equal to none of its constants, beside the known values of the same answer.
 */
class UnknownEnumsTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun mergeBody(operationId: String, body: String) =
        Emu.emulator.addFault("""{"operation_id": "$operationId", "kind": "merge_body", "body": $body, "times": 1}""")

    @Test
    fun anUnknownEndpointStateIsKeptSuspendAndBlocking() = runBlocking<Unit> {
        val created = client.projects().create(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "kt-unknown")))
        val pid = created.project.id
        val eid = created.endpoints[0].id
        val patch = """{"endpoint": {"current_state": "hibernating", "pending_state": "thawing"}}"""

        mergeBody("getProjectEndpoint", patch)
        val ep = client.endpoints().get(pid, eid).endpoint
        assertEquals("hibernating", ep.currentState.value)
        assertEquals("hibernating", ep.currentState.toString())
        assertEquals(EndpointState("hibernating"), ep.currentState)
        assertFalse(ep.currentState.isKnown)
        assertFalse(ep.currentState in EndpointState.values)
        for (known in EndpointState.values) assertNotEquals(known, ep.currentState)
        assertEquals(EndpointState("thawing"), ep.pendingState)
        // the known enum of the same answer is its constant
        assertEquals(EndpointType.READ_WRITE, ep.type)
        assertTrue(ep.type.isKnown)
        assertEquals(eid, ep.id)
        assertTrue(ep.missing.isEmpty(), ep.missing.toString())
        // written back as it came
        assertEquals(JsonPrimitive("hibernating"), ep.toJsonObject()["current_state"])

        mergeBody("getProjectEndpoint", patch)
        val blocking = client.endpoints().getBlocking(pid, eid).endpoint
        assertEquals(EndpointState("hibernating"), blocking.currentState)
        assertFalse(blocking.currentState.isKnown)

        // one answer each: the next is the emulator's own, a known constant
        assertTrue(client.endpoints().get(pid, eid).endpoint.currentState.isKnown)
    }

    @Test
    fun anUnknownOperationStatusAndActionAreKept() = runBlocking<Unit> {
        val created = client.projects().create(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "kt-unknown-op")))
        val pid = created.project.id
        val opId = created.operations[0].id
        mergeBody("getProjectOperation", """{"operation": {"status": "paused", "action": "hibernate_compute"}}""")
        val op = client.operations().get(pid, opId).operation
        assertEquals(OperationStatus("paused"), op.status)
        assertFalse(op.status.isKnown)
        for (known in OperationStatus.values) assertNotEquals(known, op.status)
        assertEquals(OperationAction("hibernate_compute"), op.action)
        assertFalse(op.action.isKnown)
        assertEquals(opId, op.id)
        assertEquals(pid, op.projectId)
    }
}
