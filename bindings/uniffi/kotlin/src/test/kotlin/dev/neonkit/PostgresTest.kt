package dev.neonkit

import dev.neonkit.models.CreatedBranchResponse
import dev.neonkit.models.CreatedProjectResponse
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.net.URI
import java.sql.Connection
import java.sql.DriverManager
import java.sql.SQLException
import java.util.Properties

/**
 * `startEmulator(EmulatorOptions(postgres = true))`: a real PostgreSQL behind the emulator.
 * The preview-branch story end to end: SQL (the PostgreSQL JDBC driver) through the
 * connection URIs the API returns.
 *
 * Needs PostgreSQL's server binaries (`apt-get install postgresql`; `cargo xtask test`
 * installs them). Without them the tests are skipped, unless `CI` is set: then they fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresTest {
    private var emu: TestEmulator? = null
    private var skipped: String? = null

    @BeforeAll
    fun start() {
        try {
            emu = startEmulator(EmulatorOptions(postgres = true, operationDurationMs = 0))
        } catch (e: NeonException.NeonRuntimeException) {
            if (e.errorMessage.contains("apt-get install postgresql") && System.getenv("CI") == null) {
                skipped = "PostgreSQL's binaries are not installed (${e.errorMessage}); set CI to make this a failure"
                return
            }
            throw e
        }
    }

    @AfterAll
    fun stop() {
        emu?.stop()
    }

    /** A JDBC connection from a `postgresql://user:password@host:port/db?sslmode=disable` URI. */
    private fun connect(uri: String): Connection {
        val u = URI(uri)
        val (user, password) = u.rawUserInfo.split(":", limit = 2).map { java.net.URLDecoder.decode(it, "UTF-8") }
        val props = Properties().apply {
            setProperty("user", user)
            setProperty("password", password)
            setProperty("sslmode", "disable")
            setProperty("connectTimeout", "10")
        }
        return DriverManager.getConnection("jdbc:postgresql://${u.host}:${u.port}${u.rawPath}", props)
    }

    private fun sql(uri: String, statements: String) {
        connect(uri).use { c -> c.createStatement().use { it.execute(statements) } }
    }

    private fun notes(uri: String): List<String> = connect(uri).use { c ->
        c.createStatement().use { s ->
            s.executeQuery("SELECT body FROM notes ORDER BY id").use { rs ->
                buildList { while (rs.next()) add(rs.getString(1)) }
            }
        }
    }

    @Test
    fun thePreviewBranchStoryOnRealPostgres() {
        assumeTrue(skipped == null, skipped)
        val e = emu!!
        val neon = NeonClient(e.apiKey(), NeonClientOptions(baseUrl = e.baseUrl()))
        val created = CreatedProjectResponse.fromJson(neon.projects().createJsonBlocking("""{"project": {"name": "story"}}"""))
        val pid = created.project.id
        val main = created.branch.id
        val mainUri = created.connectionUris[0].connectionUri
        assertTrue(Regex("""@127\.0\.0\.1:\d+/.*sslmode=disable$""").containsMatchIn(mainUri), "the URI is local, without TLS")

        // a table and a row on main, through its URI
        sql(mainUri, "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO notes (body) VALUES ('from main')")
        val pooled = neon.projects().getConnectionUriBlocking(pid, databaseName = "neondb", roleName = "neondb_owner", branchId = main, pooled = true).uri
        assertEquals(listOf("from main"), notes(pooled))

        // a preview branch: a copy of main as of now
        val br = CreatedBranchResponse.fromJson(
            neon.branches().createJsonBlocking(pid, """{"branch": {"name": "preview"}, "endpoints": [{"type": "read_write"}]}"""),
        )
        val bid = br.branch.id
        val brUri = br.connectionUris!![0].connectionUri
        assertNotEquals(mainUri, brUri)
        assertEquals(listOf("from main"), notes(brUri))

        // a write on the branch leaves main unchanged
        sql(brUri, "INSERT INTO notes (body) VALUES ('from preview')")
        assertEquals(listOf("from main", "from preview"), notes(brUri))
        assertEquals(listOf("from main"), notes(mainUri))

        // reset from the parent (the workflow): the branch's write is gone, its URI still connects
        val reset = neon.branches().resetFromParentBlocking(pid, bid)
        assertEquals(bid, reset.id)
        assertEquals(listOf("from main"), notes(brUri))

        // deleted, the branch's URI refuses connections
        neon.branches().deleteJsonBlocking(pid, bid)
        assertThrows<SQLException> { connect(brUri).close() }
        assertEquals(listOf("from main"), notes(mainUri))
    }

    @Test
    fun thePostgresUrlIsNeverShownAndNoPoolerAloneIsAConfigError() {
        val url = "postgresql://admin:s3cret-pw@127.0.0.1:9/postgres"
        val e = assertThrows<NeonException.NeonRuntimeException> { startEmulator(postgresUrl = url) }
        assertFalse(e.errorMessage.contains("s3cret") || e.toString().contains("s3cret"), e.errorMessage)
        val c = assertThrows<NeonException.ConfigException> { startEmulator(EmulatorOptions(noPooler = true)) }
        assertEquals("noPooler is for the emulator's PostgreSQL: set postgres (or postgresUrl) too", c.errorMessage)
        assertFalse(EmulatorOptions(postgres = true).toString().contains("postgresUrl"), "the URL is not a field of the printed record")
    }
}
