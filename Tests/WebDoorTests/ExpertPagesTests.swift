import Foundation
import HTTPTestSupport
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// An expert's pages (issue 19, the expert's pages): the filings of the expert's panels and the
/// scoring form, through the same `Panels` functions as `cluster-review score`; the other members'
/// scores hidden by the database until the expert's own are submitted.
@Suite struct ExpertPagesTests {
    struct Panel {
        var web: WebFixture
        var experts: [Person]
        var filing: Int64
        var other: Int64
    }

    /// A filing reviewed with two manual findings and a panel of three experts from another county;
    /// a second reviewed filing without a panel.
    static func panel() async throws -> Panel {
        let web = try await WebFixture.start()
        let experts = try (0..<3).map { _ in try web.person(.expert, hint: "exp") }
        for expert in experts { try Experts.register(expert.login, fields: ["aerospace"], homeCounty: WebFixture.countyB, on: web.superuser) }
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing, findings: [("COMP-1", "manual"), ("COMP-3", "manual"), ("COMP-2", "pass")])
        try Panels.form(filing: filing, experts: experts.map(\.login), on: web.superuser)
        let other = try web.file(county: WebFixture.countyA)
        try web.review(other)
        return Panel(web: web, experts: experts, filing: filing, other: other)
    }

    func scores(_ panel: Panel, of expert: Person) throws -> [String] {
        try panel.web.superuser.query("""
            SELECT s.criterion || ' ' || s.score || ' ' || s.verdict || ' ' || s.note AS line FROM expert_scores s
            JOIN panels p ON p.id = s.panel_id WHERE p.filing_id = $1 AND s.expert = $2 ORDER BY s.criterion
            """, panel.filing, expert.login).rows.map { try $0.decode("line") }
    }

    @Test func anExpertSeesTheFilingsOfItsPanelsAndNoOther() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let browser = try await panel.web.signedIn(panel.experts[0])
        let home = try await browser.get("/").text
        #expect(home.contains(#"href="/panels""#), "the expert's navigation")
        let list = try await browser.get("/panels")
        #expect(list.status == 200)
        #expect(list.text.contains(#"href="/panels/\#(panel.filing)""#) && !list.text.contains("/panels/\(panel.other)\""))
        #expect(try await browser.get("/panels/\(panel.other)").status == 404)
        #expect(try await browser.get("/panels/999999").status == 404)
    }

    /// Another member's scores, submitted.
    func otherSubmits(_ panel: Panel) throws {
        let connection = try panel.web.connect(as: panel.experts[1])
        defer { connection.close() }
        for criterion in ["COMP-1", "COMP-3"] {
            try Panels.score(filing: panel.filing, criterion: criterion, score: 70, verdict: "agree", note: "另一位专家的意见", on: connection)
        }
        try Panels.submit(filing: panel.filing, on: connection)
    }

    @Test func anExpertsScoresAreSavedThroughTheFormAsTheExpertAndShownAgain() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let me = panel.experts[0]
        let browser = try await panel.web.signedIn(me)
        let page = try await browser.get("/panels/\(panel.filing)").text
        #expect(page.contains(#"name="score:COMP-1""#) && page.contains(#"name="verdict:COMP-3""#))
        #expect(!page.contains(#"name="score:COMP-2""#), "only the criteria left for a person")
        let saved = try await browser.post("/panels/\(panel.filing)", [
            ("csrf", try Browser.formToken(in: page)), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "品牌材料充分"),
            ("score:COMP-3", "40"), ("verdict:COMP-3", "disagree"), ("note:COMP-3", "排名依据不足"),
        ])
        #expect(saved.status == 303)
        #expect(saved.header("Location") == "/panels/\(panel.filing)#scores")
        #expect(try scores(panel, of: me) == ["COMP-1 85 agree 品牌材料充分", "COMP-3 40 disagree 排名依据不足"])
        let again = try await browser.get("/panels/\(panel.filing)").text
        #expect(again.contains(#"value="85""#) && again.contains("排名依据不足"))
        let audited = try panel.web.superuser.query(
            "SELECT DISTINCT who FROM audit_log WHERE table_name = 'expert_scores' AND after ->> 'expert' = $1", me.login
        ).rows.map { try $0.decode("who", as: String.self) }
        #expect(audited == [me.login], "the audit log names the expert, never cr_web")
    }

    @Test func theOtherExpertsScoresShowOnlyOnceOnesOwnAreSubmitted() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        try otherSubmits(panel)
        let browser = try await panel.web.signedIn(panel.experts[0])
        let page = try await browser.get("/panels/\(panel.filing)").text
        #expect(page.contains("其他专家的评分在您提交之后显示"))
        #expect(!page.contains("另一位专家的意见") && !page.contains(#"id="others""#), "the database hides the others' scores")
        let token = try Browser.formToken(in: page)
        #expect(try await browser.post("/panels/\(panel.filing)", [
            ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "品牌材料充分"),
            ("score:COMP-3", "40"), ("verdict:COMP-3", "disagree"), ("note:COMP-3", "排名依据不足"),
        ]).status == 303)
        #expect(!(try await browser.get("/panels/\(panel.filing)").text.contains("另一位专家的意见")), "saved, not submitted: still hidden")
        let submitted = try await browser.post("/panels/\(panel.filing)/submission", [("csrf", token)])
        #expect(submitted.status == 303)
        let after = try await browser.get("/panels/\(panel.filing)").text
        #expect(after.contains("您已提交评分") && !after.contains(#"name="score:COMP-1""#), "final: no form")
        #expect(after.contains(#"id="others""#) && after.contains("另一位专家的意见"), "the others' scores show once submitted")
        let list = try await browser.get("/panels").text
        #expect(list.contains("已提交"), "the list says where the expert stands")
    }

    @Test func thePanelsSummaryShowsOnceOnesOwnScoresAreSubmittedAsTheReviewerSeesIt() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        try otherSubmits(panel)
        let browser = try await panel.web.signedIn(panel.experts[0])
        let page = try await browser.get("/panels/\(panel.filing)").text
        #expect(!page.contains(#"id="summary""#) && !page.contains("专家组：中位数"), "no median or spread before one's own are submitted")
        #expect(page.contains("专家组汇总（中位数与极差）同样在您提交之后显示"))
        let token = try Browser.formToken(in: page)
        #expect(try await browser.post("/panels/\(panel.filing)", [
            ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "品牌材料充分"),
            ("score:COMP-3", "40"), ("verdict:COMP-3", "disagree"), ("note:COMP-3", "排名依据不足"),
        ]).status == 303)
        #expect(!(try await browser.get("/panels/\(panel.filing)").text.contains(#"id="summary""#)), "saved, not submitted: no summary")
        #expect(try await browser.post("/panels/\(panel.filing)/submission", [("csrf", token)]).status == 303)
        let after = try await browser.get("/panels/\(panel.filing)").text
        // The two submitted members: COMP-1 70 and 85, COMP-3 70 and 40 (spread 30 > the bound 20).
        #expect(after.contains(#"<p class="panel-result" data-criterion="COMP-1"><strong class="criterion">COMP-1</strong> 专家组：中位数 77.5，极差 15（70–85），认可 2 / 不认可 0，已评 2/3</p>"#))
        #expect(after.contains(#"<p class="panel-result flagged" data-criterion="COMP-3">"#) && after.contains("分歧较大，需讨论"))
        let english = try await browser.get("/panels/\(panel.filing)?lang=en").text
        #expect(english.contains("Panel: median 77.5, spread 15 (70–85), agree 2 / disagree 0, scored 2/3"))
        // The reviewer's page shows the same line beside the finding.
        let reviewer = try await panel.web.signedIn(try panel.web.person(.reviewer, hint: "rev"))
        #expect(try await reviewer.get("/filings/\(panel.filing)").text.contains("专家组：中位数 77.5，极差 15（70–85），认可 2 / 不认可 0，已评 2/3"))
    }

    @Test func aCriterionTheDatabaseRefusesSavesNoneAndSaysWhyInThePagesLanguage() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let browser = try await panel.web.signedIn(panel.experts[0])
        let token = try Browser.formToken(in: try await browser.get("/panels/\(panel.filing)").text)
        let before = try panel.web.snapshot()
        // COMP-2 passed by the machine: not the panel's to score (score_criterion refuses, CR002).
        let response = try await browser.post("/panels/\(panel.filing)?lang=en", [
            ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "enough"),
            ("score:COMP-2", "60"), ("verdict:COMP-2", "agree"), ("note:COMP-2", "x"),
        ])
        #expect(response.status == 409)
        #expect(response.text.contains(#"role="alert" data-criterion="COMP-2""#))
        #expect(response.text.contains("has no manual finding COMP-2") && !response.text.contains("没有需人工判断的指标"))
        #expect(try panel.web.snapshot() == before, "all or none: COMP-1 is not saved either")
    }

    @Test func hostileTextInANoteIsShownEscaped() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let browser = try await panel.web.signedIn(panel.experts[0])
        let token = try Browser.formToken(in: try await browser.get("/panels/\(panel.filing)").text)
        let hostile = #"</textarea><script>alert("x")</script><img src=x onerror=alert(1)>"#
        #expect(try await browser.post("/panels/\(panel.filing)", [
            ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", hostile),
        ]).status == 303)
        let page = try await browser.get("/panels/\(panel.filing)").text
        #expect(!page.contains("<script>") && !page.contains("<img src=x"))
        #expect(page.contains("&lt;/textarea&gt;&lt;script&gt;"))
    }

    @Test(arguments: ["101", "-1", "八十"])
    func aScoreOutsideZeroToAHundredIsRefusedAndNothingIsWritten(_ score: String) async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let browser = try await panel.web.signedIn(panel.experts[0])
        let token = try Browser.formToken(in: try await browser.get("/panels/\(panel.filing)").text)
        let before = try panel.web.snapshot()
        let response = try await browser.post("/panels/\(panel.filing)", [
            ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "充分"),
            ("score:COMP-3", score), ("verdict:COMP-3", "agree"), ("note:COMP-3", "x"),
        ])
        #expect(response.status == 422)
        #expect(response.text.contains(#"role="alert" data-criterion="COMP-3""#))
        #expect(try panel.web.snapshot() == before)
    }

    @Test func submittingBeforeScoringEveryCriterionIsRefusedByTheDatabase() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let browser = try await panel.web.signedIn(panel.experts[0])
        let token = try Browser.formToken(in: try await browser.get("/panels/\(panel.filing)").text)
        let before = try panel.web.snapshot()
        let response = try await browser.post("/panels/\(panel.filing)/submission", [("csrf", token)])
        #expect(response.status == 409)
        #expect(response.text.contains("未执行"))
        #expect(try panel.web.snapshot() == before)
    }

    @Test func nobodyElseReachesTheScoringFormAndAFormWithoutTheTokenIsRefused() async throws {
        let panel = try await Self.panel()
        defer { Task { await panel.web.stop() } }
        let web = panel.web
        let county = try await web.signedIn(try web.person(.county(WebFixture.countyA)))
        let reviewer = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        let outsider = try web.person(.expert, hint: "out")
        try Experts.register(outsider.login, fields: ["tea"], homeCounty: WebFixture.countyB, on: web.superuser)
        let expert = try await web.signedIn(outsider)
        #expect(try await county.get("/panels").status == 403)
        #expect(try await county.get("/panels/\(panel.filing)").status == 404)
        #expect(try await reviewer.get("/panels/\(panel.filing)").status == 404)
        #expect(try await expert.get("/panels/\(panel.filing)").status == 404, "an expert of no panel of it")
        let before = try web.snapshot()
        for browser in [county, expert] {
            let token = try Browser.formToken(in: try await browser.get("/").text)
            let response = try await browser.post("/panels/\(panel.filing)", [
                ("csrf", token), ("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "x"),
            ])
            #expect(response.status == (browser === county ? 403 : 404), "\(response.status)")
        }
        let member = try await web.signedIn(panel.experts[0])
        let missing = try await member.post("/panels/\(panel.filing)", [("score:COMP-1", "85"), ("verdict:COMP-1", "agree"), ("note:COMP-1", "x")])
        #expect(missing.status == 403)
        let unsigned = try await member.post("/panels/\(panel.filing)/submission", [("csrf", "forged")])
        #expect(unsigned.status == 403)
        #expect(try web.snapshot() == before)
    }
}
