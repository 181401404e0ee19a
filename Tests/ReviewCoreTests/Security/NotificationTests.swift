import Foundation
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// Notifications (issue 17, item 3; sql/122): each kind written exactly once by the state change
    /// that causes it, readable (and marked read) only by its recipient, and a LISTEN wake-up that
    /// carries nothing. On a real database, as the persons themselves.
    @Suite struct NotificationTests {
        /// How many notifications of `kind` there are (as the owner: every row), to `recipient` when given.
        static func count(_ database: SecureDatabase, _ kind: String, recipient: String? = nil) throws -> Int {
            try database.superuser.queryRow(
                "SELECT count(*)::int AS n FROM notifications WHERE kind = $1 AND ($2::text IS NULL OR recipient = $2)",
                [kind, recipient]
            ).decode("n")
        }

        /// A database on 2026-04-01 with a county-A login that filed a reviewed filing.
        static func reviewedFiling() throws -> (database: SecureDatabase, county: PostgresConnection, filing: Int64) {
            let database = try SecureDatabase()
            try LifecycleFixture.today(database.superuser, "2026-04-01")
            _ = try LifecycleFixture.lifecycle(database.superuser)
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "n", on: county)
            try database.review(filing: filing)
            return (database, county, filing)
        }

        @Test func aFilingReviewedNotifiesItsCountyAndTheReviewersOnce() throws {
            let (database, county, filing) = try Self.reviewedFiling()
            // The same status written again is no change: nothing more.
            try database.superuser.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", filing)
            #expect(try Self.count(database, "reviewed", recipient: "role:cr_county_469005") == 1)
            #expect(try Self.count(database, "reviewed", recipient: "role:cr_reviewer") == 1)
            #expect(try Self.count(database, "reviewed") == 2)

            let mine = try Inbox.list(on: county)
            #expect(mine.map(\.kind) == ["reviewed"])
            #expect(mine.first?.filingId == filing)
            #expect(mine.first?.recipient == "county:469005")
            #expect(mine.first?.text(in: .en).contains("filing \(filing) has been reviewed") == true)
            #expect(mine.first?.text(in: .zh).contains("申报 \(filing) 已完成机审") == true)
            #expect(try Inbox.list(on: database.connect(as: .reviewer)).map(\.kind) == ["reviewed"])
        }

        @Test func aNotificationIsReadOnlyByItsRecipient() throws {
            let (database, _, _) = try Self.reviewedFiling()
            #expect(try Inbox.list(on: database.connect(as: .county(SecureDatabase.countyB))).isEmpty)
            #expect(try Inbox.list(on: database.connect(as: .expert)).isEmpty)
            // Auditors and coordinators hold no grant on the outbox at all.
            for role in [RoleSpec.auditor, .coordinator] {
                let state = SecurityFixtures.sqlState { _ = try Inbox.list(on: try database.connect(as: role)) }
                #expect(state == "42501", "\(role)")
            }
            // The administrators read none of a county's or the reviewers' notices.
            #expect(try Inbox.list(on: database.connect(as: .admin)).isEmpty)
        }

        @Test func aRecipientMarksOnlyItsOwnReadAndOnlyOnce() throws {
            let (database, county, _) = try Self.reviewedFiling()
            let other = try database.connect(as: .county(SecureDatabase.countyB))
            #expect(try other.query("UPDATE notifications SET read_at = now() RETURNING id").rowCount == 0)
            #expect(SecurityFixtures.sqlState { try other.query("UPDATE notifications SET attempts = 9") } == "42501")
            #expect(SecurityFixtures.sqlState { try county.query("UPDATE notifications SET read_by = 'x'") } == "42501")
            #expect(SecurityFixtures.sqlState { try county.query("DELETE FROM notifications") } == "42501")
            #expect(SecurityFixtures.sqlState {
                try county.query("INSERT INTO notifications (kind, event, recipient_role) VALUES ('reviewed', 'x', 'cr_county_460105')")
            } == "42501")

            let shown = try Inbox.read(on: county)
            #expect(shown.count == 1 && shown[0].readAt == nil)
            #expect(try Inbox.list(unreadOnly: true, on: county).isEmpty)
            let read = try #require(try Inbox.list(on: county).first)
            #expect(read.readAt != nil)
            #expect(read.readBy?.hasPrefix("s") == true)
            // Read stays read: a back-dated or cleared read_at is turned back.
            try county.query("UPDATE notifications SET read_at = NULL")
            try county.query("UPDATE notifications SET read_at = '2000-01-01'")
            #expect(try Inbox.list(on: county).first?.readAt == read.readAt)
            // The reviewers' row of the same event is still unread for them.
            #expect(try Inbox.list(unreadOnly: true, on: database.connect(as: .reviewer)).count == 1)
        }

        @Test func aSubmissionRefusedAtTheDoorNotifiesItsCountyOnce() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let document = try SecurityFixtures.submission(county: SecureDatabase.countyA, suffix: "bad") { $0["kind"] = .string("nonsense") }
            let verdicts = try TestDoor.submit([document], on: county, checkingOn: database.superuser)
            guard case .refused = verdicts.first else { Issue.record("expected a refusal, got \(verdicts)"); return }
            #expect(try Self.count(database, "submission_refused") == 1)
            let notice = try #require(try Inbox.list(on: county).first)
            #expect(notice.kind == "submission_refused" && notice.ids["submission"] != nil)
            #expect(try Inbox.list(on: database.connect(as: .county(SecureDatabase.countyB))).isEmpty)
        }

        @Test func theDecisionsNoticeObjectionAndRecognitionEachNotifyOnce() throws {
            let (database, county, filing) = try Self.reviewedFiling()
            let reviewer = Lifecycle(try database.connect(as: .reviewer))
            try reviewer.confirm(filing: filing, criterion: "COMP-1", accept: true, note: "符合")
            try reviewer.decide(filing: filing, .approve, note: "符合认定条件")
            #expect(try Self.count(database, "in_publicity", recipient: "role:cr_county_469005") == 1)
            let notice = try #require(try reviewer.notice(filing: filing))
            try LifecycleFixture.today(database.superuser, notice.startsOn)
            let objection = try reviewer.fileObjection(filing: filing, by: "张三", reason: "产值存疑")
            #expect(try Self.count(database, "objected", recipient: "role:cr_county_469005") == 1)
            #expect(try Self.count(database, "objected", recipient: "role:cr_reviewer") == 1)
            try reviewer.resolveObjection(objection, upheld: false, note: "经核实无误")
            try LifecycleFixture.today(database.superuser, notice.endsOn.adding(days: 1))
            let cluster = try #require(try reviewer.closePublicity(filing: filing))
            #expect(try Self.count(database, "recognized") == 1)
            // Nothing unpublished in what the county reads: ids only.
            let texts = try database.superuser.query("SELECT payload::text AS p FROM notifications").rows.map { try $0.decode("p", as: String.self) }
            #expect(!texts.contains { $0.contains("张三") || $0.contains("产值存疑") || $0.contains("符合") })
            let kinds = try Inbox.list(on: county).map(\.kind)
            #expect(kinds == ["recognized", "objected", "in_publicity", "reviewed"])
            #expect(try Inbox.list(on: county).first?.clusterId == cluster)

            // Returned and refused: each once, to the county.
            let returned = try database.file(county: SecureDatabase.countyA, suffix: "r", on: county)
            try database.review(filing: returned)
            try reviewer.confirm(filing: returned, criterion: "COMP-1", accept: true, note: "符合")
            try reviewer.decide(filing: returned, .return, note: "请补充材料")
            let refused = try database.file(county: SecureDatabase.countyA, suffix: "f", on: county)
            try database.review(filing: refused)
            try reviewer.decide(filing: refused, .refuse, note: "不符合", grounds: "产值不足")
            #expect(try Self.count(database, "returned") == 1)
            #expect(try Self.count(database, "refused") == 1)
        }

        @Test func aReviewThatChangesNoStatusNotifiesNobody() throws {
            let (database, _, filing) = try Self.reviewedFiling()
            let before = try Self.count(database, "reviewed")
            try database.superuser.query("""
                INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
                SELECT $1 * 1000 + 1, id, county_code, 'decision', 'completed', 'needs_review', 1, now() FROM filings WHERE id = $1
                """, filing)
            #expect(try Self.count(database, "reviewed") == before)
        }

        @Test func anExpertAssignmentNotifiesThatExpertAlone() throws {
            let (database, county, filing) = try Self.reviewedFiling()
            let admin = try database.connect(as: .admin)
            var experts: [String] = []
            for home in ["469001", "469002", "460105"] {
                let login = SecurityFixtures.uniqueName("x")
                try Experts.add(name: login, fields: ["产业经济"], homeCounty: home, on: admin)
                experts.append(login)
            }
            try Panels.form(filing: filing, experts: experts, on: try database.connect(as: .reviewer))
            #expect(try Self.count(database, "expert_assigned") == 3)
            for login in experts {
                let expert = try PostgresConnection(database.conninfo + " user=\(login)")
                let mine = try Inbox.list(on: expert)
                #expect(mine.map(\.kind) == ["expert_assigned"])
                #expect(mine.first?.recipient == "me" && mine.first?.filingId == filing)
            }
            #expect(try Inbox.list(on: county).allSatisfy { $0.kind != "expert_assigned" })
        }

        @Test func theSweepWritesTheDailyNoticesOnceADay() throws {
            let database = try SecureDatabase()
            let owner = database.superuser
            let cluster = try LifecycleFixture.recognizedCluster(owner)
            let admin = try database.connect(as: .admin)
            let validUntil = try CivilDate(owner.queryRow("SELECT valid_until::text AS d FROM clusters WHERE id = $1", cluster).decode("d", as: String.self))!
            // 10 March: the 2026 annual report is due; a second run the same day writes nothing.
            try LifecycleFixture.today(owner, "2027-03-10")
            #expect(try Sweep(admin).run().notices == 1)
            #expect(try Sweep(admin).run().notices == 0)
            #expect(try Self.count(database, "annual_report_due") == 1)
            // 1 April: missing, and the sweep proposes a revocation (14(3)): the county and the administrators.
            try LifecycleFixture.today(owner, "2027-04-01")
            _ = try Sweep(admin).run()
            _ = try Sweep(admin).run()
            #expect(try Self.count(database, "annual_report_missing") == 1)
            #expect(try Self.count(database, "revocation_proposed", recipient: "role:cr_county_469005") == 1)
            #expect(try Self.count(database, "revocation_proposed", recipient: "role:cr_admin") == 1)
            #expect(try Inbox.list(on: admin).map(\.kind) == ["revocation_proposed"])
            // 60 and 20 days before the term ends: expiring in 90, then in 30; each once.
            try LifecycleFixture.today(owner, validUntil.adding(days: -60))
            _ = try Sweep(admin).run()
            try LifecycleFixture.today(owner, validUntil.adding(days: -59))
            _ = try Sweep(admin).run()
            try LifecycleFixture.today(owner, validUntil.adding(days: -20))
            _ = try Sweep(admin).run()
            #expect(try Self.count(database, "expiring_90") == 1)
            #expect(try Self.count(database, "expiring_30") == 1)
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let expiring = try #require(try Inbox.list(on: county).first { $0.kind == "expiring_30" })
            #expect(expiring.ids["days"] == 20 && expiring.clusterId == cluster)
            #expect(expiring.text(in: .en).contains("expires in 20 days"))
        }

        @Test func aDryRunWritesNoNotices() throws {
            let database = try SecureDatabase()
            let owner = database.superuser
            _ = try LifecycleFixture.recognizedCluster(owner)
            try LifecycleFixture.today(owner, "2027-03-10")
            let admin = try database.connect(as: .admin)
            #expect(try Sweep(admin).run(asOf: CivilDate("2027-03-12")!, dryRun: true).notices == 0)
            #expect(try Self.count(database, "annual_report_due") == 0)
            #expect(SecurityFixtures.sqlState { try admin.query("SELECT notify_due('2027-03-12')") } == "CR011")
            #expect(SecurityFixtures.sqlState { try database.connect(as: .county(SecureDatabase.countyA)).query("SELECT notify_due()") } == "42501")
        }

        @Test func aCountyLoginIsWokenByItsFilingsReviewAndTheWakeUpCarriesNothing() throws {
            let database = try SecureDatabase()
            try LifecycleFixture.today(database.superuser, "2026-04-01")
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "w", on: county)
            let listener = try database.connect(as: .county(SecureDatabase.countyA))
            try Inbox.listen(on: listener)
            #expect(try Inbox.channels(on: listener).contains("cr_notify_county_469005"))
            try database.review(filing: filing)
            let woken = try #require(try listener.waitForNotification(timeout: .seconds(60)))
            #expect(woken.channel == "cr_notify_county_469005")
            #expect(woken.payload == "")
            #expect(try Inbox.list(unreadOnly: true, on: listener).map(\.filingId) == [filing])
        }
    }
}
