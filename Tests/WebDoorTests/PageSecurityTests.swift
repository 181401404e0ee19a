import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// The security of every page at the HTTP level (no browser): form tokens, the headers, escaping,
/// route parameters, ids that do not leak, signed-out visitors.
@Suite struct PageSecurityTests {
    static let policy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    enum Token: String, CaseIterable, CustomTestStringConvertible {
        case missing, wrong, anotherSessions, theSignInForms
        var testDescription: String { rawValue }
    }

    @Test(arguments: Token.allCases)
    func aFormWithoutTheRightTokenIsRefusedWith403AndNothingIsWritten(_ token: Token) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let browser = try await web.signedIn(reviewer)
        var fields = [("criterion", "COMP-1"), ("decision", "accept"), ("note", "looks fine")]
        switch token {
        case .missing: break
        case .wrong: fields.append(("csrf", String(repeating: "A", count: 43)))
        case .anotherSessions:
            let other = try await web.signedIn(try web.person(.reviewer, hint: "rev2"))
            fields.append(("csrf", try Browser.formToken(in: try await other.get("/filings").text)))
        case .theSignInForms:
            fields.append(("csrf", try Browser.formToken(in: try await web.browser().get("/sign-in").text)))
        }
        let before = try web.snapshot()
        let response = try await browser.post("/filings/\(filing)/confirmations", fields)
        #expect(response.status == 403)
        #expect(response.text.contains("未作任何更改"))
        #expect(try web.snapshot() == before)
        let out = try await browser.post("/sign-out", fields.filter { $0.0 == "csrf" })
        #expect(out.status == 403, "signing out needs the token too")
        #expect(try await browser.get("/filings").status == 200, "the session is still open")
    }

    @Test func everyPageCarriesTheSecurityHeaders() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let admin = try web.person(.admin, hint: "adm")
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let anonymous = web.browser()
        let countyBrowser = try await web.signedIn(county)
        let adminBrowser = try await web.signedIn(admin)
        let pages: [(Browser, String, Int)] = [
            (anonymous, "/", 200), (anonymous, "/sign-in", 200), (anonymous, "/public/notices", 200), (anonymous, "/public/register", 200),
            (anonymous, "/filings", 303), (anonymous, "/nothing-here", 404), (anonymous, "/static/site.css", 200),
            (anonymous, "/static/report.css", 200),
            (countyBrowser, "/", 200), (countyBrowser, "/filings", 200), (countyBrowser, "/filings/\(filing)", 200),
            (countyBrowser, "/register", 200), (countyBrowser, "/admin/modules", 403), (countyBrowser, "/filings/999999", 404),
            (countyBrowser, "/public/notices?lang=en", 200),
            (adminBrowser, "/admin/modules", 200), (adminBrowser, "/admin/sweeps", 200), (adminBrowser, "/filings?q=x&status=reviewed", 200),
        ]
        for (browser, path, status) in pages {
            let response = try await browser.get(path)
            #expect(response.status == status, "\(path)")
            #expect(response.header("Content-Security-Policy") == Self.policy, "\(path)")
            #expect(response.header("X-Content-Type-Options") == "nosniff", "\(path)")
            #expect(response.header("Referrer-Policy") == "same-origin", "\(path)")
            #expect(response.header("X-Frame-Options") == "DENY", "\(path)")
            let cache = response.header("Cache-Control")
            #expect(path.hasPrefix("/static/") ? cache == "public, max-age=86400" : cache == "no-store", "\(path)")
            if status == 200 {
                #expect(response.header("Content-Type") == (path.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/html; charset=utf-8"))
            }
            if response.header("Content-Type")?.hasPrefix("text/html") == true {
                #expect(!response.text.contains("<script"), "\(path) holds a script")
                #expect(!response.text.contains(" style=\""), "\(path) holds an inline style")
                #expect(!response.text.contains("<style"), "\(path) holds a style element")
            }
        }
        let post = try await anonymous.post("/register", [("x", "y")])
        #expect(post.status == 405)
        #expect(post.header("Allow") == "GET, HEAD")
        #expect(post.header("Content-Security-Policy") == Self.policy)
    }

    @Test func hostileFilingTextIsRenderedOnlyEscaped() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let reviewer = try web.person(.reviewer, hint: "rev")
        let hostile = #"<script>alert(1)</script>" onmouseover="x'&"#
        let connection = try web.connect(as: county)
        let filing = try web.file(county: WebFixture.countyA, name: hostile, on: connection)
        connection.close()
        try web.review(filing)
        for person in [county, reviewer] {
            let browser = try await web.signedIn(person)
            for path in ["/filings", "/filings/\(filing)", "/filings?q=%3Cscript%3E", "/?lang=en"] {
                let page = try await browser.get(path).text
                #expect(!page.contains("<script>alert(1)</script>"), "\(path) as \(person.login)")
                #expect(!page.contains(#"" onmouseover="#), "\(path) as \(person.login)")
            }
            let list = try await browser.get("/filings").text
            #expect(list.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x&#39;&amp;"))
        }
    }

    @Test(arguments: [
        ("/filings/..%2f..%2fetc%2fpasswd", 400), ("/static/..%2f..%2fPackage.swift", 400), ("/static/%2e%2e", 400),
        ("/static/%2e%2e/%2e%2e/Package.swift", 400), ("/filings/1%00", 400), ("/filings/%252e%252e", 400),
        ("/static/%EF%BC%8E%EF%BC%8E", 400), ("/static/Package.swift", 404), ("/static/site.css%00.html", 400),
        ("/filings/-1", 404), ("/filings/1e3", 404), ("/filings/0x10", 404), ("/filings/99999999999999999999", 404),
        ("/filings/1/confirmations", 405),
    ])
    func aRouteParameterThatCouldTraverseOrIsNotAnIdIsRefused(_ path: String, _ status: Int) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = try await web.signedIn(try web.person(.reviewer, hint: "rev"))
        let response = try await browser.get(path)
        #expect(response.status == status, "\(path)")
    }

    @Test func anotherCountysFilingIsA404TheSameAsAFilingThatDoesNotExist() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let countyA = try web.person(.county(WebFixture.countyA))
        let theirs = try web.file(county: WebFixture.countyB)
        try web.review(theirs)
        let missing = theirs + 1000
        let browser = try await web.signedIn(countyA)
        let foreign = try await browser.get("/filings/\(theirs)")
        let absent = try await browser.get("/filings/\(missing)")
        #expect(foreign.status == 404)
        #expect(absent.status == 404)
        // The same page, but for the language switch's link back to the address asked.
        #expect(foreign.text.replacingOccurrences(of: "/filings/\(theirs)?", with: "/filings/ID?")
                == absent.text.replacingOccurrences(of: "/filings/\(missing)?", with: "/filings/ID?"))
        let list = try await browser.get("/filings").text
        #expect(!list.contains("/filings/\(theirs)"))
    }

    @Test func aSignedOutVisitorIsSentToSignInAndTheirFormsAreRefused() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = web.browser()
        for path in ["/filings", "/filings/1", "/register", "/admin/modules"] {
            let response = try await browser.get(path)
            #expect(response.status == 303, "\(path)")
            #expect(response.header("Location") == "/sign-in?next=" + Browser.encode(path))
        }
        let forged = "A" + String(repeating: "b", count: 42)
        browser.cookies["cr_session"] = forged
        #expect(try await browser.get("/filings").status == 303, "an unknown token is no session")
        browser.cookies["cr_session"] = forged
        let post = try await browser.post("/filings/1/confirmations", [("criterion", "COMP-1"), ("decision", "accept"), ("note", "x")])
        #expect(post.status == 403)
    }

    @Test func aRedirectTargetCannotAddAHeader() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = web.browser()
        let response = try await browser.get("/filings?x=%0d%0aSet-Cookie:%20injected=1")
        #expect(response.status == 303)
        #expect(response.header("Location") == "/sign-in?next=%2Ffilings%3Fx%3D%250d%250aSet-Cookie%3A%2520injected%3D1")
        #expect(!response.headers("Set-Cookie").contains { $0.contains("injected") })
    }

    @Test func theLanguageSwitchesToEnglishAndIsRemembered() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let browser = web.browser()
        let chinese = try await browser.get("/public/register")
        #expect(chinese.text.contains(#"<html lang="zh-CN">"#))
        #expect(chinese.text.contains(#"href="/public/register?lang=en""#))
        let english = try await browser.get("/public/register?lang=en")
        #expect(english.text.contains(#"<html lang="en">"#))
        #expect(english.text.contains("Recognition list"))
        #expect(english.headers("Set-Cookie").contains { $0.hasPrefix("cr_lang=en;") && $0.contains("SameSite=Strict") })
        let later = try await browser.get("/public/notices")
        #expect(later.text.contains("Public notices"))
    }
}
