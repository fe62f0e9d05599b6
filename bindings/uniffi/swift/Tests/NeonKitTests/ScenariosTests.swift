import Foundation
import XCTest
@testable import NeonKit

/// Runs every shared scenario of tests/scenarios (see its README) through the
/// generated Swift methods, async and blocking: operations by operationId,
/// workflows by their id in spec/workflows.yaml, `concurrently` steps as tasks
/// running at the same time.
final class ScenariosTests: XCTestCase {
    static var scenarioDir: URL {
        if let d = ProcessInfo.processInfo.environment["NEONKIT_SCENARIOS"] { return URL(fileURLWithPath: d) }
        // Tests/NeonKitTests/ScenariosTests.swift → the repository's tests/scenarios
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../../tests/scenarios").standardized
    }

    func files() throws -> [URL] {
        let all = try FileManager.default.contentsOfDirectory(at: Self.scenarioDir, includingPropertiesForKeys: nil)
        let json = all.filter { $0.pathExtension == "json" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
        XCTAssertFalse(json.isEmpty, "no scenarios in \(Self.scenarioDir.path)")
        return json
    }

    func testScenariosAsync() async throws {
        for f in try files() { try await ScenarioRunner(f, blocking: false).run() }
    }

    func testScenariosBlocking() async throws {
        for f in try files() { try await ScenarioRunner(f, blocking: true).run() }
    }
}

struct ScenarioFailure: Error, CustomStringConvertible {
    let description: String
}

final class ScenarioRunner {
    let scenario: [String: Any]
    let blocking: Bool
    var vars: [String: Any] = [:]
    let name: String

    init(_ file: URL, blocking: Bool) throws {
        scenario = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        name = scenario["name"] as? String ?? file.lastPathComponent
        self.blocking = blocking
    }

    func fail(_ msg: String) -> ScenarioFailure { ScenarioFailure(description: "\(name) (\(blocking ? "blocking" : "async")): \(msg)") }

    func run() async throws {
        Emu.reset()
        let cfg = scenario["client"] as? [String: Any]
        let client = Emu.client(maxRetries: Int32(cfg?["max_retries"] as? Int ?? 3), wait: cfg?["wait"] as? Bool ?? true)
        for (i, s) in (scenario["steps"] as! [[String: Any]]).enumerated() {
            let whereIs = "step \(i)"
            if s["call"] != nil || s["workflow"] != nil {
                try check(s, try await perform(client, s), whereIs)
            } else if let group = s["concurrently"] as? [[String: Any]] {
                try await concurrently(client, group, s["expect_true"] as? [String: Any] ?? [:], whereIs)
            } else if let op = s["iterate"] as? String {
                let pager = try Dispatch.pager(client, op, args(s))
                var n = 0
                if blocking {
                    n = try pager.collectAllBlocking().count
                } else {
                    for try await _ in pager.items() { n += 1 }
                }
                let want = (s["expect"] as! [String: Any])["count"] as! Int
                if n != want { throw fail("\(whereIs): \(op) gave \(n) items, want \(want)") }
            } else if let fault = s["fault"] {
                let text = String(data: try JSONSerialization.data(withJSONObject: fault), encoding: .utf8)!
                try Emu.emulator.addFault(faultJson: text)
            } else if let reqs = s["requests"] as? [String: Any] {
                for (op, n) in reqs where Emu.count(op) != Int64(n as! Int) {
                    throw fail("\(whereIs): \(Emu.count(op)) requests of \(op), want \(n)")
                }
            } else {
                throw fail("\(whereIs): unknown step")
            }
        }
    }

    func subst(_ v: Any?) -> Any? {
        switch v {
        case let s as String:
            if s.hasPrefix("${"), s.hasSuffix("}"), !s.dropFirst(2).contains("$") {
                return vars[String(s.dropFirst(2).dropLast())]
            }
            var out = s
            for (k, val) in vars { out = out.replacingOccurrences(of: "${\(k)}", with: text(val)) }
            return out
        case let a as [Any]: return a.map { subst($0) ?? NSNull() }
        case let o as [String: Any]: return o.mapValues { subst($0) ?? NSNull() }
        default: return v
        }
    }

    func text(_ v: Any) -> String {
        if let s = v as? String { return s }
        if let n = v as? NSNumber { return n.stringValue }
        if let d = try? JSONSerialization.data(withJSONObject: v, options: [.fragmentsAllowed]) { return String(data: d, encoding: .utf8)! }
        return "\(v)"
    }

    func args(_ s: [String: Any]) throws -> Args {
        let path = (subst(s["path"]) as? [String: Any] ?? [:]).mapValues { text($0) }
        let query = (subst(s["query"]) as? [String: Any] ?? [:]).mapValues { v -> [String] in
            if let a = v as? [Any] { return a.map { text($0) } }
            return [text(v)]
        }
        var body: String? = nil
        if let b = subst(s["body"]) {
            body = String(data: try JSONSerialization.data(withJSONObject: b), encoding: .utf8)
        }
        let wargs = subst(s["args"]) as? [String: Any] ?? [:]
        return Args(path: path, query: query, body: body, args: wargs)
    }

    func same(_ a: Any, _ b: Any) -> Bool {
        (a as? NSObject)?.isEqual(b) ?? (text(a) == text(b))
    }

    /// What a call or workflow step gave: its result as JSON (NSNull for none), or its error.
    struct Outcome {
        let json: Any
        let error: NeonError?
    }

    /// Runs one call or workflow step through the generated async method, or its
    /// blocking twin. A workflow that the yaml does not list, or arguments that its
    /// typed method cannot take (unknown, missing, of the wrong type), go through the
    /// dynamic `NeonClient.workflow`, so that the core answers them.
    func perform(_ client0: NeonClient, _ s: [String: Any]) async throws -> Outcome {
        let client = (s["wait"] as? Bool).map { client0.withWait(wait: $0) } ?? client0
        let a = try args(s)
        let result: Any
        do {
            if let op = s["call"] as? String {
                result = blocking ? try Dispatch.callBlocking(client, op, a) : try await Dispatch.call(client, op, a)
            } else {
                let id = s["workflow"] as! String
                let raw = try jsonText(a.argValues)
                func dynamic() async throws -> String {
                    blocking ? try client.workflowBlocking(id: id, args: raw) : try await client.workflow(id: id, args: raw)
                }
                if let params = Dispatch.workflowParams[id], Set(a.argValues.keys).isSubset(of: Set(params)) {
                    do {
                        result = blocking ? try Dispatch.workflowBlocking(client, id, a) : try await Dispatch.workflow(client, id, a)
                    } catch is BadArgument {
                        // Read before the call: nothing was sent; the core refuses them.
                        result = try await dynamic()
                    } catch is MissingArgument {
                        result = try await dynamic()
                    }
                } else {
                    result = try await dynamic()
                }
            }
        } catch let e as NeonError {
            return Outcome(json: NSNull(), error: e)
        }
        let json: Any = (result as? String).flatMap { $0.isEmpty ? nil : try? NeonJSON.parse($0) } ?? NSNull()
        return Outcome(json: json, error: nil)
    }

    /// Checks a step's outcome against its `expect_error`, or its `save` and `expect`.
    func check(_ s: [String: Any], _ o: Outcome, _ whereIs: String) throws {
        let what = (s["call"] ?? s["workflow"]) as? String ?? "?"
        let expectError = s["expect_error"] as? [String: Any]
        if let e = o.error {
            guard let want = expectError else { throw fail("\(whereIs): \(what) failed: \(e.info)") }
            if let k = want["kind"] as? String, k != e.kind { throw fail("\(whereIs): kind \(e.kind), want \(k) (\(e.info))") }
            if want.keys.contains("status") {
                let ws = want["status"] as? Int
                if ws.map(Int32.init) != e.status { throw fail("\(whereIs): status \(String(describing: e.status)), want \(String(describing: ws))") }
            }
            if let c = want["code"] as? String, c != e.code { throw fail("\(whereIs): code \(e.code), want \(c)") }
            if want["request_id"] as? Bool == true, (e.requestId ?? "").isEmpty { throw fail("\(whereIs): no request id") }
            for t in want["message_contains"] as? [String] ?? [] {
                let text = subst(t) as? String ?? t
                if !e.info.errorMessage.contains(text) { throw fail("\(whereIs): the error's message \"\(e.info.errorMessage)\" lacks \"\(text)\"") }
            }
            return
        }
        if expectError != nil { throw fail("\(whereIs): \(what) succeeded, expected an error") }
        let json = o.json
        for (v, p) in s["save"] as? [String: String] ?? [:] {
            guard let x = NeonJSON.at(json, p) else { throw fail("\(whereIs): no \(p) to save") }
            vars[v] = x
        }
        guard let expect = s["expect"] as? [String: Any] else { return }
        for (p, want0) in expect["fields"] as? [String: Any] ?? [:] {
            let want = subst(want0)!
            guard let got = NeonJSON.at(json, p), same(got, want) else { throw fail("\(whereIs): \(p) is \(String(describing: NeonJSON.at(json, p))), want \(want)") }
        }
        for p in expect["present"] as? [String] ?? [] {
            let got = NeonJSON.at(json, p)
            let empty = got == nil || got is NSNull || (got as? String)?.isEmpty == true || (got as? [Any])?.isEmpty == true || (got as? [String: Any])?.isEmpty == true
            if empty { throw fail("\(whereIs): \(p) must be present") }
        }
        for (p, n) in expect["length"] as? [String: Int] ?? [:] {
            let got = (NeonJSON.at(json, p) as? [Any])?.count
            if got != n { throw fail("\(whereIs): length of \(p) is \(String(describing: got)), want \(n)") }
        }
        for (p, want0) in expect["contains"] as? [String: Any] ?? [:] {
            let want = text(subst(want0)!)
            // The text may be a secret (a connection string): the failure names the path only.
            guard let got = NeonJSON.at(json, p) as? String else { throw fail("\(whereIs): \(p) is not a string") }
            if !got.contains(want) { throw fail("\(whereIs): the string at \(p) does not contain \"\(want)\"") }
        }
        for p in expect["absent"] as? [String] ?? [] {
            if let got = NeonJSON.at(json, p), !(got is NSNull) { throw fail("\(whereIs): \(p) must be absent or null") }
        }
    }

    /// Runs the steps at the same time as tasks (each its async method, or its
    /// blocking one on a task of its own), then checks each step's expectations in
    /// order, and `expect_true`.
    func concurrently(_ client: NeonClient, _ steps: [[String: Any]], _ expectTrue: [String: Any], _ whereIs: String) async throws {
        var outcomes = [Outcome?](repeating: nil, count: steps.count)
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            for (i, s) in steps.enumerated() {
                group.addTask { (i, try await self.perform(client, s)) }
            }
            for try await (i, o) in group { outcomes[i] = o }
        }
        for (i, (s, o)) in zip(steps, outcomes).enumerated() { try check(s, o!, "\(whereIs).\(i)") }
        for (p, n) in expectTrue {
            let got = outcomes.filter { o in
                guard let v = NeonJSON.at(o!.json, p) as? NSNumber else { return false }
                return CFGetTypeID(v) == CFBooleanGetTypeID() && v.boolValue
            }.count
            if got != n as? Int { throw fail("\(whereIs): \(got) steps have true at \(p), want \(n)") }
        }
    }
}
