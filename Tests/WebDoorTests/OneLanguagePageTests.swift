import Foundation
import ClusterStandard
import HTTPTestSupport
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// One language per page (issue 20, item 2) for the web door: every page a county, a reviewer,
/// an administrator and an anonymous visitor reach, in `?lang=zh` and `?lang=en`, holds no word of
/// the other script except names and codes (what the counties wrote, places, criterion ids,
/// certificate numbers, logins, hashes).
@Suite struct OneLanguagePageTests {
    /// The visible text of an HTML page: no style or script, no tags, entities decoded.
    static func visibleText(_ html: String) -> String {
        var text = html.replacingOccurrences(of: #"<(style|script)[^>]*>[\s\S]*?</\1>"#, with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    /// Every string of the sample filings: the counties' own words.
    static let sampleStrings: [String] = {
        var strings: [String] = []
        func walk(_ value: Any) {
            if let text = value as? String { strings.append(text) }
            if let array = value as? [Any] { array.forEach(walk) }
            if let object = value as? [String: Any] { object.values.forEach(walk) }
        }
        for sample in (try? SampleFilings.all()) ?? [] {
            if let json = try? JSONSerialization.jsonObject(with: sample.data) { walk(json) }
        }
        return strings
    }()

    static func foreign(_ text: String, language: Language, names: [String]) -> [String] {
        var rest = text
        let codes = [
            #"cluster-review confirm \d+ [A-Z]{4}-\d+ accept\|reject --note"#,  // the reviewer's command, on the reviewer's page
            #"(systemctl [a-z]+ )?cluster-review( [a-z][a-z-]*)*"#,  // command lines a person types
            #"HN-[A-Z]{4}-[0-9A-Z-]+"#,  // certificate numbers
            #"\$(\.[a-z_0-9]+|\[[^\]]*\])+"#,  // JSON paths of a correction's differences
            #"\b(as-of|daily):\d{4}-\d\d-\d\d"#,  // sweep slots
            #"[A-Z]{4}-\d+"#,  // criterion ids
            #"\b[0-9a-f]{16,64}\b"#,  // hashes
            #"\b[0-9A-Z]{18}\b"#,  // unified social credit codes
            #"\b[a-z]+-\d{4}\b"#,  // rulebook names
            "PostgreSQL", "km²", #"UTC\+8"#,
            "English", "中文",  // the language switch names each language in its own words
        ]
        for pattern in codes {
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let places = HainanCounty.all.flatMap { [$0.name, $0.city] }
        for name in (names + sampleStrings + places).sorted(by: { $0.count > $1.count }) where name.count >= 2 {
            rest = rest.replacingOccurrences(of: name, with: " ")
        }
        let other = language == .zh ? #"[A-Za-z]{2,}"# : #"[\p{Han}]+"#
        let regex = try! NSRegularExpression(pattern: other)
        return regex.matches(in: rest, range: NSRange(rest.startIndex..., in: rest)).map { String(rest[Range($0.range, in: rest)!]) }
    }

    @Test func everyPageIsInOneLanguage() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let reviewer = try web.person(.reviewer, hint: "rev")
        let admin = try web.person(.admin, hint: "adm")
        // The modules' declarations, as a running coordinator records them: criterion titles and module names.
        try DeclarationRecords.record(Array(try await BuiltInModules.modules().descriptors.values), by: "test", on: web.superuser)
        let reviewed = try web.file(county: WebFixture.countyA)
        try web.review(reviewed)
        let waiting = try web.file(county: WebFixture.countyA)
        let (recognized, noticed) = try PublicFixture.recognizedAndUnderNotice(web)
        // The reviewer's pages of stage 4: a notice with an objection, a correction's differences,
        // a proposed revocation.
        let reviewing = try web.connect(as: reviewer)
        try Lifecycle(reviewing).fileObjection(filing: noticed.filing, by: "海口某企业", reason: "产值数据与统计年报不符")
        let returned = try web.file(county: WebFixture.countyA)
        try web.review(returned, findings: [("COMP-2", "fail")])
        try Lifecycle(reviewing).decide(filing: returned, .return, note: "请更正后重报")
        let corrected = try TestDoor.file(try WebFixture.sample(county: WebFixture.countyA), supersedes: returned, on: web.superuser,
                                          checkingOn: web.superuser)
        try web.review(corrected, findings: [("COMP-2", "pass")])
        let cluster: Int64 = try web.superuser.queryRow("SELECT id FROM clusters WHERE filing_id = $1", recognized.filing).decode("id")
        try Lifecycle(reviewing).flagFalseFiling(cluster: cluster, filing: recognized.filing, note: "企业名单中两家企业系虚构")
        reviewing.close()
        let administering = try web.connect(as: admin)
        _ = try Sweep(administering).run()
        administering.close()
        // An expert on the panel of the reviewed filing (stage 4, item 3), with a score saved.
        let expert = try web.person(.expert, hint: "exp")
        let others = try (0..<2).map { _ in try web.person(.expert, hint: "exp") }
        for login in [expert.login] + others.map(\.login) {
            try Experts.register(login, fields: ["aerospace"], homeCounty: WebFixture.countyB, on: web.superuser)
        }
        try Panels.form(filing: reviewed, experts: [expert.login] + others.map(\.login), on: web.superuser)
        let scoring = try web.connect(as: expert)
        try Panels.score(filing: reviewed, criterion: "COMP-1", score: 80, verdict: "agree", note: "材料充分", on: scoring)
        scoring.close()
        // Another member who has submitted: their page shows the panel's summary.
        let submitting = try web.connect(as: others[0])
        try Panels.score(filing: reviewed, criterion: "COMP-1", score: 60, verdict: "disagree", note: "依据不足", on: submitting)
        try Panels.submit(filing: reviewed, on: submitting)
        submitting.close()
        let clusterNames: [String] = try web.superuser.query("SELECT cluster_name FROM filings").rows.map { try $0.decode("cluster_name") }
        // The fixture's review names its rulebook hash `fixture`.
        // What people wrote and who they are: notes, grounds, the fixture's own reviewer.
        let written: [String] = try web.superuser.query("""
            SELECT confirmed_by AS t FROM confirmations UNION SELECT note FROM confirmations UNION SELECT decided_by FROM decisions
            UNION SELECT note FROM decisions UNION SELECT note FROM false_filing_flags
            """).rows.map { try $0.decode("t") }
        let names = clusterNames + written + [county.login, reviewer.login, admin.login, expert.login] + others.map(\.login) + ["fixture", "材料充分", "依据不足", "海口某企业", "产值数据与统计年报不符"]
        let visits: [(who: Person?, paths: [String])] = [
            (nil, ["/sign-in", "/public/notices", "/public/register"]),
            (county, ["/", "/filings", "/filings/\(reviewed)", "/filings/\(waiting)", "/register", "/notifications"]),
            (reviewer, ["/", "/filings", "/filings/\(reviewed)", "/register", "/filings/\(noticed.filing)", "/filings/\(corrected)",
                        "/filings/\(corrected)/diff", "/notifications"]),
            (admin, ["/", "/admin/modules", "/admin/sweeps", "/admin/rounds", "/admin/logins", "/notifications"]),
            (expert, ["/", "/panels", "/panels/\(reviewed)", "/notifications"]),
            (others[0], ["/panels/\(reviewed)"]),
        ]
        var found: [String] = []
        for language in Language.allCases {
            for visit in visits {
                var browser = web.browser()
                if let who = visit.who { browser = try await web.signedIn(who) }
                for path in visit.paths {
                    let target: String = path + (path.contains("?") ? "&" : "?") + "lang=" + language.rawValue
                    let page = try await browser.get(target)
                    #expect(page.status == 200, "\(path): \(page.status)")
                    let text = Self.visibleText(page.text)
                    // The logins page lists every login of the server (other tests' too): each row names its login.
                    let logins = page.text.matches(of: #/data-login="([a-z0-9_]+)"/#).map { String($0.output.1) }
                    let words = Self.foreign(text, language: language, names: names + logins)
                    if let first = words.first, let at = text.range(of: first) {
                        let start: String.Index = text.index(at.lowerBound, offsetBy: -60, limitedBy: text.startIndex) ?? text.startIndex
                        let context = String(text[start..<at.upperBound])
                        found.append("\(language) \(visit.who?.login ?? "anonymous") \(path): \(Array(Set(words)).sorted()) in “…\(context)”")
                    }
                }
            }
        }
        #expect(found.isEmpty, "pages in two languages:\n\(found.joined(separator: "\n"))")
    }
}
