import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

/// The keys of sweep actions and notices, checked once per statement (sql/162): a sweep action or
/// a notice naming a missing register entry, sweep or filing is still refused with 23503 — as the
/// owner too, in a statement of many rows, and when an update changes the key —; and the rows the
/// keys name are never deleted, truncated nor rekeyed, which is what lets the check go without the
/// foreign key's lock.
@Suite struct SweepKeyTests {
    typealias F = LifecycleFixture

    static let missing: Int64 = 999_999_999

    /// A register entry (its id and its filing's) and a sweep.
    static func entryAndSweep(_ db: PostgresConnection) throws -> (cluster: Int64, filing: Int64, sweep: Int64) {
        let cluster = try F.recognizedCluster(db)
        let filing: Int64 = try db.queryRow("SELECT filing_id FROM clusters WHERE id = $1", [cluster]).decode("filing_id")
        let sweep: Int64 = try db.queryRow("INSERT INTO sweeps (slot, as_of) VALUES ('keys', cr_today()) RETURNING id").decode("id")
        return (cluster, filing, sweep)
    }

    /// Inserts one sweep action per register entry in `clusters`, in one statement.
    static func insertActions(_ db: PostgresConnection, sweep: Int64, clusters: [Int64]) throws {
        _ = try db.query(
            """
            INSERT INTO sweep_actions (sweep_id, run_no, cluster_id, action, ground, subject, evidence, state, found_on)
            SELECT $1, 1, c, 'expiry_notice', '', 'keys:' || n, '{}', 'notice', cr_today()
            FROM unnest($2::bigint[]) WITH ORDINALITY AS x(c, n)
            """, [sweep, "{" + clusters.map(String.init).joined(separator: ",") + "}"])
    }

    static func insertNotice(_ db: PostgresConnection, filing: Int64?, cluster: Int64?) throws -> Int64 {
        try db.queryRow(
            """
            INSERT INTO notifications (kind, event, recipient_role, filing_id, cluster_id, payload)
            VALUES ('revoked', 'keys:' || coalesce($1::text, '-') || '/' || coalesce($2::text, '-'), 'cr_admin', $1::bigint, $2::bigint, '{}')
            RETURNING id
            """, [filing.map { String($0) }, cluster.map { String($0) }]).decode("id")
    }

    @Test func aSweepActionNamingAMissingRegisterEntryIsRefusedWith23503() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, _, sweep) = try Self.entryAndSweep(db)
        try Self.insertActions(db, sweep: sweep, clusters: [cluster])
        let state = SecurityFixtures.sqlState { try Self.insertActions(db, sweep: sweep, clusters: [Self.missing]) }
        #expect(state == "23503")
    }

    @Test func aSweepActionNamingAMissingSweepIsRefusedWith23503() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, _, _) = try Self.entryAndSweep(db)
        let state = SecurityFixtures.sqlState { try Self.insertActions(db, sweep: Self.missing, clusters: [cluster]) }
        #expect(state == "23503")
    }

    @Test func oneMissingEntryAmongManyRefusesTheWholeStatement() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, _, sweep) = try Self.entryAndSweep(db)
        let state = SecurityFixtures.sqlState {
            try Self.insertActions(db, sweep: sweep, clusters: [cluster, Self.missing, cluster])
        }
        #expect(state == "23503")
        #expect(try F.count(db, "SELECT count(*)::int FROM sweep_actions WHERE subject LIKE 'keys:%'") == 0)
    }

    @Test func aNoticeNamingAMissingRegisterEntryIsRefusedWith23503() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, filing, _) = try Self.entryAndSweep(db)
        _ = try Self.insertNotice(db, filing: filing, cluster: cluster)
        let state = SecurityFixtures.sqlState { _ = try Self.insertNotice(db, filing: filing, cluster: Self.missing) }
        #expect(state == "23503")
    }

    @Test func aNoticeNamingAMissingFilingIsRefusedWith23503() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, _, _) = try Self.entryAndSweep(db)
        let state = SecurityFixtures.sqlState { _ = try Self.insertNotice(db, filing: Self.missing, cluster: cluster) }
        #expect(state == "23503")
    }

    @Test func aNoticeMovedToAMissingRegisterEntryIsRefusedWith23503() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, filing, _) = try Self.entryAndSweep(db)
        let notice = try Self.insertNotice(db, filing: filing, cluster: cluster)
        let state = SecurityFixtures.sqlState {
            _ = try db.query("UPDATE notifications SET cluster_id = $1 WHERE id = $2", [Self.missing, notice])
        }
        #expect(state == "23503")
    }

    @Test func theOwnerCanNeitherDeleteNorTruncateARegisterEntryAFilingOrASweep() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, filing, sweep) = try Self.entryAndSweep(db)
        var states: [String: String] = [:]
        for (table, id) in [("clusters", cluster), ("filings", filing), ("sweeps", sweep)] {
            states["DELETE \(table)"] = SecurityFixtures.sqlState { _ = try db.query("DELETE FROM \(table) WHERE id = $1", [id]) } ?? "done"
            states["TRUNCATE \(table)"] = SecurityFixtures.sqlState { _ = try db.query("TRUNCATE \(table) CASCADE") } ?? "done"
        }
        #expect(states.values.allSatisfy { $0 == "23001" }, "\(states)")
    }

    @Test func theOwnerCannotChangeTheIdOfARegisterEntryAFilingOrASweep() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let (cluster, filing, sweep) = try Self.entryAndSweep(db)
        var states: [String: String] = [:]
        for (table, id) in [("clusters", cluster), ("filings", filing), ("sweeps", sweep)] {
            states[table] = SecurityFixtures.sqlState { _ = try db.query("UPDATE \(table) SET id = DEFAULT WHERE id = $1", [id]) } ?? "done"
        }
        #expect(states.values.allSatisfy { $0 == "23001" }, "\(states)")
    }

    @Test func sweepActionsAndNoticesHaveNoRowByRowForeignKeyOnTheirKeys() throws {
        let db = try TestCluster.connect()
        defer { db.close() }
        let keys = try db.query(
            """
            SELECT conrelid::regclass::text || '.' || a.attname AS key
            FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
            WHERE c.contype = 'f' AND c.conrelid IN ('sweep_actions'::regclass, 'notifications'::regclass)
            """).rows.map { try $0.decode("key", as: String.self) }
        #expect(!keys.contains("sweep_actions.cluster_id"))
        #expect(!keys.contains("sweep_actions.sweep_id"))
        #expect(!keys.contains("notifications.cluster_id"))
        #expect(!keys.contains("notifications.filing_id"))
    }
}
