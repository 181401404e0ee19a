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
