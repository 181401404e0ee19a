import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

/// What changed between a returned filing and the corrected filing that supersedes it: the
/// document field by field (JSON paths, old → new) and the findings whose verdict changed between
/// the two filings' latest reviews. `report N --diff` shows it in the terminal and as HTML.
public struct FilingDiff: Sendable, Hashable, Codable {
    /// The corrected filing.
    public var filingID: Int64
    /// The returned filing it supersedes.
    public var supersedes: Int64
    public var clusterName: String
    /// Every member that differs, in path order. `supersedes` itself is left out.
    public var changes: [Change]
    /// Criteria whose verdict differs between the two latest reviews, in criterion order.
    public var verdictChanges: [VerdictChange]
    /// Whether each filing has a finished review (no verdicts to compare otherwise).
    public var oldReviewed: Bool
    public var newReviewed: Bool

    enum CodingKeys: String, CodingKey {
        case filingID = "filing_id", supersedes, clusterName = "cluster_name", changes
        case verdictChanges = "verdict_changes", oldReviewed = "old_reviewed", newReviewed = "new_reviewed"
    }

    /// One member that differs: nil on a side where it is absent.
    public struct Change: Sendable, Hashable, Codable {
        public var path: String
        public var old: JSONValue?
        public var new: JSONValue?
        public init(path: String, old: JSONValue?, new: JSONValue?) {
            self.path = path
            self.old = old
            self.new = new
        }
    }

    /// A criterion whose verdict changed; nil on a side whose review has no finding for it.
    public struct VerdictChange: Sendable, Hashable, Codable {
        public var criterion: String
        public var old: Verdict?
        public var new: Verdict?
        public init(criterion: String, old: Verdict?, new: Verdict?) {
            self.criterion = criterion
            self.old = old
            self.new = new
        }
    }

    public init(
        filingID: Int64, supersedes: Int64, clusterName: String, old: JSONValue, new: JSONValue,
        oldVerdicts: [String: Verdict]?, newVerdicts: [String: Verdict]?
    ) {
        self.filingID = filingID
        self.supersedes = supersedes
        self.clusterName = clusterName
        self.changes = Self.changes(from: old, to: new).filter { $0.path != "$.supersedes" }
        self.oldReviewed = oldVerdicts != nil
        self.newReviewed = newVerdicts != nil
        if let oldVerdicts, let newVerdicts {
            self.verdictChanges = Set(oldVerdicts.keys).union(newVerdicts.keys).sorted().compactMap { criterion in
                oldVerdicts[criterion] == newVerdicts[criterion]
                    ? nil : VerdictChange(criterion: criterion, old: oldVerdicts[criterion], new: newVerdicts[criterion])
            }
        } else {
            self.verdictChanges = []
        }
    }

    /// The members that differ between `old` and `new`, field by field. Objects are compared
    /// member by member; arrays of objects that each carry a distinct `year`, `code`, `id` or
    /// `enterprise_code` are matched by it (`$.figures[year=2025].exports_wan`), other arrays
    /// element by element (`$.documents[2]`).
    public static func changes(from old: JSONValue?, to new: JSONValue?, at path: String = "$") -> [Change] {
        if old == new { return [] }
        switch (old, new) {
        case (.object(let a)?, .object(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { key in
                changes(from: a[key], to: b[key], at: path + "." + key)
            }
        case (.array(let a)?, .array(let b)?):
            if let key = identity(a, b) {
                let oldByKey = Dictionary(uniqueKeysWithValues: a.map { (label($0, key), $0) })
                let newByKey = Dictionary(uniqueKeysWithValues: b.map { (label($0, key), $0) })
                var order = a.map { label($0, key) }
                for item in b.map({ label($0, key) }) where oldByKey[item] == nil { order.append(item) }
                return order.flatMap { item in changes(from: oldByKey[item], to: newByKey[item], at: "\(path)[\(key)=\(item)]") }
            }
            return (0..<max(a.count, b.count)).flatMap { i in
                changes(from: i < a.count ? a[i] : nil, to: i < b.count ? b[i] : nil, at: "\(path)[\(i)]")
            }
        default:
            return [Change(path: path, old: old, new: new)]
        }
    }

    /// The member that names the elements of both arrays, when every element is an object with a
    /// distinct scalar value of it.
    private static func identity(_ a: [JSONValue], _ b: [JSONValue]) -> String? {
        for key in ["year", "code", "enterprise_code", "id"] {
            var ok = true
            for items in [a, b] {
                let labels = items.map { item -> String? in
                    guard case .object(let members) = item, let value = members[key] else { return nil }
                    switch value {
                    case .string, .number: return label(item, key)
                    default: return nil
                    }
                }
                if labels.contains(where: { $0 == nil }) || Set(labels.compactMap { $0 }).count != labels.count { ok = false }
            }
            if ok && !(a.isEmpty && b.isEmpty) { return key }
        }
        return nil
    }

    private static func label(_ item: JSONValue, _ key: String) -> String {
        guard case .object(let members) = item, let value = members[key] else { return "" }
        switch value {
        case .string(let text): return text
        case .number(let number): return "\(number)"
        default: return ""
        }
    }

    /// A value for people: amounts by the member they are in (`…_wan` money, `area_km2`,
    /// `…_rate`/`…_share` percentages) through `Readable`, anything else as `ObservedText`; an
    /// absent member as "(none)".
    public static func readable(_ value: JSONValue?, path: String, _ language: Language) -> String {
        guard let value else { return language == .en ? "(absent)" : "（无）" }
        let member = String(path.split(separator: ".").last ?? "")
        if case .number(let number) = value {
            if member.hasSuffix("_wan") { return Readable.amount(number, .moneyWan, language) }
            if member == "area_km2" { return Readable.amount(number, .areaKm2, language) }
            if member.hasSuffix("_rate") || member.hasSuffix("_share") { return Readable.amount(number, .share, language) }
        }
        return ObservedText.describe(value, language)
    }

    /// The diff as terminal lines in `language`.
    public func lines(language: Language) -> [String] {
        let lang = language
        let en = lang == .en
        var lines: [String] = []
        lines.append(ReportLabels.diffTitle(filingID, supersedes).text(in: lang) + " · " + clusterName)
        lines.append(ReportLabels.diffFieldsHeading.text(in: lang) + (en ? " (\(changes.count)):" : "（\(changes.count)）："))
        if changes.isEmpty { lines.append("  " + ReportLabels.diffNoChange.text(in: lang)) }
        for change in changes {
            lines.append("  \(change.path): \(Self.readable(change.old, path: change.path, lang)) → \(Self.readable(change.new, path: change.path, lang))")
        }
        lines.append(ReportLabels.diffVerdictsHeading.text(in: lang) + (en ? " (\(verdictChanges.count)):" : "（\(verdictChanges.count)）："))
        if !oldReviewed || !newReviewed {
            lines.append("  " + ReportLabels.diffNotReviewed.text(in: lang))
        } else if verdictChanges.isEmpty {
            lines.append("  " + ReportLabels.diffNoVerdictChange.text(in: lang))
        }
        for change in verdictChanges {
            lines.append("  \(change.criterion): \(Self.verdictText(change.old, lang)) → \(Self.verdictText(change.new, lang))")
        }
        return lines
    }

    static func verdictText(_ verdict: Verdict?, _ language: Language) -> String {
        verdict.map { ReportLabels.verdict($0).text(in: language) } ?? (language == .en ? "(no finding)" : "（无此项）")
    }
}

extension HTMLReport {
    /// The diff of a corrected filing against the filing it supersedes, as one self-contained page.
    public static func renderDiff(_ diff: FilingDiff, language: Language = .zh, generatedAt: Date = Date()) -> String {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        var html = Markup.stampedDocument(title: t(ReportLabels.diffTitle(diff.filingID, diff.supersedes)) + " · " + diff.clusterName, heading: t(ReportLabels.diffTitle(diff.filingID, diff.supersedes)),
                                          stylesheet: stylesheet, language: lang, generatedAt: generatedAt)
        diffContent(diff, language: lang, into: &html)
        html.element("footer", [:], t(ReportLabels.footer))
        html.close("body")
        html.close("html")
        html.raw("\n")
        return html.output
    }

    /// The diff's body (the cluster, the fields, the verdicts) written into `html`: the one
    /// rendering `report --diff --html` and the web door's correction page share.
    public static func diffContent(_ diff: FilingDiff, language: Language, into html: inout Markup) {
        let lang = language
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        html.element("p", ["class": "cluster"], diff.clusterName)
        html.wrap("section", ["class": "diff-fields", "id": "fields"]) { section in
            section.element("h2", [:], t(ReportLabels.diffFieldsHeading) + " (\(diff.changes.count))")
            if diff.changes.isEmpty { section.element("p", [:], t(ReportLabels.diffNoChange)) }
            else {
                section.wrap("table", ["class": "diff"]) { table in
                    table.wrap("thead") { head in
                        head.wrap("tr") { tr in
                            for label in [ReportLabels.diffPath, ReportLabels.diffOld, ReportLabels.diffNew] { tr.element("th", [:], t(label)) }
                        }
                    }
                    table.wrap("tbody") { body in
                        for change in diff.changes {
                            body.wrap("tr", ["data-path": change.path]) { tr in
                                tr.element("td", ["class": "path"], change.path)
                                tr.element("td", ["class": "old"], FilingDiff.readable(change.old, path: change.path, lang))
                                tr.element("td", ["class": "new"], FilingDiff.readable(change.new, path: change.path, lang))
                            }
                        }
                    }
                }
            }
        }
        html.wrap("section", ["class": "diff-verdicts", "id": "verdicts"]) { section in
            section.element("h2", [:], t(ReportLabels.diffVerdictsHeading) + " (\(diff.verdictChanges.count))")
            if !diff.oldReviewed || !diff.newReviewed { section.element("p", [:], t(ReportLabels.diffNotReviewed)) }
            else if diff.verdictChanges.isEmpty { section.element("p", [:], t(ReportLabels.diffNoVerdictChange)) }
            else {
                section.wrap("table", ["class": "diff"]) { table in
                    table.wrap("thead") { head in
                        head.wrap("tr") { tr in
                            for label in [ReportLabels.criterion, ReportLabels.diffOld, ReportLabels.diffNew] { tr.element("th", [:], t(label)) }
                        }
                    }
                    table.wrap("tbody") { body in
                        for change in diff.verdictChanges {
                            body.wrap("tr", ["data-criterion": change.criterion]) { tr in
                                tr.element("td", ["class": "criterion"], change.criterion)
                                tr.element("td", ["class": "verdict \(change.old?.rawValue ?? "none")"], FilingDiff.verdictText(change.old, lang))
                                tr.element("td", ["class": "verdict \(change.new?.rawValue ?? "none")"], FilingDiff.verdictText(change.new, lang))
                            }
                        }
                    }
                }
            }
        }
    }
}
