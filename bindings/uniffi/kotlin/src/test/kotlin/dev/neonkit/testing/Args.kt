package dev.neonkit.testing

import dev.neonkit.MultipartPart
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull

/**
 * The arguments of one call, by spec name, for the generated dispatch table
 * (generated/Dispatch.kt): an operation's path, query and body, or a workflow's
 * [args] (by their names in spec/workflows.yaml). With [dummies], a missing
 * argument gets a value valid for its kind (the surface check calls every
 * operation and workflow that way).
 */
class Args(
    val path: Map<String, String> = emptyMap(),
    val query: Map<String, List<String>> = emptyMap(),
    val body: String? = null,
    val parts: List<MultipartPart>? = null,
    val dummies: Boolean = false,
    val args: Map<String, JsonElement> = emptyMap(),
) {
    private fun missing(what: String): Nothing = throw IllegalArgumentException("missing $what")

    fun path(name: String, dummy: String): String = path[name] ?: if (dummies) dummy else missing("path parameter $name")
    fun pathLong(name: String, dummy: Long): Long = path[name]?.toLong() ?: if (dummies) dummy else missing("path parameter $name")

    fun str(name: String): String? = query[name]?.firstOrNull()
    fun long(name: String): Long? = str(name)?.toLong()
    fun double(name: String): Double? = str(name)?.toDouble()
    fun bool(name: String): Boolean? = str(name)?.toBooleanStrict()
    fun strList(name: String): List<String>? = query[name]
    fun longList(name: String): List<Long>? = query[name]?.map { it.toLong() }

    fun strRequired(name: String): String = str(name) ?: if (dummies) "surface" else missing("query parameter $name")
    fun longRequired(name: String): Long = long(name) ?: if (dummies) 1L else missing("query parameter $name")
    fun doubleRequired(name: String): Double = double(name) ?: if (dummies) 1.0 else missing("query parameter $name")
    fun boolRequired(name: String): Boolean = bool(name) ?: if (dummies) false else missing("query parameter $name")
    fun strListRequired(name: String): List<String> = strList(name) ?: if (dummies) listOf("surface") else missing("query parameter $name")
    fun longListRequired(name: String): List<Long> = longList(name) ?: if (dummies) listOf(1L) else missing("query parameter $name")

    fun body(): String? = body
    fun bodyRequired(): String = body ?: if (dummies) "{}" else missing("request body")
    fun parts(): List<MultipartPart>? = parts
    fun partsRequired(): List<MultipartPart> = parts ?: if (dummies) listOf(MultipartPart(name = "file", text = "surface")) else missing("multipart body")

    // A workflow's arguments. An absent or null one is null (the method's default);
    // a missing required one or one of the wrong JSON type is an [ArgumentMismatch]
    // (raised while the call's arguments are read, so before the call), not a silent default.
    private fun present(name: String): JsonElement? = args[name]?.takeIf { it !is JsonNull }

    fun arg(name: String): String? = present(name)?.let { v ->
        if (v is JsonPrimitive && v.isString) v.content else throw ArgumentMismatch("argument $name is not a string: $v")
    }
    fun argBool(name: String): Boolean? = present(name)?.let { v ->
        (v as? JsonPrimitive)?.takeIf { !it.isString }?.booleanOrNull ?: throw ArgumentMismatch("argument $name is not a boolean: $v")
    }
    fun argJson(name: String): String? = present(name)?.toString()

    fun argRequired(name: String): String = arg(name) ?: if (dummies) "surface-check-1" else throw ArgumentMismatch("missing argument $name")
    fun argBoolRequired(name: String): Boolean = argBool(name) ?: if (dummies) false else throw ArgumentMismatch("missing argument $name")
    fun argJsonRequired(name: String): String = argJson(name) ?: if (dummies) "{}" else throw ArgumentMismatch("missing argument $name")
}

/** Workflow arguments that the typed method cannot take (a missing one, one of the wrong JSON type). */
class ArgumentMismatch(message: String) : IllegalArgumentException(message)
