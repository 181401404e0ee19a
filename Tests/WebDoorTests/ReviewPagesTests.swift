import Foundation
import HTTPTestSupport
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// A reviewer's steps on a filing's page (issue 19, stage 4): several findings confirmed at once,
/// the decision with grounds, the public notice with its objections and its close → recognition,
/// a correction's differences, the sweep's proposals — each through the lifecycle functions as the
/// person, its refusals shown in the page's language with nothing written.
@Suite struct ReviewPagesTests {
    /// A door, a reviewer signed in, a filing reviewed with `findings`, and its page's form token.
    struct Desk {
        var web: WebFixture
        var reviewer: Person
        var browser: Browser
        var filing: Int64
        var token: String
    }

    static func desk(_ findings: [(String, String)] = [("COMP-1", "manual"), ("COMP-3", "manual"), ("VETO-1", "warn"), ("COMP-2", "pass")]) async throws -> Desk {
        let web = try await WebFixture.start()
        let reviewer = try web.person(.reviewer, hint: "rev")
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing, findings: findings)
        let browser = try await web.signedIn(reviewer)
        let token = try Browser.formToken(in: try await browser.get("/filings/\(filing)").text)
        return Desk(web: web, reviewer: reviewer, browser: browser, filing: filing, token: token)
    }

    func confirmations(_ desk: Desk) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try desk.web.superuser.query(
            "SELECT criterion, accepted::text AS accepted, note FROM confirmations WHERE filing_id = $1", desk.filing).rows {
            result[try row.decode("criterion")] = try row.decode("accepted", as: String.self) + " " + (try row.decode("note", as: String.self))
        }
        return result
    }

    // MARK: confirmations

    @Test func aReviewerConfirmsSeveralFindingsAtOnceEachWithItsOwnNote() async throws {
        let desk = try await Self.desk()
        defer { Task { await desk.web.stop() } }
        let page = try await desk.browser.get("/filings/\(desk.filing)").text
        #expect(page.contains(#"name="decision:COMP-1""#) && page.contains(#"name="note:VETO-1""#), "one form, a word and a note per finding")
        let response = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [
            ("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "实地核查属实"),
            ("decision:COMP-3", "reject"), ("note:COMP-3", "排名依据不足"),
            ("decision:VETO-1", "accept"), ("note:VETO-1", "一般事故已整改"),
        ])
        #expect(response.status == 303)
        #expect(response.header("Location") == "/filings/\(desk.filing)#confirm")
        #expect(try confirmations(desk) == ["COMP-1": "true 实地核查属实", "COMP-3": "false 排名依据不足", "VETO-1": "true 一般事故已整改"])
        let audited = try desk.web.superuser.query(
            "SELECT DISTINCT who FROM audit_log WHERE table_name = 'confirmations' AND after ->> 'filing_id' = $1::text", desk.filing
        ).rows.map { try $0.decode("who", as: String.self) }
        #expect(audited == [desk.reviewer.login])
    }

    @Test func aFindingLeftAtNotNowStaysAsItIs() async throws {
        let desk = try await Self.desk()
        defer { Task { await desk.web.stop() } }
        let response = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [
            ("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "属实"), ("decision:COMP-3", ""), ("note:COMP-3", ""),
        ])
        #expect(response.status == 303)
        #expect(try confirmations(desk) == ["COMP-1": "true 属实"])
        let after = try await desk.browser.get("/filings/\(desk.filing)").text
        #expect(after.contains(#"name="decision:COMP-3""#) && !after.contains(#"name="decision:COMP-1""#), "the form now holds what still waits")
    }

    @Test func oneRefusedFindingRecordsNoneAndTheReasonIsShownUnderIt() async throws {
        let desk = try await Self.desk()
        defer { Task { await desk.web.stop() } }
        let before = try desk.web.snapshot()
        // COMP-2 passed: there is nothing to confirm, and the database says so.
        let response = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [
            ("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "属实"), ("decision:COMP-2", "accept"), ("note:COMP-2", "通过"),
        ])
        #expect(response.status == 409)
        #expect(try desk.web.snapshot() == before, "all or nothing")
        #expect(response.text.contains("一项也未记录"))
        #expect(response.text.contains(#"role="alert" data-criterion="COMP-2""#), "the refused finding is named with its reason")
        #expect(response.text.contains(">属实</textarea>"), "what the reviewer wrote is kept")
    }

    @Test func aChosenFindingWithoutANoteIsRefusedBeforeTheDatabase() async throws {
        let desk = try await Self.desk()
        defer { Task { await desk.web.stop() } }
        let before = try desk.web.snapshot()
        let response = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [
            ("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "属实"), ("decision:COMP-3", "reject"), ("note:COMP-3", "  "),
        ])
        #expect(response.status == 422)
        #expect(response.text.contains("请为此项写明理由"))
        #expect(try desk.web.snapshot() == before)
        let none = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [("csrf", desk.token), ("decision:COMP-1", "")])
        #expect(none.status == 422 && none.text.contains("没有选择任何一项"))
    }

    @Test func thePanelsResultStandsBesideEachFinding() async throws {
        let desk = try await Self.desk()
        defer { Task { await desk.web.stop() } }
        let experts = try (0..<3).map { _ in try desk.web.person(.expert, hint: "exp") }
        for expert in experts { try Experts.register(expert.login, fields: ["aerospace"], homeCounty: WebFixture.countyB, on: desk.web.superuser) }
        try Panels.form(filing: desk.filing, experts: experts.map(\.login), on: desk.web.superuser)
        for (expert, score) in zip(experts, [40, 60, 95]) {
            let connection = try desk.web.connect(as: expert)
            defer { connection.close() }
            for criterion in ["COMP-1", "COMP-3"] {
                try Panels.score(filing: desk.filing, criterion: criterion, score: score, verdict: "agree", note: "依据材料", on: connection)
            }
            try Panels.submit(filing: desk.filing, on: connection)
        }
        let page = try await desk.browser.get("/filings/\(desk.filing)").text
        #expect(page.contains("专家组：中位数 60"), "the median beside the finding")
        #expect(page.contains("极差 55（40–95）"))
        #expect(page.contains("分歧较大，需讨论"), "a wide spread is flagged for discussion")
    }

    // MARK: the decision

    @Test(arguments: [Language.zh, Language.en])
    func approvingBeforeConfirmingIsRefusedInThePagesLanguageNamingEachFindingAndNothingIsWritten(_ language: Language) async throws {
        let desk = try await Self.desk([("COMP-9", "manual"), ("VETO-1", "warn"), ("COMP-2", "pass")])
        defer { Task { await desk.web.stop() } }
        _ = try await desk.browser.get("/filings/\(desk.filing)?lang=\(language.rawValue)")
        let before = try desk.web.snapshot()
        let response = try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "approve"), ("note", "符合认定条件"), ("grounds", ""),
        ])
        #expect(response.status == 409)
        #expect(try desk.web.snapshot() == before)
        let message = try #require(response.text.range(of: #"<p class="message error"[^>]*>[^<]*</p>"#, options: .regularExpression))
        let text = String(response.text[message])
        #expect(text.contains("COMP-9") && text.contains("VETO-1"), "\(text)")
        #expect(text.contains(language == .zh ? "未作决定" : "Not decided"), "\(text)")
        let other = language == .zh ? #"[A-Za-z]{4,}"# : #"\p{Han}"#
        let stripped = text.replacingOccurrences(of: #"<[^>]+>|[A-Z]{4}-\d+"#, with: " ", options: .regularExpression)
        #expect(stripped.range(of: other, options: .regularExpression) == nil, "one language: \(text)")
        #expect(response.text.contains(">符合认定条件</textarea>"), "the note is kept")
    }

    @Test func refusingWithoutGroundsIsRefusedAndNothingIsWritten() async throws {
        let desk = try await Self.desk([("COMP-2", "fail")])
        defer { Task { await desk.web.stop() } }
        let before = try desk.web.snapshot()
        let response = try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "refuse"), ("note", "不予认定"), ("grounds", ""),
        ])
        #expect(response.status == 409)
        #expect(response.text.contains("未作决定"))
        #expect(try desk.web.snapshot() == before)
        let refused = try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "refuse"), ("note", "不予认定"), ("grounds", "COMP-2：集群年产值不足 20 亿元"),
        ])
        #expect(refused.status == 303)
        #expect(try desk.web.superuser.queryRow("SELECT status FROM filings WHERE id = $1", desk.filing).decode("status", as: String.self) == "refused")
    }

    @Test func aWebDecisionIsAuditedAsThePersonNotTheAuthenticator() async throws {
        let desk = try await Self.desk([("COMP-1", "manual"), ("COMP-2", "pass")])
        defer { Task { await desk.web.stop() } }
        #expect(try await desk.browser.post("/filings/\(desk.filing)/confirmations", [
            ("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "属实"),
        ]).status == 303)
        let response = try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "approve"), ("note", "符合认定条件"),
        ])
        #expect(response.status == 303)
        #expect(response.header("Location") == "/filings/\(desk.filing)#decide")
        let audited = try desk.web.superuser.query(
            "SELECT who FROM audit_log WHERE table_name = 'decisions' AND after ->> 'filing_id' = $1::text", desk.filing
        ).rows.map { try $0.decode("who", as: String.self) }
        #expect(audited == [desk.reviewer.login], "the audit log names the reviewer, never cr_web")
        let decidedBy = try desk.web.superuser.queryRow("SELECT decided_by FROM decisions WHERE filing_id = $1", desk.filing)
            .decode("decided_by", as: String.self)
        #expect(decidedBy == desk.reviewer.login)
    }

    // MARK: the public notice

    @Test func theNoticeRunsWithItsDatesTakesAnObjectionResolvesItAndClosingRecognizes() async throws {
        let desk = try await Self.desk([("COMP-1", "manual"), ("COMP-2", "pass")])
        defer { Task { await desk.web.stop() } }
        let web = desk.web
        try DatabaseClock.simulate(CivilDate("2026-04-20")!, reason: "test: a simulated calendar", on: web.superuser)
        _ = try await desk.browser.post("/filings/\(desk.filing)/confirmations", [("csrf", desk.token), ("decision:COMP-1", "accept"), ("note:COMP-1", "属实")])
        #expect(try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "approve"), ("note", "符合认定条件"),
        ]).status == 303)
        let notice = try #require(try Lifecycle(web.superuser).notice(filing: desk.filing))
        try DatabaseClock.simulate(notice.startsOn, reason: "test: the notice's first day", on: web.superuser)
        let running = try await desk.browser.get("/filings/\(desk.filing)").text
        #expect(running.contains("公示期：\(notice.startsOn) 至 \(notice.endsOn)"))
        #expect(running.contains("公示中"))
        #expect(running.contains(#"action="/filings/\#(desk.filing)/objections""#))
        // An objection, then closing too early: refused, nothing written.
        #expect(try await desk.browser.post("/filings/\(desk.filing)/objections", [
            ("csrf", desk.token), ("by", "海口某企业"), ("reason", "产值数据与统计年报不符"), ("evidence", "2025 统计年报第 12 页\n现场照片"),
        ]).status == 303)
        let objection = try #require(try Lifecycle(web.superuser).notice(filing: desk.filing)?.objections.first)
        #expect(objection.objector == "海口某企业" && objection.state == "pending")
        try DatabaseClock.simulate(notice.endsOn.adding(days: 1), reason: "test: after the notice", on: web.superuser)
        let before = try web.snapshot()
        let early = try await desk.browser.post("/filings/\(desk.filing)/notice", [("csrf", desk.token)])
        #expect(early.status == 409, "an objection is pending")
        #expect(early.text.contains("未执行"))
        #expect(try web.snapshot() == before)
        #expect(try await desk.browser.post("/filings/\(desk.filing)/objections/\(objection.id)", [
            ("csrf", desk.token), ("outcome", "dismissed"), ("note", "经核实数据无误"),
        ]).status == 303)
        #expect(try Lifecycle(web.superuser).notice(filing: desk.filing)?.objections.first?.state == "dismissed")
        let closed = try await desk.browser.post("/filings/\(desk.filing)/notice", [("csrf", desk.token)])
        #expect(closed.status == 303)
        #expect(try web.superuser.queryRow("SELECT status FROM filings WHERE id = $1", desk.filing).decode("status", as: String.self) == "recognized")
        let name = try web.superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", desk.filing).decode("cluster_name", as: String.self)
        #expect(try await desk.browser.get("/register").text.contains(name))
        #expect(try await web.browser().get("/public/register").text.contains(name))
    }

    @Test func anObjectionOfAnotherFilingIsNotFound() async throws {
        let desk = try await Self.desk([("COMP-1", "manual")])
        defer { Task { await desk.web.stop() } }
        let response = try await desk.browser.post("/filings/\(desk.filing)/objections/999999", [
            ("csrf", desk.token), ("outcome", "dismissed"), ("note", "x"),
        ])
        #expect(response.status == 404)
    }

    @Test func hostileTextOfAnObjectionIsShownOnlyEscaped() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let (_, noticed) = try PublicFixture.recognizedAndUnderNotice(web)
        let browser = try await web.signedIn(reviewer)
        let token = try Browser.formToken(in: try await browser.get("/filings/\(noticed.filing)").text)
        let hostile = #"<script>alert("x")</script><img src=x onerror=alert(1)>"#
        #expect(try await browser.post("/filings/\(noticed.filing)/objections", [
            ("csrf", token), ("by", hostile), ("reason", "\"><b>粗体</b>"),
        ]).status == 303)
        let page = try await browser.get("/filings/\(noticed.filing)").text
        #expect(!page.contains("<script>") && !page.contains("<img src=x") && !page.contains("<b>粗体"))
        #expect(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
    }

    // MARK: who may

    @Test func aCountyCannotReachTheReviewersSteps() async throws {
        let desk = try await Self.desk([("COMP-1", "manual")])
        defer { Task { await desk.web.stop() } }
        let web = desk.web
        let county = try web.person(.county(WebFixture.countyA))
        let foreign = try web.file(county: WebFixture.countyB)
        try web.review(foreign)
        let browser = try await web.signedIn(county)
        let page = try await browser.get("/filings/\(desk.filing)").text
        #expect(!page.contains("/decision") && !page.contains("/confirmations") && !page.contains("/objections"), "no reviewer's form")
        let token = try Browser.formToken(in: page)
        let before = try web.snapshot()
        for (path, fields) in [
            ("/filings/\(desk.filing)/decision", [("decision", "approve"), ("note", "自己批准")]),
            ("/filings/\(desk.filing)/confirmations", [("decision:COMP-1", "accept"), ("note:COMP-1", "自己确认")]),
            ("/filings/\(desk.filing)/notice", []),
            ("/filings/\(foreign)/decision", [("decision", "approve"), ("note", "自己批准")]),
            ("/admin/sweeps/1", [("outcome", "dismiss"), ("note", "x")]),
        ] {
            let response = try await browser.post(path, [("csrf", token)] + fields)
            #expect(response.status == 403 || response.status == 404, "\(path): \(response.status)")
        }
        #expect(try web.snapshot() == before)
        #expect(try await browser.get("/filings/\(foreign)").status == 404)
        #expect(try await browser.get("/filings/\(foreign)/diff").status == 404, "ids do not leak")
    }

    @Test(arguments: ["decision", "objections", "notice", "confirmations"])
    func aReviewersStepWithoutTheFormTokenIsRefusedAndNothingIsWritten(_ step: String) async throws {
        let desk = try await Self.desk([("COMP-1", "manual")])
        defer { Task { await desk.web.stop() } }
        let before = try desk.web.snapshot()
        let response = try await desk.browser.post("/filings/\(desk.filing)/\(step)", [
            ("decision", "approve"), ("note", "x"), ("decision:COMP-1", "accept"), ("note:COMP-1", "x"), ("by", "x"), ("reason", "x"),
        ])
        #expect(response.status == 403)
        #expect(try desk.web.snapshot() == before)
    }

    // MARK: a correction

    @Test func aCorrectionsDifferencesAreTheSameAsReportDiff() async throws {
        let desk = try await Self.desk([("COMP-1", "fail")])
        defer { Task { await desk.web.stop() } }
        let web = desk.web
        #expect(try await desk.browser.post("/filings/\(desk.filing)/decision", [
            ("csrf", desk.token), ("decision", "return"), ("note", "企业名单有误，请更正后重报"),
        ]).status == 303)
        let corrected = try TestDoor.file(
            try WebFixture.sample(county: WebFixture.countyA, name: "更正后的集群 \(WebFixture.uniqueName("c"))"),
            supersedes: desk.filing, on: web.superuser, checkingOn: web.superuser)
        try web.review(corrected, findings: [("COMP-1", "pass")])
        let report = try await desk.browser.get("/filings/\(corrected)").text
        #expect(report.contains(#"href="/filings/\#(corrected)/diff""#))
        let page = try await desk.browser.get("/filings/\(corrected)/diff")
        #expect(page.status == 200)
        let diff = try CorrectionDiffs.diff(of: corrected, on: web.superuser)
        #expect(diff.changes.contains { $0.path == "$.cluster.name" })
        for change in diff.changes { #expect(page.text.contains(#"<tr data-path="\#(change.path)">"#)) }
        #expect(page.text.contains(#"<tr data-criterion="COMP-1"><td class="criterion">COMP-1</td><td class="verdict fail">"#))
        #expect(try await desk.browser.get("/filings/\(desk.filing)/diff").status == 404, "a filing that corrects nothing has no diff")
    }

    // MARK: the sweep's proposals

    @Test func anAdministratorConfirmsOrDismissesTheSweepsProposalsOnThePage() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let auditor = try web.person(.auditor, hint: "aud")
        let (recognized, _) = try PublicFixture.recognizedAndUnderNotice(web)
        let cluster: Int64 = try web.superuser.queryRow("SELECT id FROM clusters WHERE filing_id = $1", recognized.filing).decode("id")
        let reviewer = try web.person(.reviewer, hint: "rev")
        let reviewing = try web.connect(as: reviewer)
        try Lifecycle(reviewing).flagFalseFiling(cluster: cluster, filing: recognized.filing, note: "企业名单中两家企业系虚构")
        reviewing.close()
        let adminConnection = try web.connect(as: admin)
        _ = try Sweep(adminConnection).run()
        adminConnection.close()
        let action = try #require(try Sweep(web.superuser).actions(state: "proposed").first)
        let browser = try await web.signedIn(admin)
        let page = try await browser.get("/admin/sweeps").text
        #expect(page.contains(#"data-action="\#(action.id)""#) && page.contains("第十四条第（二）项"))
        #expect(page.contains(#"action="/admin/sweeps/\#(action.id)""#))
        let auditorPage = try await (try await web.signedIn(auditor)).get("/admin/sweeps").text
        #expect(auditorPage.contains(#"data-action="\#(action.id)""#) && !auditorPage.contains(#"action="/admin/sweeps/"#), "an auditor reads, never acts")
        let token = try Browser.formToken(in: page)
        let incomplete = try await browser.post("/admin/sweeps/\(action.id)", [("csrf", token), ("outcome", "dismiss"), ("note", "")])
        #expect(incomplete.status == 422)
        let response = try await browser.post("/admin/sweeps/\(action.id)", [("csrf", token), ("outcome", "dismiss"), ("note", "已核实，系笔误")])
        #expect(response.status == 303)
        #expect(try Sweep(web.superuser).actions(cluster: cluster).first { $0.id == action.id }?.state == "dismissed")
        let again = try await browser.post("/admin/sweeps/\(action.id)", [("csrf", token), ("outcome", "confirm"), ("note", "撤销")])
        #expect(again.status == 409, "already resolved: the database refuses, the page says why")
        let who = try web.superuser.query(
            "SELECT DISTINCT who FROM audit_log WHERE table_name = 'sweep_actions' AND row_key = $1::text AND operation = 'UPDATE'", action.id
        ).rows.map { try $0.decode("who", as: String.self) }
        #expect(who == [admin.login])
    }
}
