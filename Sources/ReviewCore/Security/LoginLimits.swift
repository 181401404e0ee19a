import Foundation
import IndicatorKit
import Postgres

/// The limits every county and reviewer login gets (sql/023 `role_limits`; `config/limits.json`
/// overrides the migration's defaults): statement and idle-transaction timeouts, a temporary-file
/// limit, a connection limit, and for counties the most filings waiting for review.
///
/// Timeouts are PostgreSQL durations (`30s`, `5min`); the file limit a size (`100MB`) or `-1`.
/// The statement and idle timeouts are defaults a deliberate client can lift in its own session
/// (PostgreSQL lets any role change them); the file and connection limits it cannot.
public struct LoginLimits: Sendable, Hashable, Codable {
    /// The limits of one group role's logins.
    public struct Group: Sendable, Hashable, Codable {
        public var statementTimeout: String
        public var idleInTransactionSessionTimeout: String
        public var tempFileLimit: String
        public var connectionLimit: Int
        /// Counties only: filings of the county waiting for review at once.
        public var maxPendingFilings: Int?

        public init(statementTimeout: String, idleInTransactionSessionTimeout: String, tempFileLimit: String,
                    connectionLimit: Int, maxPendingFilings: Int? = nil) {
            self.statementTimeout = statementTimeout
            self.idleInTransactionSessionTimeout = idleInTransactionSessionTimeout
            self.tempFileLimit = tempFileLimit
            self.connectionLimit = connectionLimit
            self.maxPendingFilings = maxPendingFilings
        }

        enum CodingKeys: String, CodingKey {
            case statementTimeout = "statement_timeout"
            case idleInTransactionSessionTimeout = "idle_in_transaction_session_timeout"
            case tempFileLimit = "temp_file_limit"
            case connectionLimit = "connection_limit"
            case maxPendingFilings = "max_pending_filings"
        }
    }

    /// County logins (`cr_county`); nil keeps the database's values.
    public var county: Group?
    /// Reviewer logins (`cr_reviewer`); nil keeps the database's values.
    public var reviewer: Group?

    public init(county: Group? = nil, reviewer: Group? = nil) {
        self.county = county
        self.reviewer = reviewer
    }

    /// Reads `config/limits.json`; throws `LifecycleConfigurationError` for a bad file or value.
    public static func load(from url: URL) throws -> LoginLimits {
        let limits: LoginLimits
        do {
            limits = try JSONDecoder().decode(LoginLimits.self, from: Data(contentsOf: url))
        } catch {
            throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "\(error)")
        }
        for (name, group) in [("county", limits.county), ("reviewer", limits.reviewer)] {
            guard let group else { continue }
            if let problem = group.problem(county: name == "county") {
                throw LifecycleConfigurationError(file: url.lastPathComponent, problem: "\(name): \(problem)")
            }
        }
        return limits
    }

    /// The limits of `configDirectory/limits.json`, or nil when there is no such file.
    public static func load(configDirectory: URL) throws -> LoginLimits? {
        let url = configDirectory.appendingPathComponent("limits.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try load(from: url)
    }
}

extension LoginLimits.Group {
    /// What is wrong with these values (the same rules as the table's CHECKs), or nil.
    func problem(county: Bool) -> String? {
        let duration = #/^[0-9]{1,9}(ms|s|min|h)?$/#
        let size = #/^([0-9]{1,9}(kB|MB|GB|TB)?|-1)$/#
        if statementTimeout.wholeMatch(of: duration) == nil { return "statement_timeout must be a duration such as 30s" }
        if idleInTransactionSessionTimeout.wholeMatch(of: duration) == nil {
            return "idle_in_transaction_session_timeout must be a duration such as 60s"
        }
        if tempFileLimit.wholeMatch(of: size) == nil { return "temp_file_limit must be a size such as 100MB, or -1" }
        if !(1...1000).contains(connectionLimit) { return "connection_limit must be 1 to 1000" }
        if county {
            guard let pending = maxPendingFilings, (1...100_000).contains(pending) else {
                return "max_pending_filings must be 1 to 100000"
            }
        } else if maxPendingFilings != nil {
            return "max_pending_filings is for counties only"
        }
        return nil
    }
}

/// One line of `security_check()`: a login's limit or a piece of the database's hardening.
public struct SecurityCheckItem: Sendable, Hashable, Codable {
    /// A login's name, or `database`.
    public var subject: String
    /// The limit (`statement_timeout`, `connection_limit`, …) or the hardening item (`large objects`, …).
    public var item: String
    /// False when it is missing or different.
    public var ok: Bool
    public var expected: String
    public var actual: String?
    /// The SQL that fixes it, when SQL does (for a superuser or the database owner, as `fix` says).
    public var statements: String?
    /// What fixes it: who runs what, in Chinese and English.
    public var fix: LocalizedText
}

extension Logins {
    /// Installs `limits` into `role_limits` when the person may (an administrator); a changed row
    /// reaches every login of that group at once. Returns false when the person may not (nothing done).
    @discardableResult
    public static func install(limits: LoginLimits, on connection: PostgresConnection) throws -> Bool {
        let allowed: Bool = try connection.queryRow(
            "SELECT has_table_privilege('role_limits', 'UPDATE') AS allowed").decode("allowed")
        guard allowed else { return false }
        try connection.transaction { connection in
            for (group, values) in [("cr_county", limits.county), ("cr_reviewer", limits.reviewer)] {
                guard let values else { continue }
                _ = try connection.query(
                    """
                    UPDATE role_limits SET statement_timeout = $2, idle_in_transaction_session_timeout = $3, temp_file_limit = $4,
                        connection_limit = $5, max_pending_filings = $6
                    WHERE group_role = $1
                      AND (statement_timeout, idle_in_transaction_session_timeout, temp_file_limit, connection_limit, max_pending_filings)
                          IS DISTINCT FROM ($2, $3, $4, $5, $6)
                    """,
                    [group, values.statementTimeout, values.idleInTransactionSessionTimeout, values.tempFileLimit,
                     values.connectionLimit, values.maxPendingFilings])
            }
        }
        return true
    }

    /// Sets the limits on every login again (an administrator's); returns the logins whose
    /// temp_file_limit could not be set (the owner lacks `SET` on it).
    public static func applyLimits(on connection: PostgresConnection) throws -> [String: [String]] {
        var skipped: [String: [String]] = [:]
        for row in try connection.query("SELECT name, to_jsonb(skipped) AS skipped FROM apply_login_limits()").rows {
            let settings = try row.decode("skipped", as: JSONB.self).decode([String].self)
            if !settings.isEmpty { skipped[try row.decode("name")] = settings }
        }
        return skipped
    }

    /// Every login's limits and the database's hardening, as `security_check()` finds them (administrators and auditors).
    public static func securityCheck(on connection: PostgresConnection) throws -> [SecurityCheckItem] {
        try connection.query("SELECT subject, item, ok, expected, actual, statements, fix, fix_zh FROM security_check()").rows.map { row in
            SecurityCheckItem(
                subject: try row.decode("subject"), item: try row.decode("item"), ok: try row.decode("ok"),
                expected: try row.decode("expected"), actual: try row.decode("actual"), statements: try row.decode("statements"),
                fix: LocalizedText(zh: try row.decode("fix_zh"), en: try row.decode("fix")))
        }
    }
}
