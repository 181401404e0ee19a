#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import IndicatorKit

/// When and under what a report or a list was made: the moment it was generated (Beijing time,
/// Asia/Shanghai, UTC+8 all year), the rulebook(s) by name and content hash, the as-of date, and
/// the filing's content hash. Printed on every report and list, in the terminal and in HTML, so a
/// printed page says what it was made from.
///
/// The clock is the caller's: `generatedAt` is passed in (the CLI takes it from
/// `SOURCE_DATE_EPOCH` when set, else the wall clock), so a test can state the exact line.
/// The filing's content hash is the one the server stores for a filed document, or, for a
/// county's offline self-check, the SHA-256 of the file as read.
public struct ReportStamp: Sendable, Hashable {
    /// The moment the report was generated.
    public var generatedAt: Date
    /// The rulebooks the findings were judged under (one for a report; the distinct ones for an index).
    public var rulebooks: [ReviewReport.RulebookReference]
    /// The as-of date, when the stamp is for one review (nil on an index, whose rows carry theirs).
    public var asOf: CivilDate?
    /// The filing's content hash (hex), when the stamp is for one filing.
    public var filingHash: String?

    /// A stamp with every field.
    public init(generatedAt: Date, rulebooks: [ReviewReport.RulebookReference] = [], asOf: CivilDate? = nil, filingHash: String? = nil) {
        self.generatedAt = generatedAt
        self.rulebooks = rulebooks
        self.asOf = asOf
        self.filingHash = filingHash
    }

    /// The stamp of one report generated at `date`.
    public init(_ report: ReviewReport, generatedAt date: Date) {
        self.init(generatedAt: date, rulebooks: [report.rulebook], asOf: report.rulebook.asOf, filingHash: report.filingHash)
    }

    /// The stamp of an index of `entries` generated at `date`: each distinct rulebook once, in first-seen order.
    public init(index entries: [ReportIndexEntry], generatedAt date: Date) {
        var seen: [ReviewReport.RulebookReference] = []
        for entry in entries {
            if let rulebook = entry.rulebook, !seen.contains(where: { $0.name == rulebook.name && $0.hash == rulebook.hash }) {
                seen.append(ReviewReport.RulebookReference(name: rulebook.name, hash: rulebook.hash, asOf: rulebook.asOf))
            }
        }
        self.init(generatedAt: date, rulebooks: seen)
    }

    /// `2026-03-15 10:30` in Beijing time (UTC+8; China keeps no daylight saving time).
    public static func beijingTime(_ date: Date) -> String {
        // By hand (UTC+8 has no daylight saving): no Calendar or TimeZone made per call, which cost
        // more than the rest of a page's stamp (the web door writes one on every report).
        var seconds = time_t((date.timeIntervalSince1970 + 8 * 3600).rounded(.down))
        var c = tm()
        gmtime_r(&seconds, &c)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(Int(c.tm_year) + 1900)-\(two(c.tm_mon + 1))-\(two(c.tm_mday)) \(two(c.tm_hour)):\(two(c.tm_min))"
    }

    /// The parts of the stamp in `language`, in order: generated at, rulebook(s), as of, filing hash.
    /// `hashLength` cuts each hash to that many hex digits (nil: whole).
    public func parts(in language: Language, hashLength: Int? = nil) -> [String] {
        let en = language == .en
        func cut(_ hash: String) -> String { hashLength.map { String(hash.prefix($0)) } ?? hash }
        var parts = [en ? "Generated \(Self.beijingTime(generatedAt)) (Beijing time, UTC+8)"
                        : "生成时间 \(Self.beijingTime(generatedAt))（北京时间）"]
        for rulebook in rulebooks {
            parts.append(en ? "rulebook \(rulebook.name) (content hash \(cut(rulebook.hash)))"
                            : "规则集 \(rulebook.name)（内容哈希 \(cut(rulebook.hash))）")
        }
        if let asOf { parts.append(en ? "as of \(asOf)" : "基准日 \(asOf)") }
        if let filingHash { parts.append(en ? "filing content hash \(cut(filingHash))" : "申报内容哈希 \(cut(filingHash))") }
        return parts
    }

    /// The stamp as one line in `language`.
    public func line(in language: Language, hashLength: Int? = nil) -> String {
        parts(in: language, hashLength: hashLength).joined(separator: " · ")
    }
}
