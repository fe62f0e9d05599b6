package dev.neonkit

import dev.neonkit.generated.Dispatch
import dev.neonkit.testing.Args
import dev.neonkit.testing.ArgumentMismatch
import dev.neonkit.testing.Emu
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.intOrNull
import kotlinx.serialization.json.jsonObject
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import java.io.File
import java.time.Instant

/**
 * Runs every shared scenario of tests/scenarios (see its README) through the
 * generated Kotlin methods, once with the suspend methods and once with the
 * blocking ones: operations by operationId, workflows by their id in
 * spec/workflows.yaml, `concurrently` steps as coroutines (suspend) or threads
 * (blocking) running at the same time.
 */
class ScenariosTest {
    private val dir = File(System.getProperty("neonkit.scenarios") ?: "../../../tests/scenarios")

    @TestFactory
    fun scenarios(): List<DynamicTest> {
        val files = dir.listFiles { f -> f.name.endsWith(".json") }?.sortedBy { it.name } ?: emptyList()
        assertTrue(files.isNotEmpty(), "no scenarios in $dir")
        return files.flatMap { f ->
            listOf(false, true).map { blocking ->
                DynamicTest.dynamicTest("${f.nameWithoutExtension} (${if (blocking) "blocking" else "suspend"})") {
                    Runner(Json.parseToJsonElement(f.readText()).jsonObject, blocking).run()
                }
            }
        }
    }
}

/** What a call or workflow step gave: its result as JSON (JsonNull for none), or its error. */
private class Outcome(val json: JsonElement, val error: NeonException?)

private class Runner(val scenario: JsonObject, val blocking: Boolean) {
    val vars = mutableMapOf<String, JsonElement>()
    val name = (scenario["name"] as? JsonPrimitive)?.content ?: "?"

    fun run() {
        Emu.reset()
        val cfg = scenario["client"] as? JsonObject
        val client = Emu.client(
            maxRetries = (cfg?.get("max_retries") as? JsonPrimitive)?.intOrNull ?: 3,
            wait = (cfg?.get("wait") as? JsonPrimitive)?.booleanOrNull ?: true,
        )
        val steps = scenario["steps"] as JsonArray
        try {
            steps.forEachIndexed { i, s ->
                val step = s.jsonObject
                val where = "$name step $i"
                when {
                    "call" in step || "workflow" in step -> check(step, runBlocking { perform(client, step) }, where)
                    "concurrently" in step -> concurrently(client, step, where)
                    "iterate" in step -> iterate(client, step, where)
                    "fault" in step -> Emu.emulator.addFault(step["fault"].toString())
                    "seed" in step -> check(step, seed(step), where)
                    "clock" in step -> clock(step["clock"]!!.jsonObject)
                    "requests" in step -> for ((op, n) in step["requests"]!!.jsonObject) {
                        assertEquals((n as JsonPrimitive).content.toLong(), Emu.count(op), "$where: requests of $op")
                    }
                    else -> error("$where: unknown step $step")
                }
            }
        } finally {
            Emu.emulator.realClock()
        }
    }

    /** Seeds the step's fixture through `TestEmulator.seed`; the typed Seeded as the shared JSON shape, or the error. */
    fun seed(step: JsonObject): Outcome = try {
        val s = Emu.emulator.seed(subst(step["seed"]).toString())
        val projects = s.projects.map { p ->
            JsonObject(
                mapOf(
                    "id" to JsonPrimitive(p.id),
                    "name" to JsonPrimitive(p.name),
                    "branches" to JsonArray(
                        p.branches.map { b ->
                            JsonObject(
                                mapOf(
                                    "id" to JsonPrimitive(b.id),
                                    "name" to JsonPrimitive(b.name),
                                    "endpoint_ids" to JsonArray(b.endpointIds.map { JsonPrimitive(it) }),
                                ),
                            )
                        },
                    ),
                ),
            )
        }
        Outcome(JsonObject(mapOf("projects" to JsonArray(projects))), null)
    } catch (e: NeonException) {
        Outcome(JsonNull, e)
    }

    /** Sets the emulator's clock (`now`, RFC 3339) or moves it on (`advance_seconds`). */
    fun clock(c: JsonObject) {
        val now = c["now"] as? JsonPrimitive
        if (now != null) {
            Emu.emulator.setClock(Instant.parse(now.content))
        } else {
            Emu.emulator.advanceClock((c["advance_seconds"] as JsonPrimitive).content.toDouble())
        }
    }

    fun subst(e: JsonElement?): JsonElement? = when (e) {
        null -> null
        is JsonPrimitive -> if (e.isString) {
            val s = e.content
            val whole = Regex("^\\$\\{(\\w+)}$").find(s)
            if (whole != null) vars[whole.groupValues[1]] ?: error("unknown variable ${whole.groupValues[1]}")
            else JsonPrimitive(Regex("\\$\\{(\\w+)}").replace(s) { m -> text(vars[m.groupValues[1]] ?: error("unknown variable ${m.groupValues[1]}")) })
        } else e
        is JsonArray -> JsonArray(e.map { subst(it)!! })
        is JsonObject -> JsonObject(e.mapValues { subst(it.value)!! })
    }

    fun text(e: JsonElement): String = if (e is JsonPrimitive) e.content else e.toString()

    fun args(step: JsonObject): Args {
        val path = HashMap<String, String>()
        (subst(step["path"]) as? JsonObject)?.forEach { (k, v) -> path[k] = text(v) }
        val query = HashMap<String, List<String>>()
        (subst(step["query"]) as? JsonObject)?.forEach { (k, v) -> query[k] = if (v is JsonArray) v.map { text(it) } else listOf(text(v)) }
        val body = subst(step["body"])?.toString()
        val wargs = (subst(step["args"]) as? JsonObject) ?: JsonObject(emptyMap())
        return Args(path = path, query = query, body = body, args = wargs)
    }

    /**
     * Runs one call or workflow step through the generated suspend method, or its
     * blocking twin (then on the calling thread). A workflow that the yaml does not
     * list, or arguments that its typed method cannot take (an unknown or missing one,
     * one of the wrong type: a compile error in Kotlin), go through the dynamic
     * `NeonClient.workflow`, so that the core answers them as every language's does.
     */
    suspend fun perform(client0: NeonClient, step: JsonObject): Outcome {
        val client = (step["wait"] as? JsonPrimitive)?.booleanOrNull?.let { client0.withWait(it) } ?: client0
        val a = args(step)
        return try {
            val result: Any = if ("call" in step) {
                val op = (step["call"] as JsonPrimitive).content
                if (blocking) Dispatch.callBlocking(client, op, a) else Dispatch.call(client, op, a)
            } else {
                val id = (step["workflow"] as JsonPrimitive).content
                val params = Dispatch.workflowParams[id]
                val raw = JsonObject(a.args).toString()
                val dynamic: suspend () -> String = { if (blocking) client.workflowBlocking(id, raw) else client.workflow(id, raw) }
                if (params == null || !params.containsAll(a.args.keys)) {
                    dynamic()
                } else {
                    try {
                        if (blocking) Dispatch.workflowBlocking(client, id, a) else Dispatch.workflow(client, id, a)
                    } catch (m: ArgumentMismatch) {
                        // The arguments were read before the call: nothing was sent; the core refuses them.
                        dynamic()
                    }
                }
            }
            Outcome(if (result is String && result.isNotEmpty()) Json.parseToJsonElement(result) else JsonNull, null)
        } catch (e: NeonException) {
            Outcome(JsonNull, e)
        }
    }

    fun what(step: JsonObject): String = ((step["call"] ?: step["workflow"]) as? JsonPrimitive)?.content ?: "seed"

    /** Checks a step's outcome against its `expect_error` or `save` and `expect`. */
    fun check(step: JsonObject, o: Outcome, where: String) {
        val expectError = step["expect_error"] as? JsonObject
        val e = o.error
        if (e != null) {
            if (expectError == null) error("$where: ${what(step)} failed: ${e.info}")
            checkError(e, expectError, where)
            return
        }
        if (expectError != null) error("$where: ${what(step)} succeeded, expected ${expectError}")
        val json = o.json
        (step["save"] as? JsonObject)?.forEach { (v, p) ->
            vars[v] = json.at((p as JsonPrimitive).content) ?: error("$where: no ${p.content} in the response to save")
        }
        val expect = step["expect"] as? JsonObject ?: return
        (expect["fields"] as? JsonObject)?.forEach { (p, want0) ->
            val want = subst(want0)!!
            val got = json.at(p) ?: error("$where: no $p in $json")
            assertEquals(norm(want), norm(got), "$where: $p")
        }
        (expect["present"] as? JsonArray)?.forEach { p ->
            val path = (p as JsonPrimitive).content
            val got = json.at(path)
            val empty = got == null || got is JsonNull || (got is JsonPrimitive && got.isString && got.content.isEmpty()) ||
                (got is JsonArray && got.isEmpty()) || (got is JsonObject && got.isEmpty())
            assertTrue(!empty, "$where: $path must be present in $json")
        }
        (expect["length"] as? JsonObject)?.forEach { (p, n) ->
            val got = json.at(p) as? JsonArray ?: error("$where: $p is not an array")
            assertEquals((n as JsonPrimitive).content.toInt(), got.size, "$where: length of $p")
        }
        (expect["contains"] as? JsonObject)?.forEach { (p, want0) ->
            val want = text(subst(want0)!!)
            val got = json.at(p) as? JsonPrimitive
            assertTrue(got != null && got.isString, "$where: $p is not a string in $json")
            // The text may be a secret (a connection string): the failure names the path only.
            assertTrue(got!!.content.contains(want), "$where: the string at $p does not contain \"$want\"")
        }
        (expect["absent"] as? JsonArray)?.forEach { p ->
            val path = (p as JsonPrimitive).content
            val got = json.at(path)
            assertTrue(got == null || got is JsonNull, "$where: $path must be absent or null")
        }
    }

    /**
     * Runs the steps at the same time (suspend: coroutines of one scope; blocking:
     * the blocking methods on threads of their own), then checks each step's own
     * expectations, in order, and `expect_true`.
     */
    fun concurrently(client: NeonClient, step: JsonObject, where: String) {
        val steps = (step["concurrently"] as JsonArray).map { it.jsonObject }
        val outcomes = runBlocking {
            coroutineScope {
                steps.map { s ->
                    if (blocking) async(Dispatchers.IO) { perform(client, s) } else async { perform(client, s) }
                }.awaitAll()
            }
        }
        steps.zip(outcomes).forEachIndexed { i, (s, o) -> check(s, o, "$where.$i") }
        (step["expect_true"] as? JsonObject)?.forEach { (p, n) ->
            val got = outcomes.count { o -> (o.json.at(p) as? JsonPrimitive)?.let { !it.isString && it.booleanOrNull == true } == true }
            assertEquals((n as JsonPrimitive).content.toInt(), got, "$where: steps whose result has true at $p")
        }
    }

    fun norm(e: JsonElement): String = if (e is JsonPrimitive && !e.isString) e.content else e.toString()

    fun checkError(e: NeonException, want: JsonObject, where: String) {
        val info = e.info
        (want["kind"] as? JsonPrimitive)?.let { assertEquals(it.content, info.kind, "$where: error kind ($info)") }
        if ("status" in want) {
            val s = want["status"]
            if (s is JsonNull) assertEquals(null, info.status, "$where: status") else assertEquals((s as JsonPrimitive).content.toInt(), info.status, "$where: status")
        }
        (want["code"] as? JsonPrimitive)?.let { assertEquals(it.content, info.code, "$where: code") }
        if ((want["request_id"] as? JsonPrimitive)?.booleanOrNull == true) {
            assertTrue(!info.requestId.isNullOrEmpty(), "$where: the error must carry a request id ($info)")
        }
        (want["message_contains"] as? JsonArray)?.forEach { t ->
            val text = text(subst(t)!!)
            assertTrue(info.errorMessage.contains(text), "$where: the error's message \"${info.errorMessage}\" must contain \"$text\"")
        }
    }

    fun iterate(client: NeonClient, step: JsonObject, where: String) {
        val op = (step["iterate"] as JsonPrimitive).content
        val pager = Dispatch.pager(client, op, args(step))
        val count = if (blocking) pager.asSequence().count() else runBlocking { var n = 0; pager.asFlow().collect { n++ }; n }
        val want = (step["expect"]!!.jsonObject["count"] as JsonPrimitive).content.toInt()
        assertEquals(want, count, "$where: items of $op")
    }
}
