package dev.neonkit.consumer

import com.sun.jna.NativeLibrary
import com.sun.jna.Platform
import dev.neonkit.NeonClient
import dev.neonkit.NeonClientOptions
import dev.neonkit.NeonException
import dev.neonkit.createBlocking
import dev.neonkit.getBlocking
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.startEmulator
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** neonkit as a dependency by its coordinates only: the native library comes out of its jar. */
class ConsumerTest {
    private val libraryFile = when {
        Platform.isMac() -> "libneonkit_uniffi.dylib"
        Platform.isWindows() -> "neonkit_uniffi.dll"
        else -> "libneonkit_uniffi.so"
    }

    @Test
    fun `the jar carries the native library and a call reaches the emulator`() {
        assertNull(System.getProperty("jna.library.path"), "jna.library.path is set: the library could come from it")
        assertNull(System.getenv("LD_LIBRARY_PATH"), "LD_LIBRARY_PATH is set: the library could come from it")

        // JNA's platform folder in the neonkit jar of the local repository.
        val resource = javaClass.classLoader.getResource("${Platform.RESOURCE_PREFIX}/$libraryFile")
        assertNotNull(resource, "no ${Platform.RESOURCE_PREFIX}/$libraryFile on the classpath")
        val url = resource.toString()
        assertTrue(url.startsWith("jar:file:") && url.contains("/dev/neonkit/neonkit/0.1.0/neonkit-0.1.0.jar!/"), url)

        val emulator = startEmulator()
        try {
            val client = NeonClient(emulator.apiKey(), NeonClientOptions(baseUrl = emulator.baseUrl()))
            val id = client.projects().createBlocking(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "consumer"))).project.id
            assertEquals("consumer", client.projects().getBlocking(id).project.name)
            val e = assertThrows<NeonException.NotFoundException> { client.projects().getBlocking("missing-project-1") }
            assertEquals(404, e.status)
        } finally {
            emulator.stop()
        }

        // Loaded from the copy JNA extracted out of the jar (jna<digits>.tmp in its cache), not from a
        // directory of cargo's.
        val loaded = NativeLibrary.getInstance("neonkit_uniffi").file
        assertNotNull(loaded)
        assertTrue(loaded.name.startsWith("jna") && loaded.name.endsWith(".tmp"), "loaded $loaded, not a copy extracted from the jar")
        println("consumer: neonkit's native library came from $url (extracted to $loaded)")
    }
}
