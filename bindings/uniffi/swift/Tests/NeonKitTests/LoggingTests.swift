import Foundation
import XCTest
@testable import NeonKit

/// Keeps every event a client's calls make, in order (a `NeonEventListener`; with `os.Logger`,
/// an app would log `event.message` at `.debug`, or `.info` for `event.level == .info`).
final class Recorder: NeonEventListener, @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [NeonEvent] = []
    private let wanted: [NeonEventKind]

    init(_ wanted: [NeonEventKind] = [.request, .response, .retry, .wait]) {
        self.wanted = wanted
    }

    func kinds() throws -> [NeonEventKind] { wanted }

    func onEvent(event: NeonEvent) throws {
        lock.lock()
        defer { lock.unlock() }
        seen.append(event)
    }

    var events: [NeonEvent] {
        lock.lock()
        defer { lock.unlock() }
        return seen
    }
}

/// A listener that throws: the call goes on.
final class Throwing: NeonEventListener {
    struct Boom: Error {}
    func kinds() throws -> [NeonEventKind] { [.retry] }
    func onEvent(event: NeonEvent) throws { throw Boom() }
}

/// Events against the emulator, with a fault that makes the first attempt fail (503) and its retry succeed.
final class LoggingTests: XCTestCase {
    override func setUp() {
        Emu.reset()
    }

    private func client(_ listener: NeonEventListener?) throws -> NeonClient {
        try NeonClient(
            apiKey: Emu.emulator.apiKey(),
            options: NeonClientOptions(baseUrl: Emu.emulator.baseUrl(), maxRetries: 3, retryInitialBackoffMs: 10, retryMaxBackoffMs: 50),
            listener: listener
        )
    }

    private func project() throws -> String {
        try Emu.client().projects().createJsonBlocking(body: #"{"project": {"name": "logs"}}"#).jsonString("project.id")!
    }

    func testARetriedCallTellsTheListenerEachAttemptAndTheRetry() throws {
        let pid = try project()
        let recorder = Recorder()
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 503, "times": 1}"#)
        _ = try client(recorder).projects().getJsonBlocking(projectId: pid)
        let events = recorder.events
        XCTAssertEqual(events.map { $0.kind }, [.request, .response, .retry, .request, .response])
        XCTAssertEqual(events.map { $0.attempt }, [1, 1, 2, 2, 2])
        XCTAssertEqual(events[1].status, 503)
        XCTAssertEqual(events[2].requestId, events[1].requestId)
        XCTAssertLessThanOrEqual(events[2].delayMs ?? 99, 10)
        XCTAssertEqual(events[2].level, .info)
        XCTAssertEqual(events[0].message, "request GET /projects/{project_id} (getProject, attempt 1 of 4)")
        XCTAssertTrue(events[2].message.hasPrefix("retry GET /projects/{project_id} after 503 in "))
        for e in events {
            XCTAssertFalse(e.message.contains(Emu.emulator.apiKey()))
            XCTAssertFalse(e.message.contains(pid))
        }
    }

    func testAListenerGetsOnlyItsKindsAndOneThatThrowsDoesNotBreakTheCall() async throws {
        let pid = try project()
        let retries = Recorder([.retry])
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 503, "times": 1}"#)
        _ = try await client(retries).projects().getJson(projectId: pid)
        XCTAssertEqual(retries.events.map { $0.kind }, [.retry])
        try Emu.emulator.addFault(faultJson: #"{"operation_id": "getProject", "kind": "status", "status": 503, "times": 1}"#)
        let copy = try client(nil).withListener(listener: Throwing())
        XCTAssertEqual(try copy.projects().getJsonBlocking(projectId: pid).jsonString("project.id"), pid)
        XCTAssertTrue(hookFailedMessage(hook: "onEvent", error: "Boom").hasPrefix("the onEvent hook failed and was ignored"))
    }
}
