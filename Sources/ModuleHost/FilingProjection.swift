import Foundation
import IndicatorKit
import JSONCore

/// Why a filing could not be projected.
public enum FilingProjectionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes are not one JSON object; `offset` is where scanning stopped.
    case notAnObject(offset: Int)

    /// One line for a person.
    public var description: String {
        switch self {
        case .notAnObject(let offset): "the filing is not a JSON object (stopped at byte \(offset))"
        }
    }
}

/// Cuts a filing down to the top-level members a module declared in `reads`, so the module
/// decodes only what it uses (decoding is the pipeline's main cost, limits.md).
///
/// The byte version scans the object once without decoding values: it finds each top-level
/// member's key and the extent of its value (strings, escapes, nesting) and copies the wanted
/// ones. Members keep their order; a name in `reads` absent from the filing is simply absent.
public enum FilingProjection {
    /// The members of `filing` named in `reads`; a filing that is not an object is returned as is.
    public static func project(_ filing: JSONValue, reads: [String]) -> JSONValue {
        guard case .object(let members) = filing else { return filing }
        var kept: [String: JSONValue] = [:]
        for name in reads { if let value = members[name] { kept[name] = value } }
        return .object(kept)
    }

    /// The members of the JSON object `filing` named in `reads`, as a compact JSON object.
    public static func project(_ filing: Data, reads: [String]) throws(FilingProjectionError) -> Data {
        let wanted = Set(reads)
        let result = filing.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Data, FilingProjectionError> in
            do throws(FilingProjectionError) {
                return .success(try scan(raw, wanted: wanted))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func scan(_ raw: UnsafeRawBufferPointer, wanted: Set<String>) throws(FilingProjectionError) -> Data {
        do {
            let bytes = raw.bindMemory(to: UInt8.self)
            var scanner = Scanner(bytes: bytes)
            var output = Data()
            output.reserveCapacity(min(raw.count, 4096))
            output.append(UInt8(ascii: "{"))
            var first = true
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: "{")) else { throw .notAnObject(offset: scanner.index) }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: "}")) { return Data("{}".utf8) }
            while true {
                scanner.skipSpace()
                let keyStart = scanner.index
                guard scanner.skipString() else { throw .notAnObject(offset: scanner.index) }
                let keyEnd = scanner.index
                scanner.skipSpace()
                guard scanner.take(UInt8(ascii: ":")) else { throw .notAnObject(offset: scanner.index) }
                scanner.skipSpace()
                let valueStart = scanner.index
                guard scanner.skipValue() else { throw .notAnObject(offset: scanner.index) }
                let valueEnd = scanner.index
                let keyBytes = UnsafeBufferPointer(rebasing: bytes[(keyStart + 1)..<(keyEnd - 1)])
                let key: String
                if keyBytes.contains(UInt8(ascii: "\\")) {
                    key = (try? JSONValue(parsing: Data(bytes[keyStart..<keyEnd])))?.string ?? ""
                } else {
                    key = String(decoding: keyBytes, as: UTF8.self)
                }
                if wanted.contains(key) {
                    if !first { output.append(UInt8(ascii: ",")) }
                    first = false
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]))
                    output.append(UInt8(ascii: ":"))
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[valueStart..<valueEnd]))
                }
                scanner.skipSpace()
                if scanner.take(UInt8(ascii: ",")) { continue }
                if scanner.take(UInt8(ascii: "}")) { break }
                throw .notAnObject(offset: scanner.index)
            }
            output.append(UInt8(ascii: "}"))
            return output
        }
    }

    /// A cursor over JSON bytes that skips whole values without decoding them.
    struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Skips a string, quotes included.
        mutating func skipString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""): index += 1; return true
                default: index += 1
                }
            }
            return false
        }

        /// Skips any value: a string, an object or array (balanced, strings respected), or a scalar.
        mutating func skipValue() -> Bool {
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        guard skipString() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { index += 1; return true }
                    default: break
                    }
                    index += 1
                }
                return false
            default:
                let start = index
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D:
                        return index > start
                    default: index += 1
                    }
                }
                return index > start
            }
        }
    }
}
