import Foundation
import XCTest
@testable import NeonKit

/// One in-process emulator for the whole test run; each test resets it.
enum Emu {
    static let emulator: TestEmulator = try! startEmulator(options: nil)

    static func reset() {
        try! emulator.reset()
        try! emulator.clearFaults()
    }

    /// A client of the emulator, with short retry backoffs so tests run fast.
    static func client(maxRetries: Int32 = 3, wait: Bool = true, waitTimeoutMs: Int64? = nil, timeoutMs: Int64? = nil, orgId: String? = nil) -> NeonClient {
        try! NeonClient(apiKey: emulator.apiKey(), options: NeonClientOptions(
            baseUrl: emulator.baseUrl(),
            orgId: orgId,
            timeoutMs: timeoutMs,
            maxRetries: maxRetries,
            retryInitialBackoffMs: 10,
            retryMaxBackoffMs: 50,
            waitForOperations: wait,
            waitTimeoutMs: waitTimeoutMs,
            waitPollIntervalMs: 10,
            waitMaxPollIntervalMs: 50
        ))
    }

    static func count(_ operationId: String) -> Int64 {
        try! emulator.requestCount(operationId: operationId)
    }
}

struct MissingArgument: Error {
    let what: String
}

struct BadArgument: Error {
    let what: String
}

/// A value as JSON text (a string, a number, a boolean, an object…).
func jsonText(_ v: Any) throws -> String {
    String(data: try JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed, .sortedKeys]), encoding: .utf8)!
}

/// The arguments of one call, by spec name, for the generated dispatch table
/// (Generated/Dispatch.swift): an operation's path, query and body, or a
/// workflow's `args` (by their names in spec/workflows.yaml). With `dummies`, a
/// missing argument gets a value valid for its kind (the surface check calls
/// every operation and workflow that way).
final class Args {
    let pathValues: [String: String]
    let queryValues: [String: [String]]
    let bodyText: String?
    let partList: [MultipartPart]?
    let dummies: Bool
    let argValues: [String: Any]

    init(path: [String: String] = [:], query: [String: [String]] = [:], body: String? = nil, parts: [MultipartPart]? = nil, dummies: Bool = false, args: [String: Any] = [:]) {
        self.pathValues = path
        self.queryValues = query
        self.bodyText = body
        self.partList = parts
        self.dummies = dummies
        self.argValues = args
    }

    private func need<T>(_ v: T?, _ dummy: T, _ what: String) throws -> T {
        if let v = v { return v }
        if dummies { return dummy }
        throw MissingArgument(what: what)
    }

    func path(_ name: String, _ dummy: String) throws -> String { try need(pathValues[name], dummy, "path parameter \(name)") }
    func pathLong(_ name: String, _ dummy: Int64) throws -> Int64 { try need(pathValues[name].flatMap { Int64($0) }, dummy, "path parameter \(name)") }

    func str(_ name: String) -> String? { queryValues[name]?.first }
    func long(_ name: String) -> Int64? { str(name).flatMap { Int64($0) } }
    func double(_ name: String) -> Double? { str(name).flatMap { Double($0) } }
    func bool(_ name: String) -> Bool? { str(name).flatMap { Bool($0) } }
    func strList(_ name: String) -> [String]? { queryValues[name] }
    func longList(_ name: String) -> [Int64]? { queryValues[name]?.compactMap { Int64($0) } }

    func strRequired(_ name: String) throws -> String { try need(str(name), "surface", "query parameter \(name)") }
    func longRequired(_ name: String) throws -> Int64 { try need(long(name), 1, "query parameter \(name)") }
    func doubleRequired(_ name: String) throws -> Double { try need(double(name), 1.0, "query parameter \(name)") }
    func boolRequired(_ name: String) throws -> Bool { try need(bool(name), false, "query parameter \(name)") }
    func strListRequired(_ name: String) throws -> [String] { try need(strList(name), ["surface"], "query parameter \(name)") }
    func longListRequired(_ name: String) throws -> [Int64] { try need(longList(name), [1], "query parameter \(name)") }

    func body() -> String? { bodyText }
    func bodyRequired() throws -> String { try need(bodyText, "{}", "request body") }
    func parts() -> [MultipartPart]? { partList }
    func partsRequired() throws -> [MultipartPart] { try need(partList, [MultipartPart(name: "file", text: "surface")], "multipart body") }

    // A workflow's arguments. An absent or null one is nil (the method's default);
    // one of the wrong JSON type is an error here, not a silent default.
    private func present(_ name: String) -> Any? {
        guard let v = argValues[name], !(v is NSNull) else { return nil }
        return v
    }

    func arg(_ name: String) throws -> String? {
        guard let v = present(name) else { return nil }
        guard let s = v as? String else { throw BadArgument(what: "argument \(name) is not a string") }
        return s
    }
    func argBool(_ name: String) throws -> Bool? {
        guard let v = present(name) else { return nil }
        guard let n = v as? NSNumber, CFGetTypeID(n) == CFBooleanGetTypeID() else { throw BadArgument(what: "argument \(name) is not a boolean") }
        return n.boolValue
    }
    func argJson(_ name: String) throws -> String? { try present(name).map { try jsonText($0) } }

    func argRequired(_ name: String) throws -> String { try need(try arg(name), "surface-check-1", "argument \(name)") }
    func argBoolRequired(_ name: String) throws -> Bool { try need(try argBool(name), false, "argument \(name)") }
    func argJsonRequired(_ name: String) throws -> String { try need(try argJson(name), "{}", "argument \(name)") }
}

/// Asserts that `body` throws a `NeonError` of that kind and returns it.
func expectNeonError(_ kind: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void) -> NeonError? {
    do {
        try body()
        XCTFail("expected a \(kind) error, got success", file: file, line: line)
    } catch let e as NeonError {
        XCTAssertEqual(e.kind, kind, "\(e.info)", file: file, line: line)
        return e
    } catch {
        XCTFail("expected a NeonError, got \(error)", file: file, line: line)
    }
    return nil
}

func expectNeonErrorAsync(_ kind: String, file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async -> NeonError? {
    do {
        try await body()
        XCTFail("expected a \(kind) error, got success", file: file, line: line)
    } catch let e as NeonError {
        XCTAssertEqual(e.kind, kind, "\(e.info)", file: file, line: line)
        return e
    } catch {
        XCTFail("expected a NeonError, got \(error)", file: file, line: line)
    }
    return nil
}
