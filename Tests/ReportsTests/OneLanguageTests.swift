import Foundation
import IndicatorKit
import Testing
import ClusterStandard
import JSONCore
import Reports

/// One language per page: a Chinese page holds no English word and an English page no Chinese,
/// except names and codes — what the county wrote in its filing (names, statements), criterion ids,
/// county and credit codes, rulebook names and parameter names, hashes, dates and JSON paths.
@Suite struct OneLanguageTests {
    static let moment = Date(timeIntervalSince1970: 1_773_541_800)

    /// The words of `language`'s other script left in `text` once the allowed names and codes are
    /// taken out; empty when the page is in one language.
    static func foreign(_ text: String, language: Language, names: [String]) -> [String] {
        var rest = text
        var codes = [
            #"cluster-review confirm \d+ [A-Z]{4}-\d+ accept\|reject --note"#,  // the reviewer's command, on the reviewer's page
            #"[a-z_]+\.(evidence\["[A-Z]{4}-\d+"\]|plan)"#,  // JSON paths of the filing
            #"\b[0-9a-f]{16,64}\b"#,  // hashes
            #"\b[0-9A-Z]{18}\b"#,  // unified social credit codes
            #"[A-Z]{4}-\d+"#,  // criterion ids
            #"\b[a-z]+-\d{4}\b"#,  // rulebook names
            #"cluster-review"#,  // the program's name
        ]
        codes += Self.parameterNames.sorted { $0.count > $1.count }.map { NSRegularExpression.escapedPattern(for: $0) }
        if language == .en { codes += [#"UTC\+8"#, "km²"] }
        for pattern in codes {
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        // The county's own words and the names of places (longest first, so a name is not cut by a shorter one).
        let places = HainanCounty.all.flatMap { [$0.name, $0.city] }
        for name in (names + places).sorted(by: { $0.count > $1.count }) where name.count >= 2 {
            rest = rest.replacingOccurrences(of: name, with: " ")
        }
        let other = language == .zh ? #"[A-Za-z]{2,}"# : #"[\p{Han}]+"#
        let regex = try! NSRegularExpression(pattern: other)
        let range = NSRange(rest.startIndex..., in: rest)
        return regex.matches(in: rest, range: range).map { String(rest[Range($0.range, in: rest)!]) }
    }

    /// The parameter names of config/parameters.json (codes an administrator sets) and growth_factor,
    /// and each mode parameter's setting as the parameter list prints it (`high_tech_level = any`):
    /// a mode's value is a code like its name.
    static let parameterNames: [String] = {
        let data = (try? Data(contentsOf: ReportFixtures.root.appendingPathComponent("config/parameters.json"))) ?? Data()
        var codes = ["growth_factor"]
        func walk(_ value: JSONValue) {
            switch value {
            case .array(let items): items.forEach(walk)
            case .object(let members):
                if let name = members["name"]?.string, members["comparator"] != nil {
                    codes.append(name)
                    if members["comparator"]?.string == "mode", case .array(let values)? = members["values"] {
                        codes += values.compactMap { $0["value"]?.string }.map { "\(name) = \($0)" }
                    }
                }
                members.values.forEach(walk)
            default: break
            }
        }
        if let json = try? JSONValue(parsing: data) { walk(json) }
        return codes
    }()

    /// Every string the county wrote in `file` (names, statements, document titles): its own words.
    static func filingStrings(_ file: String) throws -> [String] {
        let json = try JSONValue(parsing: Data(contentsOf: ReportFixtures.samples.appendingPathComponent(file)))
        var strings: [String] = []
        func walk(_ value: JSONValue) {
            switch value {
            case .string(let text): strings.append(text)
            case .array(let items): items.forEach(walk)
            case .object(let members): members.values.forEach(walk)
            default: break
            }
        }
        walk(json)
        return strings
    }

    /// The visible text of an HTML page: no style, no tags, entities decoded.
    static func visibleText(_ html: String) -> String {
        var text = html.replacingOccurrences(of: #"<style>[\s\S]*?</style>"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    @Test(arguments: try ReportFixtures.sampleFiles())
    func everyReportAndSelfCheckIsInOneLanguage(_ file: String) async throws {
        let report = try await ReportFixtures.report(file, id: "7")
        let names = try Self.filingStrings(file) + [report.county.name.zh, report.county.name.en]
        for language in Language.allCases {
            for audience in ReportAudience.allCases {
                let page = Self.visibleText(HTMLReport.render(report, language: language, generatedAt: Self.moment, audience: audience))
                let words = Self.foreign(page, language: language, names: names)
                #expect(words.isEmpty, "\(file) \(language) \(audience): \(Array(Set(words)).sorted())")
            }
            let terminal = SelfCheck.terminal(report, language: language, generatedAt: Self.moment)
            let words = Self.foreign(terminal, language: language, names: names)
            #expect(words.isEmpty, "\(file) \(language) terminal: \(Array(Set(words)).sorted())")
        }
    }

    @Test(arguments: Language.allCases)
    func theIndexIsInOneLanguage(_ language: Language) async throws {
        var entries: [ReportIndexEntry] = []
        var names: [String] = []
        for file in try ReportFixtures.sampleFiles() {
            let report = try await ReportFixtures.report(file, id: "1")
            entries.append(ReportIndexEntry(report, href: "r.html"))
            names += try Self.filingStrings(file) + [report.county.name.zh, report.county.name.en]
        }
        for status in ["recorded", "recognized", "reviewed", "superseded", "in_review", "review_failed"] {
            entries.append(ReportIndexEntry(filingID: "1", county: .init(code: "469005"), clusterName: "x", kind: .initial, status: status,
                                            recommendation: nil, href: "x.html"))
        }
        let page = Self.visibleText(HTMLReport.renderIndex(entries, language: language, generatedAt: Self.moment))
        let words = Self.foreign(page, language: language, names: names)
        #expect(words.isEmpty, "\(language): \(Array(Set(words)).sorted())")
    }
}
