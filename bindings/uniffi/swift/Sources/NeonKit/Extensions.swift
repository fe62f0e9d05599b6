// Hand-written Swift conveniences over the generated bindings (NeonKit.swift).
import Foundation

/// The fields every `NeonError` case carries, whatever its kind.
public struct NeonErrorInfo: Equatable, CustomStringConvertible {
    /// The kind's stable snake_case name (`not_found`, `locked`, …), the same in every neonkit language.
    public let kind: String
    /// The HTTP status, or nil when no response was received.
    public let status: Int32?
    /// The API's error code (may be empty).
    public let code: String
    public let errorMessage: String
    public let requestId: String?
    /// The operationId of the call that failed.
    public let operation: String?
    /// Operations still running after a wait timed out (or the one that failed).
    public let pendingOperations: [String]
    /// Calling again later may succeed and is safe (never after the API accepted the call).
    public let retryable: Bool
    /// The API accepted the call before it failed: never call it again; wait for `pendingOperations`.
    public let accepted: Bool

    public var description: String {
        "\(kind): \(errorMessage) (status \(status.map(String.init) ?? "none"), code \(code), request id \(requestId ?? "none"))"
    }
}

extension NeonError {
    private static func info(_ kind: String, _ s: Int32?, _ c: String, _ m: String, _ r: String?, _ o: String?, _ p: [String], _ rt: Bool, _ a: Bool) -> NeonErrorInfo {
        NeonErrorInfo(kind: kind, status: s, code: c, errorMessage: m, requestId: r, operation: o, pendingOperations: p, retryable: rt, accepted: a)
    }

    /// The common fields of this error.
    public var info: NeonErrorInfo {
        switch self {
        case let .BadRequest(s, c, m, r, o, p, rt, a): return Self.info("bad_request", s, c, m, r, o, p, rt, a)
        case let .Unauthorized(s, c, m, r, o, p, rt, a): return Self.info("unauthorized", s, c, m, r, o, p, rt, a)
        case let .Forbidden(s, c, m, r, o, p, rt, a): return Self.info("forbidden", s, c, m, r, o, p, rt, a)
        case let .NotFound(s, c, m, r, o, p, rt, a): return Self.info("not_found", s, c, m, r, o, p, rt, a)
        case let .Conflict(s, c, m, r, o, p, rt, a): return Self.info("conflict", s, c, m, r, o, p, rt, a)
        case let .Locked(s, c, m, r, o, p, rt, a): return Self.info("locked", s, c, m, r, o, p, rt, a)
        case let .RateLimited(s, c, m, r, o, p, rt, a): return Self.info("rate_limited", s, c, m, r, o, p, rt, a)
        case let .Server(s, c, m, r, o, p, rt, a): return Self.info("server", s, c, m, r, o, p, rt, a)
        case let .Api(s, c, m, r, o, p, rt, a): return Self.info("api", s, c, m, r, o, p, rt, a)
        case let .Timeout(s, c, m, r, o, p, rt, a): return Self.info("timeout", s, c, m, r, o, p, rt, a)
        case let .Network(s, c, m, r, o, p, rt, a): return Self.info("network", s, c, m, r, o, p, rt, a)
        case let .Decode(s, c, m, r, o, p, rt, a): return Self.info("decode", s, c, m, r, o, p, rt, a)
        case let .InvalidArgument(s, c, m, r, o, p, rt, a): return Self.info("invalid_argument", s, c, m, r, o, p, rt, a)
        case let .Config(s, c, m, r, o, p, rt, a): return Self.info("config", s, c, m, r, o, p, rt, a)
        case let .OperationFailed(s, c, m, r, o, p, rt, a): return Self.info("operation_failed", s, c, m, r, o, p, rt, a)
        case let .WaitTimeout(s, c, m, r, o, p, rt, a): return Self.info("wait_timeout", s, c, m, r, o, p, rt, a)
        case let .Runtime(s, c, m, r, o, p, rt, a): return Self.info("runtime", s, c, m, r, o, p, rt, a)
        }
    }

    public var kind: String { info.kind }
    public var status: Int32? { info.status }
    public var code: String { info.code }
    public var message: String { info.errorMessage }
    public var requestId: String? { info.requestId }
}

extension NeonPager {
    /// Every remaining item, page by page as the sequence is iterated:
    /// `for try await project in client.projects().iter().items() { … }`.
    public func items() -> AsyncThrowingStream<String, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    while let page = try await self.nextPage() {
                        for item in page { continuation.yield(item) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Small helpers over `JSONSerialization` for the JSON text that calls return.
public enum NeonJSON {
    /// Parses JSON text into Foundation values (`[String: Any]`, `[Any]`, `String`, `NSNumber`, `NSNull`).
    public static func parse(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// The value at a dotted path (`"project.id"`, `"branches.0.name"`), or nil.
    public static func at(_ value: Any, _ path: String) -> Any? {
        var cur: Any = value
        if path.isEmpty { return cur }
        for step in path.split(separator: ".").map(String.init) {
            if let obj = cur as? [String: Any], let next = obj[step] {
                cur = next
            } else if let arr = cur as? [Any], let i = Int(step), i >= 0, i < arr.count {
                cur = arr[i]
            } else {
                return nil
            }
        }
        return cur
    }
}

extension String {
    /// The string at a dotted path of this JSON text, or nil.
    public func jsonString(_ path: String) -> String? {
        guard let v = try? NeonJSON.parse(self), let x = NeonJSON.at(v, path) else { return nil }
        if x is NSNull { return nil }
        if let s = x as? String { return s }
        return "\(x)"
    }
}
