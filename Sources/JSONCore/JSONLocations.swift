import Foundation

/// Where each member and element of a JSON text begins, by its path as the validators write it
/// (`$`, `.name` or `["name"]` per `JSONPath.member`, `[i]`): the byte offset of a member's key, or
/// of an element's value. For pinning an issue found in the decoded value to the line a person
/// wrote it on. A text that is not JSON yields what was found before the fault; a path that occurs
/// twice keeps its first place; nesting deeper than `maxDepth` is not followed.
public enum JSONLocations {
    public static let maxDepth = 128

    /// Path → byte offset in `data` (a leading byte order mark counted, as `SourcePosition` does).
    public static func offsets(in data: Data) -> [String: Int] {
        var scanner = Scanner(bytes: [UInt8](data))
        if scanner.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { scanner.index = 3 }
        scanner.skipSpace()
        scanner.found["$"] = scanner.index
        _ = scanner.value("$", depth: 0)
        return scanner.found
    }

    /// The place of `path`, or of its nearest ancestor that has one (a missing member is pinned to
    /// the object that lacks it); nil when none has.
    public static func offset(of path: String, in offsets: [String: Int]) -> Int? {
        var path = path
        while true {
            if let offset = offsets[path] { return offset }
            guard let cut = parentCut(path) else { return nil }
            path = String(path[..<cut])
        }
    }

    /// Where the last component of `path` begins (`.name`, `["name"]` or `[i]`), nil for `$`.
    static func parentCut(_ path: String) -> String.Index? {
        guard path.count > 1 else { return nil }
        if path.hasSuffix("]") {
            // `["…"]` (a name may hold `[`) or `[i]`.
            if path.hasSuffix("\"]"), let open = path.range(of: "[\"", options: .backwards) { return open.lowerBound }
            return path.lastIndex(of: "[")
        }
        return path.lastIndex(of: ".")
    }

    struct Scanner {
        let bytes: [UInt8]
        var index = 0
        var found: [String: Int] = [:]

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        /// Skips one value at `index`, recording its members' and elements' places; false on a fault.
        mutating func value(_ path: String, depth: Int) -> Bool {
            guard index < bytes.count, depth <= JSONLocations.maxDepth else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
                while true {
                    skipSpace()
                    let keyStart = index
                    guard let key = string() else { return false }
                    let child = path + JSONPath.member(key)
                    if found[child] == nil { found[child] = keyStart }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                    index += 1
                    skipSpace()
                    guard value(child, depth: depth + 1) else { return false }
                    skipSpace()
                    guard index < bytes.count else { return false }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { return false }
                    index += 1
                    return true
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
                var element = 0
                while true {
                    skipSpace()
                    let child = path + "[\(element)]"
                    if found[child] == nil { found[child] = index }
                    guard value(child, depth: depth + 1) else { return false }
                    element += 1
                    skipSpace()
                    guard index < bytes.count else { return false }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { return false }
                    index += 1
                    return true
                }
            case UInt8(ascii: "\""):
                return string() != nil
            default:
                let start = index
                while index < bytes.count, !",]} \t\r\n".utf8.contains(bytes[index]) { index += 1 }
                return index > start
            }
        }

        /// The string at `index`, decoded (escapes included), with `index` after it; nil on a fault.
        mutating func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            let start = index
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    index += 1
                    guard case .string(let text)? = try? JSONValue(parsing: Data(bytes[start..<index])) else { return nil }
                    return text
                default: index += 1
                }
            }
            return nil
        }
    }
}
