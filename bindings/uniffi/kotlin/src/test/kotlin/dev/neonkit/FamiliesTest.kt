package dev.neonkit

import dev.neonkit.models.ConsumptionHistoryGranularity
import dev.neonkit.models.OperationStatus
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import dev.neonkit.models.SnapshotUpdateRequest
import dev.neonkit.models.SnapshotUpdateRequestSnapshot
import dev.neonkit.testing.Emu
import java.time.OffsetDateTime
import java.time.ZoneOffset
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test

/** The other API families through the typed surface only (no JSON text), against the emulator. */
class FamiliesTest {
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        Emu.reset()
        client = Emu.client()
    }

    private fun newProject(name: String): Pair<String, String> {
        val p = client.projects().createBlocking(ProjectCreateRequest(project = ProjectCreateRequestProject(name = name)))
        return p.project.id to p.branch.id
    }

    @Test
    fun regionsAndUsers() = runBlocking<Unit> {
        val regions = client.regions().listActive().regions
        assertTrue(regions.isNotEmpty())
        assertTrue(regions.all { it.regionId.isNotEmpty() }, regions.toString())
        val me = client.users().getCurrentBlocking()
        assertTrue(me.id.isNotEmpty() && me.email.contains("@"), me.toString())
        val orgs = client.users().listOrganizations().organizations
        assertTrue(orgs.isNotEmpty(), "the emulator's user belongs to an organization")
        for (o in orgs) {
            val got = client.organizations().get(o.id)
            assertEquals(o.id, got.id)
            assertTrue(got.createdAt.isBefore(OffsetDateTime.now().plusMinutes(1)))
        }
    }

    @Test
    fun snapshots() = runBlocking<Unit> {
        val (pid, main) = newProject("snaps")
        val made = client.snapshots().create(pid, main, name = "before-migration")
        assertEquals("before-migration", made.snapshot.name)
        assertTrue(made.operations.all { it.status == OperationStatus.FINISHED }, made.operations.toString())
        val sid = made.snapshot.id
        assertEquals(listOf(sid), client.snapshots().listBlocking(pid).snapshots.map { it.id })
        val renamed = client.snapshots().update(pid, sid, SnapshotUpdateRequest(snapshot = SnapshotUpdateRequestSnapshot(name = "renamed")))
        assertEquals("renamed", renamed.snapshot.name)
        client.snapshots().deleteBlocking(pid, sid)
        assertTrue(client.snapshots().list(pid).snapshots.isEmpty())
    }

    @Test
    fun consumptionWithDateTimeQueryAndTypedPager() = runBlocking<Unit> {
        val ids = (1..3).map { newProject("c$it").first }
        val to = OffsetDateTime.now(ZoneOffset.UTC)
        val from = to.minusDays(2)
        val page = client.consumption().getHistoryPerProject(from, to, ConsumptionHistoryGranularity.DAILY, limit = 2)
        assertTrue(page.projects.size <= 2, page.projects.toString())
        val all = client.consumption().getHistoryPerProjectIter(from, to, ConsumptionHistoryGranularity.DAILY, limit = 2).asFlow().toList()
        assertEquals(ids.toSet(), all.map { it.projectId }.toSet())
        val blocking = client.consumption().getHistoryPerProjectIter(from, to, ConsumptionHistoryGranularity.HOURLY, limit = 1).asSequence().toList()
        assertEquals(3, blocking.size)
        assertFalse(blocking.any { it.projectId.isEmpty() })
    }
}
