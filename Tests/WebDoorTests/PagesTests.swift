import Foundation
import HTTPTestSupport
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// The first pages: a county's filings with what to do next, the reviewers' queue with its filters
/// and search, register entries, the public lists, the administrator's pages.
@Suite struct PagesTests {
    @Test func aCountySeesItsOwnFilingsWithTheirStatusAndWhatToDoNext() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let reviewed = try web.file(county: WebFixture.countyA)
        try web.review(reviewed)
        let waiting = try web.file(county: WebFixture.countyA)
        let foreign = try web.file(county: WebFixture.countyB)
        let browser = try await web.signedIn(county)
        let page = try await browser.get("/filings")
        #expect(page.status == 200)
        #expect(page.text.contains("我的申报"))
        #expect(page.text.contains(#"href="/filings/\#(reviewed)""#))
        #expect(page.text.contains(#"href="/filings/\#(waiting)""#))
        #expect(!page.text.contains(#"href="/filings/\#(foreign)""#))
        #expect(page.text.contains("等待省级评审人确认和决定"))
        #expect(page.text.contains("等待机器审查"))
        let report = try await browser.get("/filings/\(reviewed)")
        #expect(report.status == 200)
        #expect(report.text.contains(#"href="/static/report.css""#))
        #expect(report.text.contains("评审建议"))
        let notYet = try await browser.get("/filings/\(waiting)")
        #expect(notYet.text.contains("尚无完成的审查"))
        let home = try await browser.get("/")
        #expect(home.text.contains(#"href="/filings?status=reviewed""#))
    }

    @Test func theReviewerFiltersTheQueueByStatusCountyAndKindAndSearchesByName() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let a = try web.file(county: WebFixture.countyA, name: "文昌航天配套集群 alpha")
        try web.review(a)
        let b = try web.file(county: WebFixture.countyB, name: "秀英生物医药集群 beta")
        let browser = try await web.signedIn(reviewer)
        let all = try await browser.get("/filings").text
        #expect(all.contains("审查队列"))
        #expect(all.contains("/filings/\(a)\"") && all.contains("/filings/\(b)\""))
        let reviewed = try await browser.get("/filings?status=reviewed").text
        #expect(reviewed.contains("/filings/\(a)\"") && !reviewed.contains("/filings/\(b)\""))
        let countyB = try await browser.get("/filings?county=\(WebFixture.countyB)").text
        #expect(!countyB.contains("/filings/\(a)\"") && countyB.contains("/filings/\(b)\""))
        let search = try await browser.get("/filings?q=" + Browser.encode("生物医药")).text
        #expect(!search.contains("/filings/\(a)\"") && search.contains("/filings/\(b)\""))
        let caseless = try await browser.get("/filings?q=ALPHA").text
        #expect(caseless.contains("/filings/\(a)\"") && !caseless.contains("/filings/\(b)\""))
        let kind = try await browser.get("/filings?kind=annual_report").text
        #expect(!kind.contains("/filings/\(a)\"") && kind.contains("没有符合条件的申报"))
        #expect(reviewed.contains(#"<option value="reviewed" selected="selected">"#))
        let report = try await browser.get("/filings/\(b)")
        #expect(report.status == 200, "a reviewer opens any county's filing")
    }

    @Test func registerEntriesAreTheCountysOwnAndThePublicListsShowOnlyWhatIsPublished() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let (recognized, noticed) = try PublicFixture.recognizedAndUnderNotice(web)
        let browser = try await web.signedIn(county)
        let register = try await browser.get("/register").text
        #expect(register.contains(recognized.certificate))
        let anonymous = web.browser()
        let list = try await anonymous.get("/public/register")
        #expect(list.status == 200)
        #expect(list.text.contains(recognized.certificate) && list.text.contains(recognized.name))
        let notices = try await anonymous.get("/public/notices")
        #expect(notices.text.contains(noticed.name))
        #expect(notices.text.contains("如何提出异议"))
        #expect(!notices.text.contains(recognized.name), "a closed notice is no longer listed")
        for page in [list.text, notices.text] {
            #expect(!page.contains("/filings/"), "no filing id")
            #expect(!page.contains("91469005"), "no enterprise code")
        }
        // The public role reads the two functions and nothing else.
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        try connection.transaction { connection in
            try connection.query("SET LOCAL ROLE cr_public")
            #expect(try PublicRecords.register(on: connection).count == 1)
            for table in ["filings", "clusters", "publicity_notices", "counties", "audit_log", "web_sessions"] {
                // A savepoint each: the refusal aborts only it.
                let state = PersonTests.sqlState { try connection.transaction { _ = try $0.query("SELECT 1 FROM \(table) LIMIT 1") } }
                #expect(state == "42501", "cr_public reads \(table)")
            }
        }
    }

    @Test func theAdministratorSeesTheModulesAndTheSweepsLastRunsAndACountyDoesNot() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let admin = try web.person(.admin, hint: "adm")
        let county = try web.person(.county(WebFixture.countyA))
        try web.superuser.query("""
            INSERT INTO coordinators (name, heartbeat_at, in_flight, completed, modules)
            VALUES ('review-1', now(), 2, 40, '[{"id": "green", "version": "1.2", "state": "failing", "workers": 0, "restarts": 5,
                                              "served": 10, "failed": 6, "circuit": "open", "reason": "crashed 5 times"}]')
            """)
        let admin1 = try web.connect(as: admin)
        _ = try Sweep(admin1).run()
        admin1.close()
        let browser = try await web.signedIn(admin)
        let modules = try await browser.get("/admin/modules").text
        #expect(modules.contains("review-1") && modules.contains("green") && modules.contains("crashed 5 times") && modules.contains("断开"))
        let sweeps = try await browser.get("/admin/sweeps").text
        #expect(sweeps.contains("as-of:") && sweeps.contains(admin.login))
        let countyBrowser = try await web.signedIn(county)
        #expect(try await countyBrowser.get("/admin/modules").status == 403)
        #expect(try await countyBrowser.get("/admin/sweeps").status == 403)
        #expect(!(try await countyBrowser.get("/").text.contains("/admin/")))
    }
}

/// A recognized cluster and another under public notice today, made through the lifecycle
/// functions on a simulated calendar (the test database's owner moves its clock).
enum PublicFixture {
    struct Entry {
        var filing: Int64
        var name: String
        var certificate: String
    }

    static func recognizedAndUnderNotice(_ web: WebFixture) throws -> (recognized: Entry, noticed: Entry) {
        let reviewer = try web.person(.reviewer, hint: "pubrev")
        let connection = try web.connect(as: reviewer)
        defer { connection.close() }
        let lifecycle = Lifecycle(connection)
        func today(_ day: String) throws { try DatabaseClock.simulate(CivilDate(day)!, reason: "test: a simulated calendar", on: web.superuser) }
        func approved(_ name: String, on day: String) throws -> Int64 {
            let filing = try web.file(county: WebFixture.countyA, name: name)
            try web.review(filing, findings: [("COMP-1", "manual"), ("COMP-2", "pass")])
            try today(day)
            try lifecycle.confirm(filing: filing, criterion: "COMP-1", accept: true, note: "核实")
            try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
            return filing
        }
        let first = try approved("文昌公示完成集群 \(WebFixture.uniqueName("r"))", on: "2026-04-20")
        let notice = try #require(try lifecycle.notice(filing: first))
        try today(notice.endsOn.adding(days: 1).description)
        let cluster = try #require(try lifecycle.closePublicity(filing: first))
        let entry = try #require(try Register.entry(web.superuser, String(cluster)))
        let second = try approved("文昌正在公示集群 \(WebFixture.uniqueName("n"))", on: notice.endsOn.adding(days: 1).description)
        let running = try #require(try lifecycle.notice(filing: second))
        try today(running.startsOn.description)
        let name = try web.superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", second).decode("cluster_name", as: String.self)
        return (Entry(filing: first, name: entry.name, certificate: entry.certificateNo), Entry(filing: second, name: name, certificate: ""))
    }
}
