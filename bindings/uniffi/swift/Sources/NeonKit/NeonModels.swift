// The base of the generated model views (Generated/Models.swift).
import Foundation

/// Typed, read-only views of the API's objects over their JSON
/// (`try NeonModels.ProjectResponse(text: json).project?.name`). Every field is
/// optional; unknown fields stay in `json`; enum-typed fields are plain strings
/// (open: new values from the server are kept). `description` lists field
/// names only, never values (some fields hold secrets).
public enum NeonModels {
    static func field<T>(_ json: [String: Any], _ name: String, _ read: (Any) -> T?) -> T? {
        guard let v = json[name], !(v is NSNull) else { return nil }
        return read(v)
    }
    static func asString(_ v: Any) -> String? { v as? String }
    static func asInt(_ v: Any) -> Int64? { (v as? NSNumber)?.int64Value }
    static func asDouble(_ v: Any) -> Double? { (v as? NSNumber)?.doubleValue }
    static func asBool(_ v: Any) -> Bool? { v as? Bool }
    static func asObject(_ v: Any) -> [String: Any]? { v as? [String: Any] }
    static func asArray(_ v: Any) -> [Any]? { v as? [Any] }
}

public struct NeonModelError: Error, CustomStringConvertible {
    public let description: String
}

public protocol NeonModelView: CustomStringConvertible {
    var json: [String: Any] { get }
    init(json: [String: Any])
}

extension NeonModelView {
    /// Reads JSON text (a response body).
    public init(text: String) throws {
        guard let o = try NeonJSON.parse(text) as? [String: Any] else {
            throw NeonModelError(description: "the JSON text is not an object")
        }
        self.init(json: o)
    }

    public var description: String { "\(Self.self)(\(json.keys.sorted().joined(separator: ", ")))" }
}
