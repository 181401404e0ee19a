import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// A person's notifications on the web (issue 19, a county's notifications; the outbox is issue
/// 17's): the rows row-level security gives the person, in words, marked read by a CSRF-checked form.
@Suite struct NotificationPagesTests {
    func unread(_ web: WebFixture, filing: Int64, recipient: String) throws -> Int64 {
        try web.superuser.queryRow(
            "SELECT count(*) AS n FROM notifications WHERE filing_id = $1 AND recipient_role = $2 AND read_at IS NULL",
            filing, recipient
        ).decode("n")
    }

    @Test func aCountySeesItsOwnNotificationsInWordsAndAnotherCountyDoesNot() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let mine = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "ca"))
        let page = try await mine.get("/notifications")
        #expect(page.status == 200)
        #expect(page.text.contains("申报 \(filing) 已完成机审"), "the notice in words")
        #expect(page.text.contains(#"href="/notifications""#), "the navigation names the page")
        let theirs = try await web.signedIn(try web.person(.county(WebFixture.countyB), hint: "cb"))
        let other = try await theirs.get("/notifications")
        #expect(other.status == 200)
        #expect(!other.text.contains("申报 \(filing) "), "another county's notice is not shown")
    }

    @Test func markingReadNeedsTheFormTokenAndThenMarksTheListedNotices() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let county = "cr_county_\(WebFixture.countyA)"
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyA), hint: "ca"))
        let page = try await browser.get("/notifications").text
        let ids = try #require(page.firstMatch(of: /name="ids" value="([0-9,]+)"/)).1
        let forged = try await browser.post("/notifications", [("csrf", "forged"), ("ids", String(ids))])
        #expect(forged.status == 403)
        #expect(try unread(web, filing: filing, recipient: county) == 1, "nothing marked without the token")
        let marked = try await browser.post("/notifications", [("csrf", try Browser.formToken(in: page)), ("ids", String(ids))])
        #expect(marked.status == 303)
        #expect(marked.header("Location") == "/notifications")
        #expect(try unread(web, filing: filing, recipient: county) == 0)
        #expect(try unread(web, filing: filing, recipient: "cr_reviewer") == 1, "the reviewers' own notice stays unread")
    }

    @Test func anotherCountysNoticeIdsInTheFormMarkNothing() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let theirs: [Int64] = try web.superuser.query("SELECT id FROM notifications WHERE filing_id = $1", filing).rows.map { try $0.decode("id") }
        let browser = try await web.signedIn(try web.person(.county(WebFixture.countyB), hint: "cb"))
        let page = try await browser.get("/notifications").text
        let response = try await browser.post("/notifications", [
            ("csrf", try Browser.formToken(in: page)), ("ids", theirs.map(String.init).joined(separator: ",")),
        ])
        #expect(response.status == 303)
        #expect(try unread(web, filing: filing, recipient: "cr_county_\(WebFixture.countyA)") == 1)
        #expect(try unread(web, filing: filing, recipient: "cr_reviewer") == 1)
    }

    @Test func anAuditorHasNoNotificationsPage() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.auditor, hint: "au"))
        #expect(try await browser.get("/notifications").status == 404)
        #expect(!(try await browser.get("/").text.contains(#"href="/notifications""#)))
    }

    @Test func signedOutVisitorsAreSentToSignIn() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let response = try await web.browser().get("/notifications")
        #expect(response.status == 303 || response.status == 302)
    }
}
