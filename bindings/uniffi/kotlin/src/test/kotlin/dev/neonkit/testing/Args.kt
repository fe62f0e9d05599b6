package dev.neonkit.testing

import dev.neonkit.MultipartPart

/**
 * The arguments of one call, by spec name, for the generated dispatch table
 * (generated/Dispatch.kt). With [dummies], a missing argument gets a value
 * valid for its kind (the surface check calls every operation that way).
 */
class Args(
    val path: Map<String, String> = emptyMap(),
    val query: Map<String, List<String>> = emptyMap(),
    val body: String? = null,
    val parts: List<MultipartPart>? = null,
    val dummies: Boolean = false,
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
}
