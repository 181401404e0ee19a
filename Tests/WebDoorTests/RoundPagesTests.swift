import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// The rounds on the web (issue 19, an administrator's pages; the rounds are issue 17's): staff read
/// them, an administrator opens and closes them through the same `Rounds` functions as the CLI,
/// with the database's refusals shown and nothing written.
@Suite struct RoundPagesTests {
    func rounds(_ web: WebFixture) throws -> [String] {
        try web.superuser.query("SELECT name || ' ' || array_to_string(kinds, ',') || ' ' || coalesce(closed_on::text, '-') AS line FROM rounds ORDER BY id")
            .rows.map { try $0.decode("line") }
    }

    func today(_ web: WebFixture) throws -> String {
        try web.superuser.queryRow("SELECT cr_today()::text AS d").decode("d")
    }

    @Test func anAdministratorOpensARoundThroughTheFormAndClosesItToday() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.admin, hint: "adm"))
        let page = try await browser.get("/admin/rounds")
        #expect(page.status == 200 && page.text.contains(#"id="open-round""#))
        let day = try today(web)
        let opened = try await browser.post("/admin/rounds", [
            ("csrf", try Browser.formToken(in: page.text)), ("name", "2026年第一批"), ("kind:initial", "on"),
            ("opens", day), ("closes", "2099-12-31"), ("per_county", "2"), ("total", ""),
        ])
        #expect(opened.status == 303)
        #expect(try rounds(web) == ["2026年第一批 initial -"])
        let listed = try await browser.get("/admin/rounds").text
        #expect(listed.contains("2026年第一批") && listed.contains("受理中"))
        let id: Int64 = try web.superuser.queryRow("SELECT id FROM rounds").decode("id")
        let closed = try await browser.post("/admin/rounds/\(id)/close", [("csrf", try Browser.formToken(in: listed))])
        #expect(closed.status == 303)
        #expect(try rounds(web) == ["2026年第一批 initial \(day)"])
    }

    @Test func aRefusedRoundShowsTheDatabasesReasonInThePagesLanguageAndWritesNothing() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.admin, hint: "adm"))
        let page = try await browser.get("/admin/rounds?lang=en").text
        let refused = try await browser.post("/admin/rounds?lang=en", [
            ("csrf", try Browser.formToken(in: page)), ("name", "backwards"), ("kind:initial", "on"),
            ("opens", "2099-12-31"), ("closes", "2099-01-01"),
        ])
        #expect(refused.status == 409)
        #expect(refused.text.contains(#"id="message""#) && !refused.text.contains("批次"), "the refusal in English")
        #expect(try rounds(web).isEmpty)
        let incomplete = try await browser.post("/admin/rounds", [("csrf", try Browser.formToken(in: page)), ("name", "no kinds"),
                                                                  ("opens", "2099-01-01"), ("closes", "2099-02-01")])
        #expect(incomplete.status == 422)
        #expect(try rounds(web).isEmpty)
    }

    @Test func aReviewerReadsTheRoundsButMayNotOpenOne() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        let page = try await browser.get("/admin/rounds")
        #expect(page.status == 200 && !page.text.contains(#"id="open-round""#))
        let refused = try await browser.post("/admin/rounds", [
            ("csrf", try Browser.formToken(in: page.text)), ("name", "mine"), ("kind:initial", "on"), ("opens", try today(web)), ("closes", "2099-12-31"),
        ])
        #expect(refused.status == 403)
        #expect(try rounds(web).isEmpty)
    }

    @Test func aCountyHasNoRoundsPageAndItsFormsAreRefused() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "cty"))
        #expect(try await browser.get("/admin/rounds").status == 404)
        let forged = try await browser.post("/admin/rounds", [("csrf", "forged"), ("name", "x"), ("kind:initial", "on")])
        #expect(forged.status == 403)
        #expect(try rounds(web).isEmpty)
    }
}

/// The reviewers' queue filtered by round (issue 19, the reviewer's queue "by status, county,
/// round and kind"): `round=ID` as the other filters, a select of the rounds; a value that names no
/// round is ignored.
@Suite struct QueueByRoundTests {
    /// Two rounds with one filing each, and a filing of no round; their ids.
    static func twoRounds(_ web: WebFixture) throws -> (first: Int64, second: Int64, inFirst: Int64, inSecond: Int64, inNone: Int64) {
        let ids: [Int64] = try web.superuser.query("""
            INSERT INTO rounds (name, kinds, opens_on, closes_on, opened_by)
            VALUES ('2026年第一批', '{annual_report}', '2099-01-01', '2099-01-31', 'test'),
                   ('2026年第二批', '{annual_report}', '2099-03-01', '2099-03-31', 'test')
            RETURNING id
            """).rows.map { try $0.decode("id") }
        let filings = try (0..<3).map { _ in try web.file(county: WebFixture.countyA) }
        try web.superuser.query("UPDATE filings SET round_id = $1 WHERE id = $2", ids[0], filings[0])
        try web.superuser.query("UPDATE filings SET round_id = $1 WHERE id = $2", ids[1], filings[1])
        return (ids[0], ids[1], filings[0], filings[1], filings[2])
    }

    func listed(_ page: String, _ ids: [Int64]) -> [Int64] {
        ids.filter { page.contains(#"<a href="/filings/\#($0)">"#) }
    }

    @Test func theQueueFilteredByARoundShowsOnlyThatRoundsFilings() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let rounds = try Self.twoRounds(web)
        let all = [rounds.inFirst, rounds.inSecond, rounds.inNone]
        let browser = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        let queue = try await browser.get("/filings").text
        #expect(queue.contains(#"<select name="round">"#) && queue.contains(#"<option value="\#(rounds.second)">2026年第二批</option>"#))
        #expect(listed(queue, all) == all)
        let second = try await browser.get("/filings?round=\(rounds.second)")
        #expect(second.status == 200)
        #expect(listed(second.text, all) == [rounds.inSecond])
        #expect(second.text.contains(#"<option value="\#(rounds.second)" selected="selected">"#), "the select keeps the choice")
        let withKind = try await browser.get("/filings?round=\(rounds.first)&kind=initial").text
        #expect(listed(withKind, all) == [rounds.inFirst], "with the other filters")
    }

    @Test(arguments: ["abc", "-1", "0", "99999999", "1%20OR%201=1", "9999999999999999999999"])
    func aRoundValueThatNamesNoRoundIsIgnored(value: String) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let rounds = try Self.twoRounds(web)
        let all = [rounds.inFirst, rounds.inSecond, rounds.inNone]
        let browser = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        let page = try await browser.get("/filings?round=\(value)")
        #expect(page.status == 200)
        #expect(listed(page.text, all) == all, "no filter: every filing")
        #expect(!page.text.contains(#"selected="selected">2026"#))
    }
}
