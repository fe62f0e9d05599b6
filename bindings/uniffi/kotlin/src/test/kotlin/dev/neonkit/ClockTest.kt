package dev.neonkit

import dev.neonkit.models.BranchUpdateRequest
import dev.neonkit.models.BranchUpdateRequestBranch
import dev.neonkit.models.CreateProjectBranchRequest
import dev.neonkit.models.CreateProjectBranchRequestBranch
import dev.neonkit.models.ProjectCreateRequest
import dev.neonkit.models.ProjectCreateRequestProject
import java.time.Duration
import java.time.Instant
import java.time.OffsetDateTime
import java.time.ZoneOffset
import java.time.temporal.ChronoUnit
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.BeforeEach
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The emulator's settable clock: the timestamps it writes follow it, seen through the typed models. */
class ClockTest {
    private lateinit var emu: TestEmulator
    private lateinit var client: NeonClient

    @BeforeEach
    fun setUp() {
        emu = startEmulator(EmulatorOptions(operationDurationMs = 0))
        client = NeonClient(emu.apiKey(), NeonClientOptions(baseUrl = emu.baseUrl(), maxRetries = 0))
    }

    @AfterEach
    fun tearDown() = emu.stop()

    private fun near(a: OffsetDateTime, b: OffsetDateTime, ms: Long = 1000) =
        assertTrue(Duration.between(a, b).abs().toMillis() < ms, "$a is not within $ms ms of $b")

    private fun branch(name: String) = CreateProjectBranchRequest(branch = CreateProjectBranchRequestBranch(name = name))

    @Test
    fun aBranchMade40DaysAgoIsFoundByAStaleBranchesQuery() = runBlocking<Unit> {
        val past = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).minusDays(40)
        near(emu.setClock(past), past)
        val created = client.projects().create(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "clocked")))
        val pid = created.project.id
        near(created.project.createdAt, past)
        created.operations.forEach { near(it.createdAt, past) }
        val old = client.branches().create(pid, branch("old")).branch
        near(old.createdAt, past)

        near(emu.realClock().atOffset(ZoneOffset.UTC), OffsetDateTime.now())
        val fresh = client.branches().createBlocking(pid, branch("new")).branch
        near(fresh.createdAt, OffsetDateTime.now(), 2000)

        val cutoff = OffsetDateTime.now().minusDays(30)
        val branches = client.branches().list(pid).branches
        assertEquals(3, branches.size)
        val stale = branches.filter { it.default != true && it.createdAt.isBefore(cutoff) }
        assertEquals(listOf(old.id), stale.map { it.id })
        near(stale[0].createdAt, past)
    }

    @Test
    fun advanceClockMovesTheUpdatedAtOfABranchUpdatedAfterIt() = runBlocking<Unit> {
        val pid = client.projects().create(ProjectCreateRequest(project = ProjectCreateRequestProject(name = "adv"))).project.id
        val b = client.branches().create(pid, branch("b")).branch
        emu.advanceClock(3600)
        val at = emu.advanceClock(Duration.ofMinutes(30))
        near(at.atOffset(ZoneOffset.UTC), OffsetDateTime.now().plusSeconds(5400))
        val updated = client.branches().update(pid, b.id, BranchUpdateRequest(branch = BranchUpdateRequestBranch(name = "renamed"))).branch
        assertEquals(b.createdAt, updated.createdAt)
        near(updated.updatedAt, b.updatedAt.plusSeconds(5400), 2000)
        emu.reset()
        near(emu.clock().atOffset(ZoneOffset.UTC), OffsetDateTime.now())
    }

    @Test
    fun setClockTakesAnInstantAndRefusesANegativeStep() {
        val at = Instant.parse("2026-01-01T00:00:00Z")
        assertEquals(at, emu.setClock(at).truncatedTo(ChronoUnit.SECONDS))
        val e = assertThrows<NeonException.InvalidArgumentException> { emu.advanceClock(-1) }
        assertTrue(e.message!!.contains("advance_clock: -1 is not a number of seconds zero or more"), e.message)
        assertThrows<NeonException.InvalidArgumentException> { emu.setClock(Instant.parse("1960-01-01T00:00:00Z")) }
    }
}
