import Foundation
import Postgres

/// One schema change: `sql/NNN_name.sql`, applied once, in order, in its own transaction.
public struct Migration: Sendable, Hashable {
    public var version: Int
    public var name: String
    public var sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// What `Migrator.migrate` did.
public struct MigrationReport: Sendable, Equatable {
    /// Migrations applied by this run, in order.
    public var applied: [String]
    /// Migrations found already applied (checksums verified).
    public var alreadyApplied: Int
}

/// Applies the migrations in `sql/` to a database.
///
/// Each migration runs in its own transaction and is recorded in `schema_migrations` with the
/// SHA-256 of its text (computed by the server). A recorded migration whose file has changed is
/// refused. A session-level advisory lock makes concurrent runs safe: the second waits, then
/// finds everything applied.
public enum Migrator {
    /// The advisory lock key: the first 8 bytes of "cluster-review migrate" would do, any fixed value works.
    static let lockKey: Int64 = 0x4352_4D49_4752_4154

    /// True when the database holds the schema a coordinator needs (the queue, the review context,
    /// the submission door of sql/026 and the checked writes of sql/027): `serve` refuses to start
    /// on a database that is not migrated.
    public static func isMigrated(_ connection: PostgresConnection) throws -> Bool {
        try connection.queryRow(
            """
            SELECT to_regclass('review_queue') IS NOT NULL AND to_regprocedure('review_context(bigint)') IS NOT NULL
                   AND to_regprocedure('file_submissions(bigint[], jsonb[])') IS NOT NULL
                   AND to_regprocedure('claim_reviews(integer, interval, text, jsonb)') IS NOT NULL AS ready
            """).decode("ready")
    }

    /// Reads `NNN_name.sql` files from `directory`, sorted by number.
    /// - Throws: `MigrationError.badFileName` or `.duplicateVersion`.
    public static func load(from directory: URL) throws -> [Migration] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in names {
            let stem = String(file.dropLast(4))
            let parts = stem.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 3, let version = Int(parts[0]), version > 0 else {
                throw MigrationError.badFileName(file)
            }
            if let other = migrations.first(where: { $0.version == version }) {
                throw MigrationError.duplicateVersion(version, first: other.name, second: stem)
            }
            let sql = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            migrations.append(Migration(version: version, name: stem, sql: sql))
        }
        return migrations.sorted { $0.version < $1.version }
    }

    /// Applies every migration not yet recorded; verifies the checksums of those that are.
    /// - Parameter progress: called with each migration's name just before it is applied.
    public static func migrate(
        _ connection: PostgresConnection, migrations: [Migration], progress: (String) -> Void = { _ in }
    ) throws -> MigrationReport {
        try connection.query("SELECT pg_advisory_lock($1)", lockKey)
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", lockKey) }
        try connection.executeScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT session_user
            )
            """)
        var recorded: [Int: (name: String, checksum: String)] = [:]
        for row in try connection.query("SELECT version, name, checksum FROM schema_migrations").rows {
            recorded[try row.decode("version")] = (try row.decode("name"), try row.decode("checksum"))
        }
        let known = Set(migrations.map(\.version))
        if let unknown = recorded.keys.sorted().first(where: { !known.contains($0) }) {
            throw MigrationError.unknownApplied(version: unknown, name: recorded[unknown]!.name)
        }
        var report = MigrationReport(applied: [], alreadyApplied: 0)
        for migration in migrations {
            let checksum: String = try connection.queryRow(
                "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex') AS sum", migration.sql
            ).decode("sum")
            if let existing = recorded[migration.version] {
                guard existing.checksum == checksum else {
                    throw MigrationError.changedAfterApplied(name: migration.name, recorded: existing.checksum, current: checksum)
                }
                report.alreadyApplied += 1
                continue
            }
            progress(migration.name)
            // Roles and their grants are shared by every database of the server, and the advisory
            // lock above is per database: the same migration applied at the same moment to a
            // second database of the server can collide on a role's catalog row ("tuple
            // concurrently updated"). The transaction was rolled back whole, so it is tried again.
            var attempt = 1
            while true {
                do {
                    try connection.transaction { connection in
                        try connection.executeScript(migration.sql)
                        try connection.query(
                            "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                            migration.version, migration.name, checksum)
                    }
                    break
                } catch let error as PostgresError where attempt < 5 && Self.isConcurrentCatalogUpdate(error) {
                    attempt += 1
                    usleep(UInt32(20_000 * attempt))
                } catch let error as PostgresError {
                    throw MigrationError.failed(name: migration.name, underlying: error)
                }
            }
            report.applied.append(migration.name)
        }
        return report
    }
}

extension Migrator {
    /// A collision with another session changing the same shared catalog row, or a deadlock or
    /// serialization failure: nothing was applied, and the same statements may simply run again.
    static func isConcurrentCatalogUpdate(_ error: PostgresError) -> Bool {
        switch error.sqlState {
        case "40001", "40P01": return true
        case "XX000": return "\(error)".contains("tuple concurrently updated")
        default: return false
        }
    }
}

/// Why migrating stopped. Nothing of the failing migration is left applied.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    case badFileName(String)
    case duplicateVersion(Int, first: String, second: String)
    case changedAfterApplied(name: String, recorded: String, current: String)
    case unknownApplied(version: Int, name: String)
    case failed(name: String, underlying: PostgresError)

    public var description: String {
        switch self {
        case .badFileName(let file):
            return "migration file \(file) is not named NNN_name.sql (three digits, an underscore, a name)"
        case .duplicateVersion(let version, let first, let second):
            return "migrations \(first) and \(second) share the number \(version)"
        case .changedAfterApplied(let name, let recorded, let current):
            return "migration \(name) was changed after it was applied (recorded sha256 \(recorded.prefix(12))…, file \(current.prefix(12))…); "
                + "restore the file and add a new migration instead"
        case .unknownApplied(let version, let name):
            return "the database has migration \(version) (\(name)) that this version of cluster-review does not know; upgrade cluster-review"
        case .failed(let name, let underlying):
            return "migration \(name) failed and was rolled back: \(underlying)"
        }
    }
}
