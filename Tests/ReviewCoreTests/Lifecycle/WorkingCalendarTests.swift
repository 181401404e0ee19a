import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// Working days on the configured holiday calendar, in Swift and in SQL alike.
@Suite struct WorkingCalendarTests {
    typealias F = LifecycleFixture

    func configured() throws -> WorkingCalendar {
        try WorkingCalendar.load(from: try TestCluster.installation.configDirectory.appendingPathComponent("calendar.json"))
    }

    @Test(arguments: [
        ("2026-04-28", "2026-04-29", "2026-05-08"),  // Labour Day: 1–5 May off, Saturday 9 May worked
        ("2026-05-06", "2026-05-07", "2026-05-12"),  // the make-up Saturday counts
        ("2026-02-12", "2026-02-13", "2026-02-26"),  // Spring Festival: 15–23 Feb off, Saturday 14 Feb worked
        ("2026-06-15", "2026-06-16", "2026-06-23"),  // Dragon Boat Festival
        ("2026-11-27", "2026-11-30", "2026-12-04"),  // decided on a Friday: the notice opens on Monday
    ])
    func fiveWorkingDayNotice(decided: String, starts: String, ends: String) throws {
        let period = try configured().noticePeriod(decidedOn: F.day(decided), workingDays: 5)
        #expect(period.lowerBound == F.day(starts))
        #expect(period.upperBound == F.day(ends))
    }

    @Test func sqlAndSwiftCountWorkingDaysAlike() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let calendar = try configured()
        try Lifecycle(db).install(settings: LifecycleSettings(), calendar: calendar)
        let rows = try db.query(
            """
            SELECT d::date::text AS day, n, add_working_days(d::date, n)::text AS sql
            FROM generate_series(date '2026-01-01', date '2027-12-20', interval '3 days') AS d, (VALUES (1), (5), (12)) AS t(n)
            """).rows
        for row in rows {
            let day = try #require(CivilDate(try row.decode("day", as: String.self)))
            let n: Int = try row.decode("n")
            #expect(try row.decode("sql", as: String.self) == calendar.adding(workingDays: n, to: day).description, "\(day) + \(n)")
        }
    }

    @Test func aDayListedAsHolidayAndWorkdayIsAConfigurationError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("calendar-\(UUID()).json")
        try Data(#"{"years": {"2026": {"holidays": [{"from": "2026-05-01", "to": "2026-05-03", "name": "x"}], "workdays": [{"date": "2026-05-02", "name": "y"}]}}}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: LifecycleConfigurationError.self) { try WorkingCalendar.load(from: url) }
    }

    @Test(arguments: [LifecycleFixture.enterpriseA, LifecycleFixture.enterpriseB, LifecycleFixture.outsider,
                      "91110000600037341M", "9111000060003734IL", "91469005MA5T00001"])
    func sqlCreditCodeCheckAgreesWithIndicatorKit(code: String) throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let valid: Bool = try db.queryRow("SELECT coalesce(uscc_valid($1), false) AS v", [code]).decode("v")
        #expect(valid == SocialCreditCode.isValid(code))
    }
}
