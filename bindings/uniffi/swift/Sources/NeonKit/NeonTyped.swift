// The support of the generated typed layer (Generated/Typed.swift): a JSON value for fields of
// any type and unknown fields, the lenient coding helpers, dates as the API writes them, the
// secret-hiding description, and the typed pager. Not compiled here (no Swift toolchain): parsed only.
import Foundation

/// Any JSON value: the type of `Any`-typed fields and of `extra` (fields the spec does not list).
public enum NeonJSON: Codable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([NeonJSON])
    case object([String: NeonJSON])

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([NeonJSON].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: NeonJSON].self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// Its JSON text.
    public var description: String {
        (try? NeonCoding.text(self)) ?? "null"
    }
}

/// A coding key of any name (the models' keys are the API's snake_case names).
public struct NeonKey: CodingKey, Hashable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { self.stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { return nil }
}

/// A date-time as the API writes it (RFC 3339 with its offset, fractions optional).
public struct NeonDate: Codable, Equatable {
    public let date: Date
    public init(_ date: Date) { self.date = date }

    private static func formatter(fractions: Bool) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = fractions ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return f
    }

    /// The API's text of this date (UTC, `…Z`).
    public var text: String { NeonDate.formatter(fractions: false).string(from: date) }

    public init(from decoder: Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        guard let d = NeonDate.formatter(fractions: false).date(from: s) ?? NeonDate.formatter(fractions: true).date(from: s) else {
            throw DecodingError.dataCorrupted(DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "not a date-time: \(s)"))
        }
        self.date = d
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }
}

extension KeyedDecodingContainer where K == NeonKey {
    /// The field's value, or nil when it is absent, null or not of the type (never throws).
    func neonGet<T: Decodable>(_ name: String, _ type: T.Type) -> T? {
        (try? decodeIfPresent(T.self, forKey: NeonKey(name))) ?? nil
    }

    /// The fields not in `known`, as they came.
    func neonExtra(known: Set<String>) -> [String: NeonJSON] {
        var out: [String: NeonJSON] = [:]
        for key in allKeys where !known.contains(key.stringValue) {
            if let v = try? decode(NeonJSON.self, forKey: key) { out[key.stringValue] = v }
        }
        return out
    }
}

extension KeyedEncodingContainer where K == NeonKey {
    mutating func neonPutNullable<T: Encodable>(_ name: String, _ value: T?) throws {
        if let v = value { try encode(v, forKey: NeonKey(name)) } else { try encodeNil(forKey: NeonKey(name)) }
    }

    mutating func neonPutExtra(_ extra: [String: NeonJSON], known: Set<String>) throws {
        for (k, v) in extra where !known.contains(k) { try encode(v, forKey: NeonKey(k)) }
    }
}

/// What `description` prints for a secret field.
func neonSecret<T>(_ value: T?) -> String? { value == nil ? nil : "***" }

/// What `description` prints for a field (nil: left out).
func neonShow<T>(_ value: T?) -> String? { value.map { "\($0)" } }

func neonDescribe(_ name: String, _ fields: [(String, String?)], extra: [String: NeonJSON]) -> String {
    var parts = fields.compactMap { f in f.1.map { "\(f.0)=\($0)" } }
    if !extra.isEmpty { parts.append("extra=[" + extra.keys.sorted().joined(separator: ", ") + "]") }
    return name + "(" + parts.joined(separator: ", ") + ")"
}

/// JSON text to and from the typed models (what the typed methods hand the `…Json` ones).
public enum NeonCoding {
    /// The JSON text of a model (the API's names).
    public static func text<T: Encodable>(_ value: T) throws -> String {
        let data = try JSONEncoder().encode(value)
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads JSON text as a model (lenient: see the models).
    public static func decode<T: Decodable>(from text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    /// The model read from `{}`: every required field its zero value.
    static func empty<T: Decodable>(_ type: T.Type) -> T {
        // swiftlint:disable:next force_try
        try! JSONDecoder().decode(T.self, from: Data("{}".utf8))
    }
}

/// A typed pager over the JSON-text `NeonPager` (`raw`): what the typed `iter` / `…Iter` return.
public final class NeonPages<T: Decodable> {
    public let raw: NeonPager
    public init(raw: NeonPager) { self.raw = raw }

    /// The next page's items, or nil after the last page.
    public func nextPage() async throws -> [T]? {
        guard let page = try await raw.nextPage() else { return nil }
        return try page.map { try NeonCoding.decode(from: $0) }
    }

    /// The blocking form of `nextPage`.
    public func nextPageBlocking() throws -> [T]? {
        guard let page = try raw.nextPageBlocking() else { return nil }
        return try page.map { try NeonCoding.decode(from: $0) }
    }

    /// Every remaining item, page by page: `for try await p in client.projects().iter(limit: 10).items() { … }`.
    public func items() -> AsyncThrowingStream<T, Error> {
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

    /// Every remaining item (blocking).
    public func collectAllBlocking() throws -> [T] {
        var out: [T] = []
        while let page = try nextPageBlocking() { out.append(contentsOf: page) }
        return out
    }
}
