// Hand-written: the core's events to java.util.logging and to hooks (no dependency besides the JDK).
package dev.neonkit

import java.util.logging.Level
import java.util.logging.LogRecord
import java.util.logging.Logger

/**
 * A [NeonEventListener] that writes each event's line (the core's: the same text in every
 * neonkit language) to java.util.logging's `neonkit` logger, retries at `INFO` and the rest at
 * `FINE`, and calls the hooks given with the [NeonEvent]:
 *
 * ```kotlin
 * Logger.getLogger("neonkit").level = Level.FINE          // before the client is made
 * val client = NeonClient(key, options, NeonHooks(onRetry = { e -> println("${e.status} ${e.delayMs}") }))
 * ```
 *
 * Which kinds it wants is decided once, when the client is made ([kinds]): those with a hook,
 * and those the logger then writes. With none (no hooks, the logger above `INFO`) the core makes
 * no event and nothing crosses into the JVM per request. Hooks observe (they cannot change or stop
 * a call); one that throws is logged at `WARNING` with its exception and the call goes on. They
 * run in order on the thread that runs the call (the caller's for `…Blocking` methods, a neonkit
 * runtime thread for suspending ones).
 */
class NeonHooks(
    private val onRequest: ((NeonEvent) -> Unit)? = null,
    private val onResponse: ((NeonEvent) -> Unit)? = null,
    private val onRetry: ((NeonEvent) -> Unit)? = null,
    private val onWait: ((NeonEvent) -> Unit)? = null,
    private val logger: Logger = Logger.getLogger("neonkit"),
) : NeonEventListener {
    private fun hook(kind: NeonEventKind): Pair<String, ((NeonEvent) -> Unit)?> = when (kind) {
        NeonEventKind.REQUEST -> "onRequest" to onRequest
        NeonEventKind.RESPONSE -> "onResponse" to onResponse
        NeonEventKind.RETRY -> "onRetry" to onRetry
        NeonEventKind.WAIT -> "onWait" to onWait
    }

    private fun levelOf(kind: NeonEventKind): Level = if (kind == NeonEventKind.RETRY) Level.INFO else Level.FINE

    override fun kinds(): List<NeonEventKind> =
        NeonEventKind.entries.filter { hook(it).second != null || logger.isLoggable(levelOf(it)) }

    override fun onEvent(event: NeonEvent) {
        val level = if (event.level == NeonEventLevel.INFO) Level.INFO else Level.FINE
        if (logger.isLoggable(level)) {
            val record = LogRecord(level, event.message)
            record.loggerName = logger.name
            record.sourceClassName = "neonkit"
            record.sourceMethodName = event.operation
            logger.log(record)
        }
        val (name, hook) = hook(event.kind)
        if (hook == null) return
        try {
            hook(event)
        } catch (e: Exception) {
            logger.log(Level.WARNING, hookFailedMessage(name, "${e.javaClass.simpleName}: ${e.message}"), e)
        }
    }
}
