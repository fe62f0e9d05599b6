package dev.neonkit

import dev.neonkit.models.CreateProjectBranchRequest
import dev.neonkit.models.CreateProjectBranchRequestBranch
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.format.DateTimeFormatter
import java.time.temporal.ChronoUnit
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/**
 * `TestEmulator.seed`: a fixture's JSON seeds projects, branches, databases and roles (timestamps in
 * the past included) and answers the typed `Seeded`; a bad one is an `InvalidArgumentException`
 * naming the bad field's path, and nothing of it is applied.
 */
class FixturesTest {
    private lateinit var emu: TestEmulator
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        emu = startEmulator(EmulatorOptions(operationDurationMs = 0))
        client = NeonClient(emu.apiKey(), NeonClientOptions(baseUrl = emu.baseUrl(), maxRetries = 0))
    }

    @AfterEach
    fun tearDown() = emu.stop()

    private fun iso(t: OffsetDateTime) = t.format(DateTimeFormatter.ISO_INSTANT)

    @Test
    fun seedAnswersTheTypedIdsAndTheStateIsThere() = runBlocking<Unit> {
        val seeded = emu.seed(
            """
            {"projects": [{"id": "fx-kotlin", "name": "shop", "created_at": "2026-01-05T00:00:00Z",
              "branches": [
                {"name": "main", "roles": [{"name": "app", "password": "npg_fixture_secret"}]},
                {"id": "br-fx-kotlin-preview", "name": "preview/pr-7", "parent_id": "main"}
              ]}]}
            """.trimIndent(),
        )
        assertEquals(listOf("fx-kotlin"), seeded.projects.map { it.id })
        val project: SeededProject = seeded.projects[0]
        assertEquals("shop", project.name)
        assertEquals(listOf("main", "preview/pr-7"), project.branches.map { it.name })
        val main: SeededBranch = project.branches[0]
        assertTrue(main.id.startsWith("br-"), main.id)
        assertEquals("br-fx-kotlin-preview", project.branches[1].id)
        project.branches.forEach { assertEquals(1, it.endpointIds.size, "endpoints of ${it.name}") }

        val got = client.projects().get("fx-kotlin").project
        assertEquals("shop", got.name)
        assertEquals(OffsetDateTime.parse("2026-01-05T00:00:00Z").toInstant(), got.createdAt.toInstant())
        val branches = client.branches().list("fx-kotlin").branches.associateBy { it.name }
        assertEquals(setOf("main", "preview/pr-7"), branches.keys)
        assertEquals(true, branches["main"]!!.default)
        assertEquals(main.id, branches["preview/pr-7"]!!.parentId)
        // the child inherits its parent's database and role
        assertEquals("app", client.databases().get("fx-kotlin", "br-fx-kotlin-preview", "neondb").database.ownerName)
        assertEquals("npg_fixture_secret", client.roles().getPassword("fx-kotlin", "br-fx-kotlin-preview", "app").password)
    }

    @Test
    fun aBadFixtureIsAnInvalidArgumentExceptionNamingThePathAndNothingIsApplied() = runBlocking<Unit> {
        val bad = """
            {"projects": [
              {"id": "fx-good", "name": "good"},
              {"id": "fx-bad", "name": "bad", "branches": [{"name": "main"}, {"name": "orphan", "parent_id": "nope"}]}
            ]}
        """.trimIndent()
        val e = assertThrows<NeonException.InvalidArgumentException> { emu.seed(bad) }
        assertEquals("invalid_argument", e.info.kind)
        assertTrue(e.info.errorMessage.startsWith("invalid fixture: \$.projects[1].branches[1].parent_id: "), e.info.errorMessage)
        assertTrue(e.info.errorMessage.contains("nope"), e.info.errorMessage)
        assertNull(e.info.status)
        // all or nothing: the good project before the bad one is not there either
        assertEquals(0, client.projects().list().projects.size)
        assertThrows<NeonException.NotFoundException> { client.projects().getBlocking("fx-good") }

        val other = assertThrows<NeonException.InvalidArgumentException> {
            emu.seed("""{"projects": [{"name": "p", "branches": [{"name": "main", "cpu_used_sec": 1}]}]}""")
        }
        assertTrue(other.info.errorMessage.contains("\$.projects[0].branches[0].cpu_used_sec"), other.info.errorMessage)
        val notJson = assertThrows<NeonException.InvalidArgumentException> { emu.seed("{not json") }
        assertTrue(notJson.info.errorMessage.contains("not JSON"), notJson.info.errorMessage)
        emu.seed("""{"projects": [{"id": "fx-once", "name": "once"}]}""")
        val twice = assertThrows<NeonException.InvalidArgumentException> { emu.seed("""{"projects": [{"id": "fx-once", "name": "again"}]}""") }
        assertTrue(twice.info.errorMessage.contains("\$.projects[0].id"), twice.info.errorMessage)
    }

    @Test
    fun aStaleBranchesQueryFindsTheBranchSeeded40DaysAgo() = runBlocking<Unit> {
        val now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
        val seeded = emu.seed(
            """
            {"projects": [{"id": "fx-stale", "name": "stale", "created_at": "${iso(now.minusDays(60))}",
              "branches": [
                {"name": "main"},
                {"name": "preview/old", "parent_id": "main", "created_at": "${iso(now.minusDays(40))}"},
                {"name": "preview/new", "parent_id": "main", "created_at": "${iso(now.minusDays(2))}"}
              ]}]}
            """.trimIndent(),
        )
        val oldId = seeded.projects[0].branches[1].id
        val branches = client.branches().list("fx-stale").branches
        assertEquals(3, branches.size)
        val cutoff = OffsetDateTime.now().minusDays(30)
        val stale = branches.filter { it.default != true && it.createdAt.isBefore(cutoff) }
        assertEquals(listOf(oldId), stale.map { it.id })
        assertEquals("preview/old", stale[0].name)
        assertEquals(now.minusDays(40).toInstant(), stale[0].createdAt.toInstant())
    }

    @Test
    fun stateFileKeepsTheStateAcrossRestartsAndAForeignOneIsRefusedNamingTheOption() = runBlocking<Unit> {
        val dir = java.nio.file.Files.createTempDirectory("neonkit-kotlin-state-")
        val stateFile = dir.resolve("emulator-state.json")
        try {
            val first = startEmulator(EmulatorOptions(operationDurationMs = 0, stateFile = stateFile.toString()))
            val made = try {
                first.seed("""{"projects": [{"id": "fx-kept", "name": "kept", "branches": [{"name": "main", "roles": [{"name": "app", "password": "npg_kept"}]}]}]}""")
                val c = NeonClient(first.apiKey(), NeonClientOptions(baseUrl = first.baseUrl(), maxRetries = 0))
                c.branches().create("fx-kept", CreateProjectBranchRequest(branch = CreateProjectBranchRequestBranch(name = "made-after-seeding"))).branch
            } finally {
                first.stop()
            }
            assertTrue(java.nio.file.Files.isRegularFile(stateFile))
            val second = startEmulator(EmulatorOptions(operationDurationMs = 0, stateFile = stateFile.toString()))
            try {
                val c = NeonClient(second.apiKey(), NeonClientOptions(baseUrl = second.baseUrl(), maxRetries = 0))
                assertEquals(setOf("main", "made-after-seeding"), c.branches().list("fx-kept").branches.map { it.name }.toSet())
                assertEquals("made-after-seeding", c.branches().get("fx-kept", made.id).branch.name)
                val main = c.branches().list("fx-kept").branches.first { it.name == "main" }
                assertEquals("npg_kept", c.roles().getPassword("fx-kept", main.id, "app").password)
            } finally {
                second.stop()
            }

            java.nio.file.Files.writeString(stateFile, """{"format": "neonkit-emulator-state", "version": "0.0.0-other", "store": {}}""")
            val e = assertThrows<NeonException.NeonRuntimeException> { startEmulator(EmulatorOptions(stateFile = stateFile.toString())) }
            assertTrue(e.info.errorMessage.contains("stateFile $stateFile: written by neonkit-emulator 0.0.0-other"), e.info.errorMessage)
            assertTrue(e.info.errorMessage.endsWith("start without stateFile or remove the file"), e.info.errorMessage)
        } finally {
            dir.toFile().deleteRecursively()
        }
    }
}
