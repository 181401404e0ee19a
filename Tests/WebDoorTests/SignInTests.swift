import ClusterStandard
import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// Who you are: signing in with the database's own password check, the session cookie and its
/// record, signing out, expiry, and the rate limit.
@Suite struct SignInTests {
    @Test func theRightPasswordOpensASessionInAStrictHttpOnlyCookieStoredOnlyAsItsHash() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        let response = try await browser.signIn(county)
        #expect(response.status == 303)
        #expect(response.header("Location") == "/")
        let cookie = try #require(response.headers("Set-Cookie").first { $0.hasPrefix("cr_session=") })
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/"))
        #expect(!cookie.contains("Secure"), "plain HTTP: no Secure")
        let token = try #require(browser.cookies["cr_session"])
        #expect(token.count == 43)
        let stored: String = try web.superuser.queryRow(
            "SELECT encode(token_hash, 'hex') || ' ' || person AS row FROM web_sessions").decode("row")
        let expected = SHA256.digest(try #require(Data(base64Encoded: token.replacingOccurrences(of: "-", with: "+")
            .replacingOccurrences(of: "_", with: "/") + "="))).map { String(format: "%02x", $0) }.joined()
        #expect(stored == "\(expected) \(county.login)")
        let everything: String = try web.superuser.queryRow("SELECT string_agg(t::text, ' ') AS all FROM web_sessions t").decode("all")
        #expect(!everything.contains(token), "the token itself is never stored")
        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.text.contains(county.login))
    }

    @Test func behindTLSTheSessionCookieIsSecure() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        browser.overTLS = true
        let response = try await browser.signIn(county)
        let cookie = try #require(response.headers("Set-Cookie").first { $0.hasPrefix("cr_session=") })
        #expect(cookie.contains("Secure"))
    }

    @Test func aWrongPasswordOpensNoSessionAndSaysNothingAboutWhichWasWrong() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        let wrong = try await browser.signIn(login: county.login, password: "not-the-password")
        let unknown = try await browser.signIn(login: "nobody_here", password: "whatever")
        #expect(wrong.status == 422)
        #expect(unknown.status == 422)
        #expect(browser.cookies["cr_session"] == nil)
        #expect(wrong.text.contains("登录名或密码不正确"))
        #expect(unknown.text.contains("登录名或密码不正确"))
        let sessions: Int = try web.superuser.queryRow("SELECT count(*)::int AS n FROM web_sessions").decode("n")
        #expect(sessions == 0)
    }

    @Test func signingOutEndsTheSessionAndTheOldCookieOpensNothing() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = try await web.signedIn(county)
        let oldCookie = try #require(browser.cookies["cr_session"])
        let formToken = try Browser.formToken(in: try await browser.get("/filings").text)
        let out = try await browser.post("/sign-out", [("csrf", formToken)])
        #expect(out.status == 303)
        #expect(browser.cookies["cr_session"] == nil)
        let sessions: Int = try web.superuser.queryRow("SELECT count(*)::int AS n FROM web_sessions").decode("n")
        #expect(sessions == 0)
        // Someone who kept the old cookie.
        browser.cookies["cr_session"] = oldCookie
        let page = try await browser.get("/filings")
        #expect(page.status == 303)
        #expect(page.header("Location") == "/sign-in?next=%2Ffilings")
        #expect(browser.cookies["cr_session"] == nil, "the stale cookie is deleted")
        browser.cookies["cr_session"] = oldCookie
        let post = try await browser.post("/filings/1/confirmations", [("csrf", formToken), ("criterion", "COMP-1"),
                                                                       ("decision", "accept"), ("note", "ok")])
        #expect(post.status == 403, "a form sent with an ended session is refused")
        browser.cookies["cr_session"] = oldCookie
        #expect(try await browser.post("/sign-out", [("csrf", formToken)]).status == 303, "signing out twice is harmless")
    }

    @Test(arguments: ["idle", "lifetime"])
    func anExpiredSessionIsSentToSignIn(_ how: String) async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = try await web.signedIn(county)
        #expect(try await browser.get("/filings").status == 200)
        if how == "idle" {
            try web.superuser.query("UPDATE web_sessions SET last_seen_at = now() - idle_timeout - interval '1 second'")
        } else {
            try web.superuser.query("""
                UPDATE web_sessions SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'
                """)
        }
        let page = try await browser.get("/filings?status=reviewed")
        #expect(page.status == 303)
        #expect(page.header("Location") == "/sign-in?next=%2Ffilings%3Fstatus%3Dreviewed")
        #expect(browser.cookies["cr_session"] == nil, "the stale cookie is deleted")
        let sessions: Int = try web.superuser.queryRow("SELECT count(*)::int AS n FROM web_sessions").decode("n")
        #expect(sessions == 0, "the expired session is gone")
    }

    @Test func afterSigningInTheBrowserGoesBackWhereItWasSentFrom() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        let asked = try await browser.get("/register")
        #expect(asked.header("Location") == "/sign-in?next=%2Fregister")
        let response = try await browser.signIn(county, next: "/register")
        #expect(response.header("Location") == "/register")
        for hostile in ["//evil.example/x", "https://evil.example/", "/sign-out", "/x\r\nSet-Cookie: a=b", "/%2e%2e/etc"] {
            let other = web.browser()
            let reply = try await other.signIn(county, next: hostile)
            #expect(reply.status == 303)
            #expect(reply.header("Location") == "/", "next \(hostile.debugDescription) is not followed")
        }
    }

    @Test func aDisabledLoginsSessionEndsAtOnce() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = try await web.signedIn(county)
        try Logins.disable(name: county.login, on: web.superuser)
        #expect(try await browser.get("/filings").status == 303)
        let member: Bool = try web.superuser.queryRow("SELECT pg_has_role('cr_web', $1, 'MEMBER') AS m", county.login).decode("m")
        #expect(!member, "the door may no longer become a disabled login")
    }

    @Test func aCoordinatorsLoginCannotSignInOnTheWebEvenWithItsPassword() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let coordinator = try web.person(.coordinator, hint: "serve")
        let browser = web.browser()
        let response = try await browser.signIn(coordinator)
        #expect(response.status == 403)
        #expect(response.text.contains("该登录名不能用于网页"))
        #expect(browser.cookies["cr_session"] == nil)
    }

    @Test func aSignInFormWithoutItsTokenIsRefusedAndOpensNothing() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        let bare = try await browser.post("/sign-in", [("login", county.login), ("password", county.password)])
        #expect(bare.status == 403)
        _ = try await browser.get("/sign-in")
        let forged = try await browser.post("/sign-in", [("csrf", "AAAA"), ("login", county.login), ("password", county.password)])
        #expect(forged.status == 403)
        #expect(browser.cookies["cr_session"] == nil)
        let sessions: Int = try web.superuser.queryRow("SELECT count(*)::int AS n FROM web_sessions").decode("n")
        #expect(sessions == 0)
    }

    @Test func fiveFailuresOfALoginRefuseItsNextAttemptWith429() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let browser = web.browser()
        for _ in 0..<5 { #expect(try await browser.signIn(login: county.login, password: "guess").status == 422) }
        let limited = try await browser.signIn(county)
        #expect(limited.status == 429, "even the right password waits")
        #expect(limited.text.contains("登录尝试次数过多"))
        let retry = try #require(limited.header("Retry-After").flatMap(Int.init))
        #expect(retry > 0 && retry <= 15 * 60)
        #expect(web.door.counters.signIns(.limited) == 1)
        // Another person from the same place is not held up by it.
        let other = try web.person(.county(WebFixture.countyB))
        #expect(try await web.browser().signIn(other).status == 303)
    }

    @Test func anAddressThatTriesTooOftenIsRefusedWhileOthersAreNot() async throws {
        let web = try await WebFixture.start { $0.signInLimits.addressAttempts = 3 }
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let guesser = web.browser(address: "203.0.113.7")
        for index in 0..<3 { #expect(try await guesser.signIn(login: "someone_\(index)", password: "guess").status == 422) }
        #expect(try await guesser.signIn(county).status == 429)
        let elsewhere = web.browser(address: "198.51.100.20")
        #expect(try await elsewhere.signIn(county).status == 303)
    }
}
