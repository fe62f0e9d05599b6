package dev.neonkit.testing

import dev.neonkit.NeonClient
import dev.neonkit.NeonClientOptions
import dev.neonkit.TestEmulator
import dev.neonkit.startEmulator

/** One in-process emulator for the whole test run; each test resets it. */
object Emu {
    val emulator: TestEmulator by lazy {
        val e = startEmulator()
        Runtime.getRuntime().addShutdownHook(Thread { e.stop() })
        e
    }

    /** Empties the emulator (state, faults, counters). */
    fun reset() {
        emulator.reset()
        emulator.clearFaults()
    }

    /** A client of the emulator, with short retry backoffs so tests run fast. */
    fun client(
        maxRetries: Int = 3,
        wait: Boolean = true,
        waitTimeoutMs: Long? = null,
        timeoutMs: Long? = null,
        orgId: String? = null,
    ): NeonClient = NeonClient(
        emulator.apiKey(),
        NeonClientOptions(
            baseUrl = emulator.baseUrl(),
            maxRetries = maxRetries,
            retryInitialBackoffMs = 10,
            retryMaxBackoffMs = 50,
            waitForOperations = wait,
            waitTimeoutMs = waitTimeoutMs,
            waitPollIntervalMs = 10,
            waitMaxPollIntervalMs = 50,
            timeoutMs = timeoutMs,
            orgId = orgId,
        ),
    )

    fun count(operationId: String): Long = emulator.requestCount(operationId)
}
