package dev.neonkit

import java.time.Duration
import java.time.Instant
import java.time.OffsetDateTime
import java.time.ZoneOffset

// The emulator's clock under the typed models' time type. `TestEmulator.setClock(Instant)`,
// `advanceClock(Double)`, `realClock()` and `clock()` are the generated members (Instant);
// these are the overloads a test reaches for first.

/** Sets the emulator's clock to [at] (as the typed models' `createdAt` are); returns the clock's time, in UTC. */
fun TestEmulator.setClock(at: OffsetDateTime): OffsetDateTime = setClock(at.toInstant()).atOffset(ZoneOffset.UTC)

/** Moves the emulator's clock forward by whole [seconds] (`emu.advanceClock(3600)`); returns the clock's time. */
fun TestEmulator.advanceClock(seconds: Long): Instant = advanceClock(seconds.toDouble())

/** Moves the emulator's clock forward by [by] (zero or more); returns the clock's time. */
fun TestEmulator.advanceClock(by: Duration): Instant = advanceClock(by.toNanos() / 1e9)
