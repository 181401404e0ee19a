import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard
import JSONCore

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh, fully migrated database with a superuser connection for set-up and checks, and a way
/// to log in to it as a new person holding any role.
///
/// Logins are cluster-wide while databases are not, so every login name is unique in the test
/// process (`s<pid>_<n>_<hint>`).
struct SecureDatabase {
    /// County A (文昌, Wenchang) and county B (秀英, Xiuying): A is the curious one.
    static let countyA = "469005"
    static let countyB = "460105"

    let conninfo: String
    /// The migrating superuser: set-up, and the view of the database "as it was".
    let superuser: PostgresConnection

    init() throws {
        conninfo = try TestCluster.makeDatabase()
        superuser = try PostgresConnection(conninfo)
    }

    /// Creates a login holding `role` (as an administrator would) and returns its name and conninfo.
    func login(_ role: RoleSpec, hint: String = "u") throws -> (name: String, conninfo: String) {
        let name = SecurityFixtures.uniqueName(hint)
        try Logins.add(name: name, role: role, on: superuser)
        return (name, conninfo + " user=\(name)")
    }

    /// A connection as a new person holding `role`.
    func connect(as role: RoleSpec) throws -> PostgresConnection {
        try PostgresConnection(try login(role).conninfo)
    }

    /// Everything the tables hold, as text: equal before and after a refused statement means
    /// nothing was half-written. Sequences are left out (a refused insert may consume an id).
    func snapshot() throws -> [String: String] {
        let tables: [String] = try superuser.query("""
            SELECT relname::text AS name FROM pg_class
            WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname
            """).rows.map { try $0.decode("name") }
        var result: [String: String] = [:]
        for table in tables where table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            let row = try superuser.queryRow(
                "SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS state FROM \"\(table)\" t")
            result[table] = try row.decode("state")
        }
        return result
    }

    /// `snapshot()` without `submissions` and the door's refusal notices: the door keeps every
    /// submission on record, a refused one included, and tells its county of a refusal
    /// (`submission_refused`, sql/122), so "nothing filed" is every other table, and every other
    /// notification, unchanged.
    func recordsSnapshot() throws -> [String: String] {
        var records = try snapshot().filter { $0.key != "submissions" }
        records["notifications"] = try superuser.queryRow("""
            SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS state
            FROM notifications t WHERE t.kind <> 'submission_refused'
            """).decode("state")
        return records
    }

    /// Every submission's state, counted: ["refused": 2, "accepted": 1].
    func submissionStates() throws -> [String: Int] {
        var states: [String: Int] = [:]
        for row in try superuser.query("SELECT state, count(*)::int AS n FROM submissions GROUP BY state").rows {
            states[try row.decode("state")] = try row.decode("n")
        }
        return states
    }

    /// Files a variant of the sample filing of `county` (its cluster name suffixed, so its content
    /// is new) through the submission door: sent on `connection` (a county's login, or the owner),
    /// checked at once by the coordinator's code as the owner; returns its filing id. Throws
    /// `TestDoor.Refused` when refused, the door's error (CR013, 42501) when not received.
    @discardableResult
    func file(county: String, suffix: String, on connection: PostgresConnection) throws -> Int64 {
        try TestDoor.file(try SecurityFixtures.submission(county: county, suffix: suffix), on: connection, checkingOn: superuser)
    }

    /// Records a completed review of `filing` with one finding, as the coordinator would (superuser).
    @discardableResult
    func review(filing: Int64) throws -> Int64 {
        let id: Int64 = try superuser.queryRow("""
            WITH done AS (DELETE FROM review_queue WHERE filing_id = $1 RETURNING *)
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
            SELECT f.id * 1000, f.id, f.county_code, 'decision', 'completed', 'needs_review', 1, now()
            FROM filings f WHERE f.id = $1
            RETURNING id
            """, filing).decode("id")
        try superuser.query("""
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT r.id, 'COMP-1', r.filing_id, r.county_code, 'competitiveness', '1', 'judgement', 'manual', 50,
                   '需人工判断', 'a person must judge', 'Standard 1(1)'
            FROM reviews r WHERE r.id = $1
            """, id)
        try superuser.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", filing)
        return id
    }
}

/// Shared helpers of the security tests.
enum SecurityFixtures {
    private static let counter = Counter()

    /// A login name no other test of this process uses.
    static func uniqueName(_ hint: String) -> String {
        "s\(getpid())_\(counter.next())_\(hint)"
    }

    /// The sample filing of `county` from config/samples, its cluster name suffixed with `suffix`
    /// and edited by `edit`, as the document a county would send.
    static func submission(county: String, suffix: String, edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> Data {
        let data = try sampleData(county: county)
        guard case .object(var root) = try JSONValue(parsing: data), case .object(var cluster)? = root["cluster"],
            let name = cluster["name"]?.string
        else { throw PostgresError.client("sample of \(county) has no cluster name") }
        cluster["name"] = .string("\(name) \(suffix)")
        root["cluster"] = .object(cluster)
        edit(&root)
        return try JSONEncoder().encode(JSONValue.object(root))
    }

    /// The bytes of the initial-application sample of `county`.
    static func sampleData(county: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: try samplePath(county: county)))
    }

    /// The path of the initial-application sample of `county`.
    static func samplePath(county: String) throws -> String {
        let directory = try TestCluster.installation.configDirectory.appendingPathComponent("samples")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        for name in names where name.hasPrefix(county) && name.hasSuffix(".json") {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            if (try? JSONValue(parsing: data))?["kind"]?.string == "initial" { return directory.appendingPathComponent(name).path }
        }
        throw PostgresError.client("no initial sample for county \(county)")
    }

    /// The SQLSTATE `body` fails with; nil when it succeeds ("client" for a client-side error).
    static func sqlState(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as PostgresError {
            return error.sqlState ?? "client: \(error)"
        } catch {
            return "other: \(error)"
        }
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func temporaryFile(_ data: Data, name: String = "filing.json") throws -> String {
        let directory = NSTemporaryDirectory() + "cr-sec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A counter guarded by a lock.
    final class Counter: @unchecked Sendable {
        // @unchecked: `value` is read and written only while `lock` is held.
        private let lock = NSLock()
        private var value = 0

        func next() -> Int {
            lock.lock()
            defer { lock.unlock() }
            value += 1
            return value
        }
    }
}

/// Every security suite, run one test at a time: they start databases, CLI processes and whole
/// coordinators, and the worker pool's timing tests running beside them need the CPU.
@Suite(.serialized) struct SecurityTests {}
