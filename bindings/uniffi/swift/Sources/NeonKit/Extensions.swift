// Hand-written Swift conveniences over the generated bindings (NeonKit.swift).
import Foundation

extension NeonErrorInfo: CustomStringConvertible {
    public var description: String {
        "\(kind): \(errorMessage) (status \(status.map(String.init) ?? "none"), code \(code), request id \(requestId ?? "none"))"
    }
}

extension NeonError {
    /// The common fields of this error (the core's `errorInfo`: no list of kinds here).
    public var info: NeonErrorInfo { errorInfo(error: self) }

    public var kind: String { info.kind }
    public var status: Int32? { info.status }
    public var code: String { info.code }
    public var message: String { info.errorMessage }
    public var requestId: String? { info.requestId }
}

extension NeonResponse {
    /// The body as text (UTF-8).
    public var text: String { String(decoding: body, as: UTF8.self) }
}

extension NeonPager {
    /// Every remaining item, page by page as the sequence is iterated:
    /// `for try await project in client.projects().iterJson().items() { … }`.
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
