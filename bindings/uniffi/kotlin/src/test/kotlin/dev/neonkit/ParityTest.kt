package dev.neonkit

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import kotlin.reflect.KClass
import kotlin.reflect.full.primaryConstructor

/**
 * The vocabulary's parity data (tests/parity/vocabulary.json, generated from
 * spec/vocabulary.yaml): every error kind is a `NeonException` subclass under
 * its Kotlin name, every option a record field under its Kotlin name, and every
 * bad value that Kotlin's types let through fails with the listed message.
 */
class ParityTest {
    private val parity: JsonObject = Json.parseToJsonElement(
        File(System.getProperty("neonkit.parity") ?: "../../../tests/parity/vocabulary.json").readText(),
    ).jsonObject

    private fun rows(key: String): List<JsonObject> = parity[key]!!.jsonArray.map { it.jsonObject }
    private fun JsonObject.str(key: String): String = this[key]!!.jsonPrimitive.content
    private fun JsonObject.flag(key: String): Boolean = this[key]!!.jsonPrimitive.boolean
    private fun JsonObject.kotlin(): JsonObject = this["kotlin"]!!.jsonObject

    @Test
    fun everyErrorKindIsANeonExceptionUnderItsName() {
        val classes = NeonException::class.sealedSubclasses.associateBy { it.simpleName!! }
        val errors = rows("errors")
        assertEquals(errors.map { it.str("kotlin") }.toSet(), classes.keys, "the NeonException subclasses")
        for (e in errors) {
            val cls = classes.getValue(e.str("kotlin"))
            // A value of the class, through the core's errorInfo: its kind is the vocabulary's.
            val ex = cls.primaryConstructor!!.call(null, "", "parity", null, null, emptyList<String>(), false, false)
            assertEquals(e.str("kind"), ex.info.kind, cls.simpleName)
            assertEquals(e.str("kind"), ex.kind)
        }
    }

    private fun params(cls: KClass<*>): Set<String> = cls.primaryConstructor!!.parameters.map { it.name!! }.toSet()

    @Test
    fun everyOptionIsARecordFieldUnderItsKotlinName() {
        val client = params(NeonClientOptions::class)
        val call = params(NeonCallOptions::class)
        val ctor = NeonClient::class.constructors.flatMap { c -> c.parameters.mapNotNull { it.name } }.toSet()
        for (o in rows("options")) {
            val name = o.kotlin().str("name")
            if (!o.flag("record")) {
                // Not a record field (records print every field): a constructor argument.
                assertTrue(o.flag("client") && name in ctor, "$name is an argument of NeonClient")
                continue
            }
            if (o.flag("client")) assertTrue(name in client, "$name in NeonClientOptions $client")
            if (o.flag("call")) assertTrue(name in call, "$name in NeonCallOptions $call")
        }
        val emulator = params(EmulatorOptions::class)
        val start = ::startEmulator.parameters.mapNotNull { it.name }.toSet()
        for (o in rows("emulator_options")) {
            val name = o.kotlin().str("name")
            // Not a record field (a URL with a password): an argument of startEmulator.
            if (o.flag("record")) assertTrue(name in emulator, "$name in EmulatorOptions") else assertTrue(name in start, "$name is an argument of startEmulator")
        }
        assertEquals(rows("emulator_options").filter { it.flag("record") }.size, emulator.size, "no EmulatorOptions field outside the vocabulary")
    }

    /** The record [cls] with only the field [name] set to [value] (converted to the field's type). */
    private fun <T : Any> record(cls: KClass<T>, name: String, value: JsonPrimitive): T {
        val ctor = cls.primaryConstructor!!
        val p = ctor.parameters.single { it.name == name }
        val v: Any = when (p.type.classifier) {
            Long::class -> value.long
            Int::class -> value.long.toInt()
            else -> error("$name: no typed bad value expected for ${p.type}")
        }
        return ctor.callBy(mapOf(p to v))
    }

    /** Every (option name, value, message) the vocabulary lists as passable from Kotlin. */
    private fun typedBad(row: JsonObject): List<Triple<String, JsonPrimitive, String>> =
        (row.kotlin()["bad"] as JsonArray).map { it.jsonObject }.filter { it.flag("typed") }.map {
            Triple(row.kotlin().str("name"), it["value"]!!.jsonPrimitive, it.str("message"))
        }

    @Test
    fun everyBadOptionValueIsAConfigErrorWithTheSharedMessage() {
        val base = NeonClient("k", NeonClientOptions(baseUrl = "http://127.0.0.1:9/api/v2"))
        var checked = 0
        for (o in rows("options").filter { it.flag("record") }) {
            for ((name, value, message) in typedBad(o)) {
                if (o.flag("client")) {
                    val e = assertThrows<NeonException.ConfigException>("$name=$value") { NeonClient("k", record(NeonClientOptions::class, name, value)) }
                    assertEquals(message, e.errorMessage)
                    checked++
                }
                if (o.flag("call")) {
                    val e = assertThrows<NeonException.ConfigException>("withOptions $name=$value") { base.withOptions(record(NeonCallOptions::class, name, value)) }
                    assertEquals(message, e.errorMessage)
                    checked++
                }
            }
        }
        for (o in rows("emulator_options").filter { it.flag("record") }) {
            for ((name, value, message) in typedBad(o)) {
                val e = assertThrows<NeonException.ConfigException>("emulator $name=$value") { startEmulator(record(EmulatorOptions::class, name, value)) }
                assertEquals(message, e.errorMessage)
                checked++
            }
        }
        assertTrue(checked >= 30, "only $checked bad values checked")
    }
}
