// The base of the generated model views (generated/Models.kt).
package dev.neonkit.models

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
 * A typed, read-only view of one of the API's objects over its JSON. Building a
 * view never fails; reading a required field that the server left out throws
 * [IllegalStateException]. Unknown fields stay in [neonJson]; enum-typed fields
 * are plain strings (open: new values from the server are kept). [toString]
 * lists field names only, never values (some fields hold secrets).
 */
public abstract class NeonModel(public val neonJson: JsonObject) {
    protected fun <T> optional(name: String, read: (JsonElement) -> T?): T? {
        val v = neonJson[name]
        if (v == null || v is JsonNull) return null
        return read(v)
    }

    protected fun <T> required(name: String, read: (JsonElement) -> T?): T =
        optional(name, read) ?: throw IllegalStateException("${this::class.simpleName}: no \"$name\" in the response")

    /** The JSON text of this object. */
    public fun toJson(): String = neonJson.toString()

    override fun toString(): String = "${this::class.simpleName}(${neonJson.keys.joinToString()})"
    override fun equals(other: Any?): Boolean = other is NeonModel && other::class == this::class && other.neonJson == neonJson
    override fun hashCode(): Int = neonJson.hashCode()
}

internal fun parseJsonObject(text: String): JsonObject =
    Json.parseToJsonElement(text) as? JsonObject ?: throw IllegalArgumentException("the JSON text is not an object")

internal fun asString(v: JsonElement): String? = (v as? JsonPrimitive)?.takeIf { it !is JsonNull }?.content
internal fun asInt(v: JsonElement): Int? = (v as? JsonPrimitive)?.intOrNull
internal fun asLong(v: JsonElement): Long? = (v as? JsonPrimitive)?.longOrNull
internal fun asDouble(v: JsonElement): Double? = (v as? JsonPrimitive)?.doubleOrNull
internal fun asBool(v: JsonElement): Boolean? = (v as? JsonPrimitive)?.booleanOrNull
internal fun asObject(v: JsonElement): JsonObject? = v as? JsonObject
internal fun asArray(v: JsonElement): JsonArray? = v as? JsonArray
