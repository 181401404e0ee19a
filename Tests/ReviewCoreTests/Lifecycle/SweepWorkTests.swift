import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// What a sweep does not have to do (sql/161): the one-entry rule (CR009) is not checked again
/// for an entry whose status only goes from active to expired, yet still refuses a second live
/// entry made by an update; the day's notices are written without JIT compilation.
@Suite struct SweepWorkTests {
    typealias F = LifecycleFixture

    /// How often `function` (a PL/pgSQL function) was called in the current transaction, counted
    /// since `track_functions` was set to `pl` in it.
    static func calls(_ connection: PostgresConnection, _ function: String) throws -> Int {
        try F.count(connection, "SELECT coalesce(pg_stat_get_xact_function_calls($1::regproc), 0)::int", [function])
    }

    /// Two live register entries; returns the second's id and the first's name.
    static func twoLiveEntries(_ db: PostgresConnection) throws -> (second: Int64, firstName: String) {
        _ = try F.lifecycle(db)
        let first = try F.recognizedCluster(db)
        let second = try F.recognizedCluster(db, enterprises: [F.outsider], name: "文昌卫星应用产业集群")
        return (second, try db.queryRow("SELECT name FROM clusters WHERE id = $1", [first]).decode("name"))
    }

    @Test func anEntryThatOnlyExpiresIsNotCheckedAgainForASecondEntry() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        _ = try F.lifecycle(db)
        let cluster = try F.recognizedCluster(db)
        try F.today(db, "2029-09-01")
        let (control, calls) = try db.transaction { connection -> (Int, Int) in
            _ = try connection.query("SET LOCAL track_functions = 'pl'")
            // The counter counts: renaming the live entry is checked once.
            _ = try connection.query("UPDATE clusters SET name = name || '（更名）' WHERE id = $1", [cluster])
            let control = try Self.calls(connection, "clusters_refuse_second_entry")
            let expired = try Sweep(connection).run().actions.filter { $0.action == "expire" }.map(\.clusterId)
            #expect(expired == [cluster])
            return (control, try Self.calls(connection, "clusters_refuse_second_entry") - control)
        }
        #expect(try db.queryRow("SELECT status FROM clusters WHERE id = $1", [cluster]).decode("status", as: String.self) == "expired")
        #expect(control == 1, "a rename is counted")
        #expect(calls == 0, "the expiry is not")
    }

    @Test func renamingAnEntryOntoAnotherLiveOneIsStillRefusedWithCR009() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (second, name) = try Self.twoLiveEntries(db)
        let state = SecurityFixtures.sqlState {
            _ = try db.query("UPDATE clusters SET name = $1 WHERE id = $2", [name, second])
        }
        #expect(state == "CR009")
    }

    @Test func aRevokedEntryMadeLiveBesideALiveOneIsStillRefusedWithCR009() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (second, name) = try Self.twoLiveEntries(db)
        // Revoked, it may bear the live entry's name; made live again, it may not.
        _ = try db.query(
            "UPDATE clusters SET status = 'revoked', revoked_on = cr_today(), revocation_ground = '14(2)', name = $1 WHERE id = $2",
            [name, second])
        let state = SecurityFixtures.sqlState {
            _ = try db.query(
                "UPDATE clusters SET status = 'active', revoked_on = NULL, revocation_ground = NULL WHERE id = $1", [second])
        }
        #expect(state == "CR009")
    }

    @Test func theDaysNoticesAreWrittenWithoutJITCompilation() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let settings: String = try db.queryRow(
            "SELECT coalesce(array_to_string(proconfig, ','), '') AS s FROM pg_proc WHERE proname = 'notify_due'"
        ).decode("s")
        #expect(settings.split(separator: ",").contains("jit=off"))
    }
}
