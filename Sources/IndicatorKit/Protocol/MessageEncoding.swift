import Foundation
import JSONCore

/// Findings written straight to bytes with `JSONWriter`, for the SDK's hot path: `JSONEncoder`
/// spends most of a reply's time on the open `JSONValue` and `Decimal` members, this several
/// times less. The output decodes to the same values as the `Encodable` conformance's (tested).
extension JSONWriter {
    /// Appends `finding` as the protocol writes it: members in the order of `Finding`'s
    /// declaration, absent optionals left out.
    public mutating func append(_ finding: Finding) {
        appendRaw(#"{"criterion":"#)
        appendString(finding.criterion)
        appendRaw(#","verdict":"#)
        appendString(finding.verdict.rawValue)
        appendRaw(#","score":"#)
        appendInteger(finding.score)
        if let observed = finding.observed {
            appendRaw(#","observed":"#)
            append(observed)
        }
        if let threshold = finding.threshold {
            appendRaw(#","threshold":"#)
            append(threshold)
        }
        if let comparator = finding.comparator {
            appendRaw(#","comparator":"#)
            appendString(comparator)
        }
        if let margin = finding.margin {
            appendRaw(#","margin":"#)
            append(margin)
        }
        appendRaw(#","message":{"zh":"#)
        appendString(finding.message.zh)
        appendRaw(#","en":"#)
        appendString(finding.message.en)
        appendRaw(#"},"citation":"#)
        appendString(finding.citation)
        appendRaw(#","parameters":"#)
        append(.object(finding.parameters))
        appendRaw("}")
    }
}

extension FindingsMessage {
    /// The message as one line, newline included, written directly (the SDK's fast path).
    public func encodedLine() -> Data {
        var writer = JSONWriter(style: .compact, capacity: 256 + findings.count * 400)
        writer.appendRaw(#"{"type":"findings","id":"#)
        writer.appendString(id)
        writer.appendRaw(#","findings":["#)
        for (index, finding) in findings.enumerated() {
            if index > 0 { writer.appendRaw(",") }
            writer.append(finding)
        }
        writer.appendRaw("]}\n")
        return Data(writer.bytes)
    }
}
