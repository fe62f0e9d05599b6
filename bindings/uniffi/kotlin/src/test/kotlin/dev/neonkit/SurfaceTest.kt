package dev.neonkit

import dev.neonkit.generated.Dispatch
import dev.neonkit.testing.Args
import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/**
 * Proves that all 180 operationIds are reachable from Kotlin: the generated
 * dispatch table names one Kotlin method per operationId (it only compiles if
 * each method exists), and calling each method, suspend and blocking, makes
 * the emulator count a request for exactly that operationId.
 */
class SurfaceTest {
    @BeforeEach
    fun reset() = Emu.reset()

    @Test
    fun everyOperationIdHasAKotlinMethod() {
        val native = operationIds()
        assertEquals(180, native.size)
        assertEquals(native.toSet(), Dispatch.operationIds.toSet())
        assertEquals(180, Dispatch.operationIds.toSet().size)
    }

    private fun reachAll(call: (NeonClient, String) -> Unit) {
        // The default org supplies the org_id that some operations require.
        val client = Emu.client(maxRetries = 0, wait = false, orgId = "org-surface-1")
        val unreached = mutableListOf<String>()
        for (id in Dispatch.operationIds) {
            val before = Emu.count(id)
            try {
                call(client, id)
            } catch (e: NeonException) {
                // An API error (404 for the made-up ids, 400 for the empty bodies) is
                // fine: the request reached the server. Errors raised before sending are not.
                assertTrue(e.kind !in setOf("invalid_argument", "runtime", "config"), "$id: ${e.info}")
            }
            if (Emu.count(id) <= before) unreached += id
        }
        assertEquals(emptyList<String>(), unreached, "operations whose method sent no request for them")
    }

    @Test
    fun everySuspendMethodReachesItsOperation() = reachAll { c, id -> runBlocking { Dispatch.call(c, id, Args(dummies = true)) } }

    @Test
    fun everyBlockingMethodReachesItsOperation() = reachAll { c, id -> Dispatch.callBlocking(c, id, Args(dummies = true)) }
}
