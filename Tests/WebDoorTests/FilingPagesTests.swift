import ClusterStandard
import Foundation
import HTTPTestSupport
import IndicatorKit
import JSONCore
import Postgres
import Reports
import ReviewCore
import Rulebooks
import TestSupport
import Testing
import WebDoor

/// A county's filing journey over HTTP (no browser): upload or paste → the self-check of
/// `evaluate` (the built-in modules' worker processes) → submit through the submission door as
/// the person → follow it; the blank templates; refusals.
@Suite(.serialized) struct FilingPagesTests {
    /// A county browser on a door that runs self-checks. A self-check waits for the built-in
    /// modules' single workers, which the whole test run shares: a hang is taken only after 10
    /// minutes without an answer.
    static func countyA() async throws -> (WebFixture, Browser, Person) {
        let web = try await WebFixture.start(selfCheck: true)
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let browser = try await web.signedIn(county)
        browser.hangAfter = 600
        return (web, browser, county)
    }

    static func token(_ browser: Browser) async throws -> String {
        try Browser.formToken(in: try await browser.get("/filings/new").text)
    }

    /// `data` with the cluster's name replaced.
    static func renamed(_ data: Data, _ name: String) throws -> Data {
        guard case .object(var root) = try JSONValue(parsing: data), case .object(var cluster)? = root["cluster"] else {
            throw PostgresError.client("not a filing")
        }
        cluster["name"] = .string(name)
        root["cluster"] = .object(cluster)
        return try JSONEncoder().encode(JSONValue.object(root))
    }

    @Test func theFilingPageOffersAnUploadAPasteAndTheTemplates() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let page = try await browser.get("/filings/new")
        #expect(page.status == 200)
        #expect(page.text.contains(#"enctype="multipart/form-data""#))
        #expect(page.text.contains(#"type="file" name="file""#))
        #expect(page.text.contains(#"<textarea name="text""#))
        for kind in FilingKind.allCases { #expect(page.text.contains(#"href="/templates/\#(kind.rawValue)""#)) }
        #expect(try await browser.get("/filings").text.contains(#"href="/filings/new""#), "the county's navigation links to it")
    }

    @Test func uploadingAValidFilingShowsTheSelfCheckAndTheSubmitForm() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyA, name: "自查集群")
        let before = try web.snapshot()
        let response = try await browser.postMultipart("/filings/new", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("file", "mine.json", filing), ("text", nil, Data()),
        ])
        #expect(response.status == 200, "\(response.text.prefix(2000))")
        #expect(response.text.contains(#"id="self-check""#), "the county's self-check notice")
        #expect(response.text.contains(#"id="recommendation""#))
        #expect(response.text.contains("自查集群"))
        #expect(response.text.contains(#"action="/filings""#) && response.text.contains(#"name="filing""#))
        #expect(response.text.contains(#"name="reference" value="mine.json""#))
        #expect(try web.snapshot() == before, "a self-check writes nothing")
    }

    @Test func theSelfCheckIsTheSameAsEvaluates() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyA, name: "同一自查")
        let response = try await browser.postMultipart("/filings/new?lang=en", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("text", nil, filing),
        ])
        #expect(response.status == 200)
        let library = try RulebookLibrary.load(contentsOf: try TestCluster.installation.configDirectory.appendingPathComponent("parameters.json"))
        guard case .evaluated(let evaluated) = try await OfflineSelfCheck.run(
            filing, id: "filing", rulebooks: library, modules: try await BuiltInModules.modules())
        else { Issue.record("the sample is valid"); return }
        let recommendation = SelfCheck.result(evaluated.report.recommendation).en
        #expect(response.text.contains(Markup.escape(recommendation)), "the recommendation \(recommendation)")
        for finding in evaluated.completed.findings {
            #expect(response.text.contains(finding.finding.criterion), "criterion \(finding.finding.criterion)")
        }
    }

    /// The text has LF and CRLF line ends (a browser sends a textarea with CRLF).
    @Test(arguments: [Language.zh, .en])
    func pastingAnInvalidFilingListsEachErrorWithItsPathInThePagesLanguage(_ language: Language) async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        var text = String(decoding: try WebFixture.sample(county: WebFixture.countyA), as: UTF8.self)
        text = text.replacingOccurrences(of: #""filing_date":"#, with: #""filing_date": "不是日期",\#r\#n "x_unknown":"#)
        text = text.replacingOccurrences(of: #""applicant":"#, with: "\n\n\"applicant\":")
        let data = Data(text.utf8)
        guard case .failure(let failure) = FilingValidator.decode(data) else { Issue.record("the filing should be invalid"); return }
        let response = try await browser.postMultipart("/filings/new?lang=\(language.rawValue)", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("text", nil, data),
        ])
        #expect(response.status == 422)
        #expect(response.text.contains(#"id="issues""#))
        for issue in failure.issues {
            #expect(response.text.contains(#"data-path="\#(Markup.escape(issue.path))""#), "\(issue.path)")
            #expect(response.text.contains(Markup.escape(issue.message.text(in: language))), "\(issue.path): its message")
            let other: Language = language == .en ? .zh : .en
            #expect(!response.text.contains(Markup.escape(issue.message.text(in: other))), "\(issue.path): one language")
            // Pinned to the line of its field: the parser's position, else where its path is written.
            let line = try #require(issue.position?.line ?? Self.lineOf(issue.path, in: text), "\(issue.path) is written somewhere")
            #expect(response.text.contains("href=\"#line-\(line)\""), "\(issue.path) links to line \(line)")
            #expect(response.text.contains(#"<li id="line-\#(line)" class="flagged">"#), "line \(line) is marked")
        }
        #expect(!response.text.contains(#"action="/filings""#), "an invalid filing cannot be submitted")
        #expect(response.text.contains("不是日期"), "the pasted text comes back to be corrected")
    }

    /// The line (from 1) of the first `"key"` of a path's last member in `text` (the test's own,
    /// simple finder: each key the test breaks occurs once).
    static func lineOf(_ path: String, in text: String) -> Int? {
        let key = path.split(separator: ".").last.map(String.init) ?? path
        guard let range = text.range(of: "\"\(key)\"") else { return nil }
        return text[..<range.lowerBound].filter { $0 == "\n" }.count + 1
    }

    @Test func sendingNothingIsAskedAgain() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let response = try await browser.postMultipart("/filings/new", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("file", "", Data()), ("text", nil, Data("  \r\n".utf8)),
        ])
        #expect(response.status == 422)
        #expect(response.text.contains("未收到申报内容"))
    }

    @Test func submittingFilesThroughTheDoorAndTheCountyFollowsIt() async throws {
        let (web, browser, county) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyA, name: "网页提交集群")
        let sent = try await browser.postMultipart("/filings", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("filing", nil, filing), ("reference", nil, Data("mine.json".utf8)),
        ])
        #expect(sent.status == 303)
        let location = try #require(sent.header("Location"))
        #expect(location.hasPrefix("/submissions/"))
        let waiting = try await browser.get(location)
        #expect(waiting.status == 200)
        #expect(waiting.text.contains("已收到") && waiting.text.contains(#"http-equiv="refresh""#))
        #expect(waiting.text.contains("mine.json"))
        let row = try web.superuser.queryRow(
            "SELECT submitted_by, county_code, client_reference FROM submissions WHERE id = $1", Int64(location.split(separator: "/").last!)!)
        #expect(try row.decode("submitted_by", as: String.self) == county.login, "the database names the person")
        #expect(try row.decode("county_code", as: String.self) == WebFixture.countyA)
        _ = try SubmissionIntake.checkPending(on: web.superuser)
        let filed = try await browser.get(location)
        #expect(filed.status == 303)
        let filingPath = try #require(filed.header("Location"))
        #expect(filingPath.hasPrefix("/filings/"))
        let page = try await browser.get(filingPath)
        #expect(page.status == 200 && page.text.contains("网页提交集群"))
        #expect(page.text.contains("等待机器审查"), "queued for the machine review")
        let other = try await web.signedIn(try web.person(.county(WebFixture.countyB), hint: "ctyb"))
        #expect(try await other.get(location).status == 404, "another county's submission")
        #expect(try await other.get(filingPath).status == 404, "another county's filing")
    }

    @Test func aFilingForAnotherCountyIsRefusedWithTheDoorsReason() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyB)
        let sent = try await browser.postMultipart("/filings", [("csrf", nil, Data(try await Self.token(browser).utf8)), ("filing", nil, filing)])
        let location = try #require(sent.header("Location"))
        _ = try SubmissionIntake.checkPending(on: web.superuser)
        let page = try await browser.get(location)
        #expect(page.status == 200)
        #expect(page.text.contains("申报入口拒绝了该申报"))
        #expect(page.text.contains(#"data-path="$.applicant.county_code""#))
        #expect(page.text.contains("只能为本县"))
        #expect(!page.text.contains(#"http-equiv="refresh""#), "a verdict does not reload")
    }

    @Test func theSameFilingAgainLeadsToTheFilingOnFile() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyA)
        var filings: [String] = []
        for _ in 0..<2 {
            let sent = try await browser.postMultipart("/filings", [("csrf", nil, Data(try await Self.token(browser).utf8)), ("filing", nil, filing)])
            _ = try SubmissionIntake.checkPending(on: web.superuser)
            let submission = try #require(sent.header("Location"))
            let followed = try await browser.get(submission)
            filings.append(try #require(followed.header("Location")))
        }
        #expect(filings[0] == filings[1])
    }

    enum Form: String, CaseIterable, CustomTestStringConvertible {
        case check, submit
        var testDescription: String { rawValue }
    }

    @Test(arguments: Form.allCases)
    func withoutTheFormTokenNothingIsCheckedOrWritten(_ form: Form) async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let filing = try WebFixture.sample(county: WebFixture.countyA)
        let before = try web.snapshot()
        let target = form == .check ? "/filings/new" : "/filings"
        let missing = try await browser.postMultipart(target, [(form == .check ? "text" : "filing", nil, filing)])
        #expect(missing.status == 403)
        let wrong = try await browser.postMultipart(target, [
            ("csrf", nil, Data(String(repeating: "A", count: 43).utf8)), (form == .check ? "text" : "filing", nil, filing),
        ])
        #expect(wrong.status == 403)
        #expect(!wrong.text.contains(#"id="recommendation""#))
        #expect(try web.snapshot() == before)
    }

    @Test func aReviewerDoesNotFile() async throws {
        let web = try await WebFixture.start(selfCheck: true)
        defer { Task { await web.stop() } }
        let reviewer = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        #expect(try await reviewer.get("/filings/new").status == 403)
        let token = try Browser.formToken(in: try await reviewer.get("/filings").text)
        let before = try web.snapshot()
        let sent = try await reviewer.postMultipart("/filings", [
            ("csrf", nil, Data(token.utf8)), ("filing", nil, try WebFixture.sample(county: WebFixture.countyA)),
        ])
        #expect(sent.status == 403)
        #expect(try web.snapshot() == before)
    }

    @Test func anUploadOverTheBodyLimitIs413InBothLanguages() async throws {
        let web = try await WebFixture.start(selfCheck: true, maxBodyBytes: 64 * 1024)
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "cty"))
        let token = try await Self.token(browser)
        let before = try web.snapshot()
        let response = try await browser.postMultipart("/filings", [
            ("csrf", nil, Data(token.utf8)), ("filing", "big.json", Data(repeating: UInt8(ascii: " "), count: 65 * 1024)),
        ])
        #expect(response.status == 413)
        #expect(response.text.contains("请求内容过大") && response.text.contains("Content Too Large"))
        #expect(try web.snapshot() == before)
    }

    @Test func aFilingsHostileTextIsShownOnlyEscaped() async throws {
        let (web, browser, _) = try await Self.countyA()
        defer { Task { await web.stop() } }
        let hostile = #"<script>alert(1)</script>"><img src=x onerror=alert(2)>"#
        let valid = try Self.renamed(try WebFixture.sample(county: WebFixture.countyA), hostile)
        let checked = try await browser.postMultipart("/filings/new", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("file", "a<u>&.json", valid),
        ])
        #expect(checked.status == 200)
        var invalid = String(decoding: valid, as: UTF8.self)
        invalid = invalid.replacingOccurrences(of: #""filing_date":"#, with: #""</textarea><script>x()</script>": 1, "filing_date":"#)
        let refused = try await browser.postMultipart("/filings/new", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("text", nil, Data(invalid.utf8)),
        ])
        #expect(refused.status == 422)
        for page in [checked.text, refused.text] {
            #expect(!page.contains("<script"), "a script tag")
            #expect(!page.contains("<img"), "an image tag")
            #expect(!page.contains("</textarea><script"), "the textarea closed early")
            #expect(!page.contains("<u>"), "the file's name as markup")
        }
        #expect(checked.text.contains(Markup.escape(hostile)))
        #expect(checked.text.contains(#"name="reference" value="a&lt;u&gt;&amp;.json""#), "the file's name, escaped")
    }

    @Test func eachTemplateDownloadsAsTheTemplateCommandPrintsIt() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "cty"))
        for kind in FilingKind.allCases {
            let response = try await browser.get("/templates/\(kind.rawValue)")
            #expect(response.status == 200)
            #expect(response.header("Content-Type") == "application/json; charset=utf-8")
            #expect(response.header("Content-Disposition") == "attachment; filename=\"\(kind.rawValue).json\"")
            let printed = try await CLIProcess.run(["template", kind.rawValue])
            #expect(response.text == printed.stdout, "\(kind.rawValue)")
        }
        #expect(try await browser.get("/templates/nothing").status == 404)
        #expect(try await browser.get("/templates/..%2Fetc").status >= 400)
    }

    @Test func withoutModulesTheSelfCheckSaysItIsUnavailable() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "cty"))
        let response = try await browser.postMultipart("/filings/new", [
            ("csrf", nil, Data(try await Self.token(browser).utf8)), ("text", nil, try WebFixture.sample(county: WebFixture.countyA)),
        ])
        #expect(response.status == 503)
        #expect(response.text.contains("自查暂不可用"))
    }
}
