package dev.neonkit

import dev.neonkit.testing.Emu
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse

/** Multipart bodies, binary responses, empty responses, and the dynamic `call`. */
class BinaryAndDynamicTest {
    private lateinit var client: NeonClient
    private lateinit var pid: String
    private lateinit var main: String

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
        val p = client.projects().createJsonBlocking("""{"project": {"name": "bin"}}""").json()
        pid = p.str("project.id")!!
        main = p.str("branch.id")!!
    }

    @Test
    fun multipartFunctionDeployment() = runBlocking<Unit> {
        val zip = byteArrayOf(0x50, 0x4b, 0x03, 0x04, 0x00, 0xff.toByte(), 0x10)
        val dep = client.functions().createDeploymentJson(
            pid, main, "hello",
            listOf(
                MultipartPart(name = "runtime", text = "nodejs22"),
                MultipartPart(name = "file", bytes = zip, filename = "fn.zip", contentType = "application/zip"),
            ),
        ).json()
        assertEquals("nodejs22", dep.str("deployment.runtime"))
        assertEquals("hello", client.functions().getJsonBlocking(pid, main, "hello").json().str("function.slug"))
        // An empty (204-like) response is Unit.
        assertEquals(Unit, client.functions().delete(pid, main, "hello"))
        assertThrows<NeonException.NotFoundException> { client.functions().getJsonBlocking(pid, main, "hello") }
        // A part must be text or bytes, not both: rejected before any request.
        val before = Emu.count("createProjectBranchFunctionDeployment")
        assertThrows<NeonException.InvalidArgumentException> {
            client.functions().createDeploymentJsonBlocking(pid, main, "x", listOf(MultipartPart(name = "file", text = "a", bytes = zip)))
        }
        assertEquals(before, Emu.count("createProjectBranchFunctionDeployment"))
    }

    @Test
    fun bucketObjectsDownloadAsBytes() = runBlocking<Unit> {
        client.buckets().createJson(pid, main, """{"name": "data"}""")
        val key = "dir/file name.bin"
        val presigned = client.buckets().presignObjectJson(pid, main, "data", key, """{"operation": "upload"}""").json()
        val payload = ByteArray(300) { (it * 7).toByte() }
        val put = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI(presigned.str("url")!!)).PUT(HttpRequest.BodyPublishers.ofByteArray(payload)).build(),
            HttpResponse.BodyHandlers.discarding(),
        )
        assertEquals(true, put.statusCode() in 200..299, "upload status ${put.statusCode()}")
        assertArrayEquals(payload, client.buckets().getObject(pid, main, "data", key))
        assertArrayEquals(payload, client.buckets().getObjectBlocking(pid, main, "data", key))
        client.buckets().deleteObjectBlocking(pid, main, "data", key)
        assertThrows<NeonException.NotFoundException> { client.buckets().getObjectBlocking(pid, main, "data", key) }
    }

    @Test
    fun dynamicCallByOperationId() = runBlocking<Unit> {
        assertEquals("bin", client.call("getProject", listOf(pid), emptyList(), null).json().str("project.name"))
        val listed = client.callBlocking("listProjects", emptyList(), listOf(QueryPair("limit", "1")), null).json()
        assertEquals(pid, listed.str("projects.0.id"))
        assertThrows<NeonException.InvalidArgumentException> { client.callBlocking("noSuchOperation", emptyList(), emptyList(), null) }
        assertThrows<NeonException.InvalidArgumentException> { client.callBlocking("listProjects", emptyList(), listOf(QueryPair("nope", "1")), null) }
        assertThrows<NeonException.InvalidArgumentException> { client.callBlocking("getProject", emptyList(), emptyList(), null) }
    }
}
