// Hand-written Kotlin conveniences over the generated bindings (neonkit.kt).
package dev.neonkit

import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject

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

/** The common fields of this error (the core's `errorInfo`: no list of kinds here). */
val NeonException.info: NeonErrorInfo get() = errorInfo(this)

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

/**
 * A typed pager: what the typed `iter` / `…Iter` methods return (`client.projects().iter(limit = 10)`),
 * over the JSON-text [NeonPager] ([raw], what `iterJson` returns). Items are decoded as their
 * models are (never failing on the content). Walk it once: [asFlow] (suspend), [asSequence]
 * (blocking), or page by page.
 */
public class NeonPages<T> internal constructor(public val raw: NeonPager, private val decode: (String) -> T) {
    /** The next page's items, or null after the last page. */
    public suspend fun nextPage(): List<T>? = raw.nextPage()?.map(decode)

    /** The blocking form of [nextPage]. */
    public fun nextPageBlocking(): List<T>? = raw.nextPageBlocking()?.map(decode)

    /** Every remaining item. */
    public suspend fun collectAll(): List<T> = raw.collectAll().map(decode)

    /** The blocking form of [collectAll]. */
    public fun collectAllBlocking(): List<T> = raw.collectAllBlocking().map(decode)

    /** Every remaining item, page by page as the flow is collected. */
    public fun asFlow(): Flow<T> = flow {
        while (true) {
            val page = nextPage() ?: break
            for (item in page) emit(item)
        }
    }

    /** Every remaining item, page by page as the sequence is iterated (blocking). */
    public fun asSequence(): Sequence<T> = sequence {
        while (true) {
            val page = nextPageBlocking() ?: break
            yieldAll(page)
        }
    }
}

/** The body of a [NeonResponse] as text (UTF-8): `client.request("GET", "/projects", listOf(), null).text()`. */
fun NeonResponse.text(): String = body.decodeToString()

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
