import XCTest
@testable import NeonKit

/// All 163 operationIds are reachable from Swift: the generated dispatch table
/// names one Swift method per operationId, and calling each (async and
/// blocking) makes the emulator count a request for exactly that operationId.
final class SurfaceTests: XCTestCase {
    override func setUp() { Emu.reset() }

    func testEveryOperationIdHasASwiftMethod() {
        let native = operationIds()
        XCTAssertEqual(native.count, 163)
        XCTAssertEqual(Set(native), Set(Dispatch.operationIds))
    }

    private func check(_ id: String, before: Int64, _ error: Error?) {
        if let e = error as? NeonError {
            XCTAssertFalse(["invalid_argument", "runtime", "config"].contains(e.kind), "\(id): \(e.info)")
        } else if let error = error {
            XCTFail("\(id): \(error)")
        }
        XCTAssertGreaterThan(Emu.count(id), before, "\(id): no request reached the server")
    }

    func testEveryAsyncMethodReachesItsOperation() async {
        let c = Emu.client(maxRetries: 0, wait: false, orgId: "org-surface-1")
        for id in Dispatch.operationIds {
            let before = Emu.count(id)
            var failure: Error? = nil
            do { _ = try await Dispatch.call(c, id, Args(dummies: true)) } catch { failure = error }
            check(id, before: before, failure)
        }
    }

    func testEveryBlockingMethodReachesItsOperation() {
        let c = Emu.client(maxRetries: 0, wait: false, orgId: "org-surface-1")
        for id in Dispatch.operationIds {
            let before = Emu.count(id)
            var failure: Error? = nil
            do { _ = try Dispatch.callBlocking(c, id, Args(dummies: true)) } catch { failure = error }
            check(id, before: before, failure)
        }
    }
}
