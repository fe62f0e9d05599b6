// The base of the generated models (generated/Models.kt) and the JSON helpers they use.
package dev.neonkit.models

import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.doubleOrNull
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.longOrNull

/**
 * One of the API's objects, typed: built in code for a request, or read from a response by the
 * generated `fromJson`.
 *
 * Reading never fails on the content (only on text that is not a JSON object):
 * - fields the spec does not list are kept in [extra] (and written back by [toJson]);
 * - a field the spec calls required that the response lacks (or holds with the wrong type) reads
 *   as its type's zero value (`""`, `0`, `false`, an empty list, 1970-01-01T00:00Z, an empty
 *   object) and is named in [missing]: `"default" in branch.missing` tells absent from present;
 * - an enum field holds any value the server sends (open value classes: `isKnown` says whether
 *   the spec lists it);
 * - [json] is the object exactly as it was read.
 *
 * [toString] lists the values, with `***` for the fields that hold secrets (the spec's
 * `x-sensitive` ones and the like) and only the names of the [extra] fields.
 */
public abstract class NeonModel(
    /** Fields the spec does not list, as the server sent them. */
    public val extra: Map<String, JsonElement>,
) {
    /** The required fields (JSON names) that the JSON this was read from lacked. Empty when built in code. */
    public var missing: Set<String> = emptySet()
        internal set

    internal var neonSource: JsonObject? = null

    /** The JSON object this was read from; built in code, what it writes ([toJsonObject]). */
    public val json: JsonObject get() = neonSource ?: toJsonObject()

    /** The JSON object of this model (API's snake_case names; absent optional fields left out). */
    public abstract fun toJsonObject(): JsonObject

    /** The JSON text of this model. */
    public fun toJson(): String = toJsonObject().toString()

    internal fun writeJson(block: JsonWriter.() -> Unit): JsonObject = JsonWriter(extra, missing).apply(block).build()

    internal fun show(name: String, vararg fields: Pair<String, Any?>): String {
        val parts = fields.filter { it.second != null }.map { "${it.first}=${it.second}" }.toMutableList()
        if (extra.isNotEmpty()) parts += "extra=[${extra.keys.joinToString()}]"
        return "$name(${parts.joinToString()})"
    }

    override fun equals(other: Any?): Boolean = other is NeonModel && other::class == this::class && other.toJsonObject() == toJsonObject()
    override fun hashCode(): Int = toJsonObject().hashCode()
}

/** What `toString` prints for a secret. */
internal fun secret(v: Any?): String? = v?.let { "***" }

/** Writes a model's fields (generated code). */
public class JsonWriter internal constructor(private val extra: Map<String, JsonElement>, private val missing: Set<String>) {
    private val out = LinkedHashMap<String, JsonElement>()

    internal fun <T> req(name: String, value: T, write: (T) -> JsonElement) {
        if (name !in missing) out[name] = write(value)
    }

    internal fun <T : Any> nullable(name: String, value: T?, write: (T) -> JsonElement) {
        if (name !in missing) out[name] = value?.let(write) ?: JsonNull
    }

    internal fun <T : Any> opt(name: String, value: T?, write: (T) -> JsonElement) {
        if (value != null) out[name] = write(value)
    }

    internal fun build(): JsonObject {
        for ((k, v) in extra) if (k !in out) out[k] = v
        return JsonObject(out)
    }
}

/** Reads a model's fields leniently (generated code). */
public class JsonReader internal constructor(private val json: JsonObject, private val known: Set<String>) {
    private val missing = LinkedHashSet<String>()

    internal fun <T> req(name: String, zero: T, read: (JsonElement) -> T?): T {
        val v = json[name]
        val r = if (v == null || v is JsonNull) null else read(v)
        if (r == null) {
            missing += name
            return zero
        }
        return r
    }

    internal fun <T> opt(name: String, read: (JsonElement) -> T?): T? {
        val v = json[name]
        if (v == null || v is JsonNull) return null
        return read(v)
    }

    internal fun extra(): Map<String, JsonElement> = json.filterKeys { it !in known }

    internal fun done(m: NeonModel) {
        m.missing = missing
        m.neonSource = json
    }
}

/** What a required date-time field holds when the server left it out. */
public val NEON_EPOCH: OffsetDateTime = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC)

internal fun parseJsonObject(text: String): JsonObject =
    Json.parseToJsonElement(text) as? JsonObject ?: throw IllegalArgumentException("the JSON text is not an object")

/** Parses JSON text and reads it with [read]. */
internal fun <T> readJson(text: String, read: (JsonElement) -> T?): T? = read(Json.parseToJsonElement(text))

/** A date-time as the API writes it (ISO 8601 with its offset, `2024-01-01T00:00:00Z`). */
internal fun formatDateTime(v: OffsetDateTime): String = v.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)

internal fun asString(v: JsonElement): String? = (v as? JsonPrimitive)?.takeIf { it !is JsonNull }?.content
internal fun asInt(v: JsonElement): Int? = (v as? JsonPrimitive)?.intOrNull
internal fun asLong(v: JsonElement): Long? = (v as? JsonPrimitive)?.let { it.longOrNull ?: it.doubleOrNull?.takeIf { d -> d % 1.0 == 0.0 }?.toLong() }
internal fun asDouble(v: JsonElement): Double? = (v as? JsonPrimitive)?.doubleOrNull
internal fun asBool(v: JsonElement): Boolean? = (v as? JsonPrimitive)?.booleanOrNull
internal fun asObject(v: JsonElement): JsonObject? = v as? JsonObject
internal fun asArray(v: JsonElement): JsonArray? = v as? JsonArray
internal fun asDateTime(v: JsonElement): OffsetDateTime? = asString(v)?.let {
    try {
        OffsetDateTime.parse(it, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
    } catch (e: java.time.format.DateTimeParseException) {
        null
    }
}
