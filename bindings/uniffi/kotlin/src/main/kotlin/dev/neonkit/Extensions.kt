// Hand-written Kotlin conveniences over the generated bindings (neonkit.kt).
package dev.neonkit

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject

/** The fields every [NeonException] variant carries, whatever its kind. */
data class NeonErrorInfo(
    /** The kind's stable snake_case name (`not_found`, `locked`, …), the same in every neonkit language. */
    val kind: String,
    /** The HTTP status, or null when no response was received. */
    val status: Int?,
    /** The API's error code (may be empty). */
    val code: String,
    val errorMessage: String,
    val requestId: String?,
    /** The operationId of the call that failed. */
    val operation: String?,
    /** Operations still running after a wait timed out (or the one that failed). */
    val pendingOperations: List<String>,
    /** Calling again later may succeed and is safe (never after the API accepted the call). */
    val retryable: Boolean,
    /** The API accepted the call before it failed: never call it again; wait for [pendingOperations]. */
    val accepted: Boolean,
)

/**
 * What `NeonException.message` reads: the API's message, then its context
 * (`name already taken (operation createProjectBranch, status 409, request id …)`),
 * worded as in Python and Node. Never holds a secret.
 */
internal fun neonMessage(errorMessage: String, operation: String?, status: Int?, code: String, requestId: String?): String {
    val details = listOfNotNull(
        operation?.let { "operation $it" },
        status?.let { "status $it" },
        code.takeIf { it.isNotEmpty() }?.let { "code $it" },
        requestId?.let { "request id $it" },
    )
    return if (details.isEmpty()) errorMessage else "$errorMessage (${details.joinToString(", ")})"
}

/** The common fields of this error. */
val NeonException.info: NeonErrorInfo
    get() = when (this) {
        is NeonException.BadRequest -> NeonErrorInfo("bad_request", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Unauthorized -> NeonErrorInfo("unauthorized", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Forbidden -> NeonErrorInfo("forbidden", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.NotFound -> NeonErrorInfo("not_found", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Conflict -> NeonErrorInfo("conflict", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Locked -> NeonErrorInfo("locked", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.RateLimited -> NeonErrorInfo("rate_limited", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Server -> NeonErrorInfo("server", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Api -> NeonErrorInfo("api", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Timeout -> NeonErrorInfo("timeout", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Network -> NeonErrorInfo("network", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Decode -> NeonErrorInfo("decode", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.InvalidArgument -> NeonErrorInfo("invalid_argument", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Config -> NeonErrorInfo("config", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.OperationFailed -> NeonErrorInfo("operation_failed", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.WaitTimeout -> NeonErrorInfo("wait_timeout", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
        is NeonException.Runtime -> NeonErrorInfo("runtime", status, code, errorMessage, requestId, operation, pendingOperations, retryable, accepted)
    }

/** The kind's stable snake_case name (`not_found`, `locked`, …). */
val NeonException.kind: String get() = info.kind

/** Every remaining item of the pager, page by page as the flow is collected. */
fun NeonPager.asFlow(): Flow<String> = flow {
    while (true) {
        val page = nextPage() ?: break
        for (item in page) emit(item)
    }
}

/** Every remaining item of the pager, page by page as the sequence is iterated (blocking). */
fun NeonPager.asSequence(): Sequence<String> = sequence {
    while (true) {
        val page = nextPageBlocking() ?: break
        yieldAll(page)
    }
}

/** Parses a response (JSON text) into a tree: `client.projects().get(id).json()`. */
fun String.json(): JsonElement = Json.parseToJsonElement(this)

/**
 * The element at a dotted path (`"project.id"`, `"branches.0.name"`), or null
 * when a step is missing.
 */
fun JsonElement.at(path: String): JsonElement? {
    var cur: JsonElement = this
    if (path.isEmpty()) return cur
    for (step in path.split('.')) {
        cur = when (cur) {
            is JsonObject -> cur[step] ?: return null
            is JsonArray -> step.toIntOrNull()?.let { cur.getOrNull(it) } ?: return null
            else -> return null
        }
    }
    return cur
}

/** The string at a dotted path, or null. */
fun JsonElement.str(path: String): String? {
    val e = at(path) ?: return null
    if (e is JsonNull) return null
    return (e as? kotlinx.serialization.json.JsonPrimitive)?.content
}
