"""The emulator's settable clock: the timestamps it writes follow it (typed models, over HTTP)."""

from datetime import datetime, timedelta, timezone

import pytest

from neonkit.testing import Emulator

from conftest import FAST

SECOND = timedelta(seconds=1)


def test_a_branch_made_40_days_ago_is_found_by_a_stale_branches_query():
    with Emulator(operation_duration=0) as emu:
        neon = emu.client(**FAST)
        past = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=40)
        assert abs(emu.set_clock(past) - past) < SECOND
        created = neon.projects.create(body={"project": {"name": "clocked"}})
        pid = created.project.id
        assert abs(created.project.created_at - past) < SECOND
        assert all(abs(op.created_at - past) < SECOND for op in created.operations)
        old = neon.branches.create(pid, body={"branch": {"name": "old"}}).branch
        assert abs(old.created_at - past) < SECOND

        now = emu.real_clock()
        assert abs(now - datetime.now(timezone.utc)) < SECOND
        new = neon.branches.create(pid, body={"branch": {"name": "new"}}).branch
        assert abs(new.created_at - datetime.now(timezone.utc)) < 2 * SECOND

        cutoff = datetime.now(timezone.utc) - timedelta(days=30)
        branches = list(neon.branches.iter(pid))
        assert len(branches) == 3
        stale = [b for b in branches if not b.default and b.created_at < cutoff]
        assert [b.id for b in stale] == [old.id]
        assert abs(stale[0].created_at - past) < SECOND


def test_advancing_moves_updated_at_of_a_branch_updated_after_it():
    with Emulator(operation_duration=0) as emu:
        neon = emu.client(**FAST)
        pid = neon.projects.create(body={"project": {"name": "adv"}}).project.id
        b = neon.branches.create(pid, body={"branch": {"name": "b"}}).branch
        emu.advance_clock(3600)
        at = emu.advance_clock(timedelta(minutes=30))
        assert abs(at - (datetime.now(timezone.utc) + timedelta(seconds=5400))) < SECOND
        updated = neon.branches.update(pid, b.id, branch={"name": "renamed"}).branch
        assert updated.created_at == b.created_at
        assert abs(updated.updated_at - (b.updated_at + timedelta(seconds=5400))) < 2 * SECOND
        emu.reset()
        assert abs(emu.clock - datetime.now(timezone.utc)) < SECOND


def test_set_clock_takes_strings_and_refuses_what_is_no_time():
    with Emulator() as emu:
        assert emu.set_clock("2026-01-01T00:00:00+02:00") - datetime(2025, 12, 31, 22, tzinfo=timezone.utc) < SECOND
        with pytest.raises(ValueError, match="timezone-aware"):
            emu.set_clock(datetime(2026, 1, 1))
        with pytest.raises(TypeError):
            emu.set_clock(1767225600)  # type: ignore[arg-type]
        with pytest.raises(Exception, match='set_clock: "soon" is not an RFC 3339 date-time'):
            emu.set_clock("soon")
        with pytest.raises(Exception, match="advance_clock: -1 is not a number of seconds zero or more"):
            emu.advance_clock(-1)
