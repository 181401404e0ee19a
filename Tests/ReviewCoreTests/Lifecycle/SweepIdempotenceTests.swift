import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

/// Each sweep action is recorded exactly once, however often and by however many processes
/// the sweep runs.
@Suite struct SweepIdempotenceTests {
    typealias F = LifecycleFixture

    /// A register with something for every ground: a missing annual report, an unreported change,
    /// an incident, a flag, an expiry without recertification.
    func busyRegister(_ db: PostgresConnection) throws {
        let lifecycle = try F.lifecycle(db)
        let first = try F.recognizedCluster(db)
        try F.annualReport(db, cluster: first, year: 2026, filedOn: "2027-03-01", leadingIndustry: "航天文旅")
        try F.today(db, "2027-06-01")
        try lifecycle.recordIncident(
            Incident(enterpriseCode: F.enterpriseA, date: F.day("2027-06-01"), category: "environment", grade: "major", description: nil),
            source: "生态环境局")
        let second = try F.recognizedCluster(db, enterprises: [F.outsider], name: "文昌卫星应用产业集群")
        try F.today(db, "2027-02-01")
        try lifecycle.flagFalseFiling(cluster: second, filing: nil, note: "伪造证明材料")
    }

    @Test func runningTheSameSweepTwiceAddsNothingTheSecondTime() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        try busyRegister(db)
        let first = try F.sweep(db, on: "2029-06-01").actions
        #expect(first.count > 5)
        #expect(try Sweep(db).run().actions.isEmpty)
        #expect(try F.count(db, "SELECT count(*) FROM sweep_actions") == first.count)
        #expect(try F.count(db, "SELECT runs FROM sweeps WHERE slot = 'as-of:2029-06-01'") == 2)
    }

    @Test func aLaterSweepDoesNotRepeatWhatAnEarlierOneFound() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        try busyRegister(db)
        let first = try F.sweep(db, on: "2027-07-01").actions
        let later = try F.sweep(db, on: "2027-07-02").actions
        #expect(!first.isEmpty)
        #expect(later.isEmpty)
    }

    @Test func twoConnectionsSweepingAtOnceRecordEachActionOnce() throws {
        let conninfo = try TestCluster.makeDatabase()
        let setup = try PostgresConnection(conninfo)
        defer { setup.close() }
        try busyRegister(setup)
        try F.today(setup, "2029-06-01")

        let results = ResultBox()
        let finished = DispatchGroup()
        let threads = (0..<2).map { _ in
            Thread {
                defer { finished.leave() }
                do {
                    let connection = try PostgresConnection(conninfo)
                    defer { connection.close() }
                    let report = try Sweep(connection).run(asOf: F.day("2029-06-01"), slot: "daily:2029-06-01")
                    results.append(.success(report.actions.map(\.id)))
                } catch {
                    results.append(.failure(error))
                }
            }
        }
        threads.forEach { _ in finished.enter() }
        threads.forEach { $0.start() }
        // A deadline far beyond what two sweeps need on a busy machine, so a stuck sweep fails the test.
        try #require(finished.wait(timeout: .now() + 300) == .success, "both sweeps finished")

        let ids = try results.values.map { try $0.get() }
        let total = try F.count(setup, "SELECT count(*) FROM sweep_actions")
        #expect(total > 5)
        #expect(ids.map(\.count).sorted() == [0, total])
        #expect(Set(ids.joined()).count == total)
        #expect(try F.count(setup, "SELECT runs FROM sweeps WHERE slot = 'daily:2029-06-01'") == 2)
    }

    @Test func aDryRunShowsTheActionsAndKeepsNothing() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        try busyRegister(db)
        // A dry run may look ahead: the clock stands on 1 June 2027, the preview is of 1 June 2029.
        try F.today(db, "2027-06-01")
        let dry = try Sweep(db).run(asOf: F.day("2029-06-01"), dryRun: true)
        #expect(dry.dryRun)
        #expect(!dry.actions.isEmpty)
        #expect(try F.count(db, "SELECT count(*) FROM sweep_actions") == 0)
        #expect(try F.count(db, "SELECT count(*) FROM sweeps") == 0)
        #expect(try F.count(db, "SELECT count(*) FROM clusters WHERE status <> 'active'") == 0)
        #expect(try F.sweep(db, on: "2029-06-01").actions.count == dry.actions.count)
    }
}

/// Results from the sweeping threads; guarded by `lock`.
final class ResultBox: @unchecked Sendable {
    // @unchecked: `stored` is read and written only while `lock` is held.
    private let lock = NSLock()
    private var stored: [Result<[Int64], any Error>] = []

    func append(_ result: Result<[Int64], any Error>) {
        lock.lock()
        defer { lock.unlock() }
        stored.append(result)
    }

    var values: [Result<[Int64], any Error>] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}
