import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// The sweep closes the public notices that ended without an objection pending or upheld,
/// recognizing the cluster once per notice; and a cluster is on the register once (one live entry
/// per county and cluster name).
@Suite struct NoticeSweepTests {
    typealias F = LifecycleFixture

    /// Files and reviews an initial filing (all pass) and approves it on 2026-04-28; returns the
    /// filing and its notice's last day.
    func approved(_ db: PostgresConnection, filedOn: String = "2026-03-02") throws -> (filing: Int64, endsOn: CivilDate) {
        let filing = try F.filing(db, filedOn: filedOn)
        try F.review(db, filing: filing, findings: [("COMP-1", "pass"), ("GOVE-4", "pass")])
        try F.today(db, "2026-04-28")
        try F.lifecycle(db).decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try F.lifecycle(db).notice(filing: filing))
        return (filing, notice.endsOn)
    }

    func recognitions(_ report: SweepReport) -> [SweepAction] { report.actions.filter { $0.action == "recognize" } }

    @Test func theSweepRecognizesANoticeThatEndedWithoutObjection() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, endsOn) = try approved(db)
        #expect(recognitions(try F.sweep(db, on: endsOn)).isEmpty, "not on the notice's last day")
        let found = recognitions(try F.sweep(db, on: endsOn.adding(days: 1)))
        #expect(found.count == 1)
        let action = try #require(found.first)
        #expect(action.state == "applied")
        #expect(action.subject.hasPrefix("notice:"))
        let entry = try #require(try Register.entry(db, String(action.clusterId)))
        #expect(entry.filingId == filing && entry.recognizedOn == endsOn.adding(days: 1))
        #expect(entry.validUntil == endsOn.adding(days: 1).adding(years: 3))
        #expect(entry.certificateNo.hasPrefix("HN-ZXJQ-2026-"))
        #expect(try F.status(db, filing: filing) == "recognized")
        #expect(try F.count(db, "SELECT count(*)::int FROM cluster_enterprises WHERE cluster_id = $1", [action.clusterId]) == 2)
        #expect(try Register.terms(db, cluster: action.clusterId).map(\.kind) == ["recognized"])
        #expect(try F.count(db, "SELECT count(*)::int FROM publicity_notices WHERE filing_id = $1 AND state = 'recognized'", [filing]) == 1)
    }

    @Test func eachNoticeIsRecognizedOnceHoweverOftenTheSweepRuns() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (_, endsOn) = try approved(db)
        #expect(recognitions(try F.sweep(db, on: endsOn.adding(days: 1))).count == 1)
        #expect(recognitions(try Sweep(db).run()).isEmpty)
        #expect(recognitions(try F.sweep(db, on: endsOn.adding(days: 2))).isEmpty)
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == 1)
    }

    @Test func aPendingObjectionKeepsTheNoticeOpenUntilItIsResolved() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let (filing, endsOn) = try approved(db)
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.startsOn)
        let objection = try lifecycle.fileObjection(filing: filing, by: "某企业", reason: "产值数据存疑")
        #expect(recognitions(try F.sweep(db, on: endsOn.adding(days: 1))).isEmpty)
        #expect(try F.status(db, filing: filing) == "in_publicity")
        try lifecycle.resolveObjection(objection, upheld: false, note: "经核实数据无误")
        #expect(recognitions(try F.sweep(db, on: endsOn.adding(days: 2))).count == 1)
    }

    @Test func aNoticeWithAnUpheldObjectionIsLeftToTheReviewer() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let (filing, endsOn) = try approved(db)
        let notice = try #require(try lifecycle.notice(filing: filing))
        try F.today(db, notice.startsOn)
        let objection = try lifecycle.fileObjection(filing: filing, by: "某企业", reason: "企业名单有误")
        try lifecycle.resolveObjection(objection, upheld: true, note: "异议成立")
        #expect(recognitions(try F.sweep(db, on: endsOn.adding(days: 1))).isEmpty)
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == 0)
        #expect(try lifecycle.closePublicity(filing: filing) == nil)
        #expect(try F.status(db, filing: filing) == "reviewed")
    }

    @Test func aNoticeTheReviewerClosedFirstLeavesNothingForTheSweep() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (filing, endsOn) = try approved(db)
        try F.today(db, endsOn.adding(days: 1))
        _ = try #require(try F.lifecycle(db).closePublicity(filing: filing))
        #expect(recognitions(try Sweep(db).run()).isEmpty)
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == 1)
    }

    @Test func theCoordinatorsDailySweepRecognizes() throws {
        let database = try SecureDatabase()
        let (_, endsOn) = try approved(database.superuser)
        let day = endsOn.adding(days: 1)
        try F.today(database.superuser, day)
        let coordinator = try database.connect(as: .coordinator)
        let report = try Sweep(coordinator).run(asOf: day, slot: "daily:\(day)")
        #expect(recognitions(report).count == 1)
        #expect(try F.count(database.superuser, "SELECT count(*)::int FROM cluster_terms") == 1)
    }

    @Test func aClusterOnTheRegisterCannotBeApprovedForRecognitionAgain() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let again = try F.filing(db, filedOn: "2026-06-01")
        try F.review(db, filing: again, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-06-10")
        let error = lifecycleError { try F.lifecycle(db).decide(filing: again, .approve, note: "重复申报") }
        #expect(error?.code == .alreadyDone, "\(String(describing: error))")
        #expect(error?.message.en.contains("already on the register") == true)
        #expect(error?.message.zh.contains("已在认定名单中") == true)
        #expect(try F.status(db, filing: again) == "reviewed")
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters WHERE id <> $1", [cluster]) == 0)
    }

    @Test func aSecondNoticeForTheSameClusterIsRefused() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        _ = try approved(db)
        let second = try F.filing(db, filedOn: "2026-03-05")
        try F.review(db, filing: second, findings: [("COMP-1", "pass")])
        let error = lifecycleError { try F.lifecycle(db).decide(filing: second, .approve, note: "同一集群") }
        #expect(error?.code == .alreadyDone, "\(String(describing: error))")
        #expect(error?.message.en.contains("already in public notice") == true)
    }

    /// Two reviewers approving two filings of one cluster at the same moment: the second approval
    /// waits for the first and is refused, so the sweep never meets two notices for one cluster.
    @Test func twoApprovalsOfOneClusterAtOnceOpenOneNotice() throws {
        let conninfo = try TestCluster.makeDatabase()
        let db = try PostgresConnection(conninfo)
        defer { db.close() }
        let first = try F.filing(db, filedOn: "2026-03-02")
        try F.review(db, filing: first, findings: [("COMP-1", "pass")])
        let second = try F.filing(db, filedOn: "2026-03-05")
        try F.review(db, filing: second, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-04-28")
        let lifecycle = try F.lifecycle(db)
        let outcome = SecondApproval()
        try db.transaction { _ in
            try lifecycle.decide(filing: first, .approve, note: "第一位评审人")
            // The other reviewer approves while the first approval is not yet committed.
            Thread {
                outcome.finish(lifecycleError {
                    let other = try PostgresConnection(conninfo)
                    defer { other.close() }
                    try Lifecycle(other).decide(filing: second, .approve, note: "第二位评审人")
                })
            }.start()
            // Commit only once the second approval is waiting for this one (order, not time): a
            // lock not granted whose holder is this session, not any lock not granted — pg_locks is
            // the whole server's, where other tests' sessions wait for their own. (pg_locks is read
            // live at each call; pg_stat_activity would be the transaction's first snapshot.)
            var waiting = false
            for _ in 0..<6000 where !waiting {
                waiting = try db.queryRow("""
                    SELECT EXISTS (SELECT FROM pg_locks l WHERE NOT l.granted AND pg_backend_pid() = ANY (pg_blocking_pids(l.pid))) AS w
                    """).decode("w")
                if !waiting { Thread.sleep(forTimeInterval: 0.01) }
            }
            #expect(waiting, "the second approval never waited for the first")
        }
        let error = outcome.wait()
        #expect(error?.code == .alreadyDone, "\(String(describing: error))")
        #expect(error?.message.en.contains("already in public notice") == true)
        let notices: Int64 = try db.queryRow("SELECT count(*) AS n FROM publicity_notices").decode("n")
        #expect(notices == 1)
    }

    /// The refusal the second approval met, handed back from its thread.
    final class SecondApproval: @unchecked Sendable {
        // @unchecked: `error` is written once before `done` is signalled and read only after it.
        private let done = DispatchSemaphore(value: 0)
        private var error: LifecycleError?
        func finish(_ error: LifecycleError?) { self.error = error; done.signal() }
        func wait() -> LifecycleError? { done.wait(); return error }
    }

    @Test func theRegisterRefusesASecondLiveEntryWrittenDirectly() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let cluster = try F.recognizedCluster(db)
        let other = try F.filing(db, filedOn: "2026-06-01", status: "recognized")
        let error = lifecycleError {
            try db.query("""
                INSERT INTO clusters (certificate_no, filing_id, county_code, name, recognized_on, valid_until,
                                      leading_industry, spatial_extent, management_body)
                SELECT 'HN-TEST-2', $1, county_code, name, recognized_on, valid_until, leading_industry, spatial_extent,
                       management_body FROM clusters WHERE id = $2
                """, [other, cluster])
        }
        #expect(error?.code == .alreadyDone, "\(String(describing: error))")
    }

    @Test func aRevokedClusterMayBeRecognizedAnew() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let lifecycle = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        let original: Int64 = try db.queryRow("SELECT filing_id FROM clusters WHERE id = $1", [cluster]).decode("filing_id")
        try F.today(db, "2026-09-01")
        try lifecycle.flagFalseFiling(cluster: cluster, filing: original, note: "企业名单中两家企业系虚构")
        let revoke = try #require(try Sweep(db).run().actions.first { $0.ground == "14(2)" })
        try lifecycle.resolveSweepAction(revoke.id, confirm: true, note: "查实")
        let again = try F.filing(db, filedOn: "2026-09-10")
        try F.review(db, filing: again, findings: [("COMP-1", "pass")])
        try F.today(db, "2026-09-20")
        try lifecycle.decide(filing: again, .approve, note: "重新申报")
        let notice = try #require(try lifecycle.notice(filing: again))
        #expect(recognitions(try F.sweep(db, on: notice.endsOn.adding(days: 1))).count == 1)
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters WHERE status <> 'revoked'") == 1)
        #expect(try F.count(db, "SELECT count(*)::int FROM clusters") == 2)
    }
}
