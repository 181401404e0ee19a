import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// `reviews.aggregate` as the coordinator writes it (issue 16, "a leaner aggregate"): the review's
/// indicators and recommendation, and the findings to confirm and the failures named by their
/// criterion — a criterion is one finding of a review (`findings`' key is review and criterion),
/// so the findings themselves are not repeated; the reader takes them from `findings`.
///
///     {"indicators":[{"module":"basics","verdict":"pass","score":100},…],
///      "recommendation":"needs_review","to_confirm":["INNO-3","SPEC-2"],"failures":[]}
///
/// Written by hand (no `JSONEncoder`): a few hundred bytes, so PostgreSQL stores it inline,
/// neither compressed nor TOASTed. Read back into the `ReviewSummary` the coordinator wrote, in
/// the same order; an aggregate written before (`to_confirm` and `failures` holding whole
/// findings) is read as it was.
enum StoredAggregate {
    /// Why an aggregate cannot be read back.
    struct Unreadable: Error, CustomStringConvertible {
        var description: String
    }

    /// The stored text of `summary`.
    static func bytes(_ summary: ReviewSummary) -> [UInt8] {
        var writer = JSONWriter(style: .compact, capacity: 96 + summary.indicators.count * 64
            + (summary.toConfirm.count + summary.failures.count) * 12)
        writer.appendRaw(#"{"indicators":["#)
        for (index, indicator) in summary.indicators.enumerated() {
            if index > 0 { writer.appendRaw(",") }
            writer.appendRaw(#"{"module":"#)
            writer.appendString(indicator.module)
            writer.appendRaw(#","verdict":"#)
            writer.appendString(indicator.verdict.rawValue)
            if let score = indicator.score {
                writer.appendRaw(#","score":"#)
                writer.appendInteger(score)
            }
            writer.appendRaw("}")
        }
        writer.appendRaw(#"],"recommendation":"#)
        writer.appendString(summary.recommendation.rawValue)
        writer.appendRaw(#","to_confirm":["#)
        criteria(summary.toConfirm, into: &writer)
        writer.appendRaw(#"],"failures":["#)
        criteria(summary.failures, into: &writer)
        writer.appendRaw("]}")
        return writer.bytes
    }

    private static func criteria(_ items: [ReviewSummary.Attributed], into writer: inout JSONWriter) {
        for (index, item) in items.enumerated() {
            if index > 0 { writer.appendRaw(",") }
            writer.appendString(item.finding.criterion)
        }
    }

    /// The summary stored as `bytes`, its findings to confirm and failures taken from `findings`
    /// (the review's rows) by criterion, in the stored order.
    static func summary(_ bytes: Data, findings: [ReviewSummary.Attributed]) throws -> ReviewSummary {
        let stored: JSONValue
        do {
            // The protocol's limits, not a filing's: an aggregate written before the lean form
            // holds whole findings, whose values a module may give up to `Decimal`'s 38 digits and
            // the protocol's depth — as `JSONDecoder` read them then.
            stored = try JSONValue(parsing: bytes, limits: .message)
        } catch {
            // Whatever this parser refuses, the decoder that read every aggregate before may not.
            if let old = try? JSONDecoder().decode(ReviewSummary.self, from: bytes) { return old }
            throw Unreadable(description: "the review's aggregate is not JSON: \(error)")
        }
        func named(_ key: String) -> [JSONValue] {
            if case .array(let items)? = stored[key] { return items }
            return []
        }
        let listed = named("to_confirm") + named("failures")
        if listed.contains(where: { if case .object = $0 { return true } else { return false } }) {
            // Written before the lean form: whole findings.
            return try JSONDecoder().decode(ReviewSummary.self, from: bytes)
        }
        let lean: [String: JSONValue] = [
            "indicators": stored["indicators"] ?? .array([]), "recommendation": stored["recommendation"] ?? .null,
            "to_confirm": .array([]), "failures": .array([]),
        ]
        var summary = try JSONDecoder().decode(ReviewSummary.self, from: Data(JSONValue.object(lean).compactBytes))
        func attributed(_ key: String) throws -> [ReviewSummary.Attributed] {
            try named(key).map { item in
                guard let criterion = item.string, let found = findings.first(where: { $0.finding.criterion == criterion }) else {
                    throw Unreadable(description: "the review's aggregate names \(key) \(item) that is not one of its findings")
                }
                return found
            }
        }
        summary.toConfirm = try attributed("to_confirm")
        summary.failures = try attributed("failures")
        return summary
    }
}
