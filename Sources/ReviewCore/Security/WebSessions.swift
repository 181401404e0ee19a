import Foundation
import Postgres

/// A person the web door acts as: who signed in, and the role specs they hold.
public struct WebPerson: Sendable, Hashable, Codable {
    /// The person's login (`cr_person()` names it in every check and audit row).
    public var login: String
    /// The role specs the login holds: `county:469005`, `reviewer`, `admin`, `auditor`.
    public var roles: [String]

    /// A person with `login` holding `roles`.
    public init(login: String, roles: [String]) {
        self.login = login
        self.roles = roles
    }

    /// The county codes the person files for (their `county:` roles).
    public var counties: [String] {
        roles.compactMap { $0.hasPrefix("county:") ? String($0.dropFirst("county:".count)) : nil }
    }

    /// True when the person holds role spec `role` (`reviewer`, `admin`, `auditor`).
    public func holds(_ role: String) -> Bool { roles.contains(role) }

    /// True for provincial staff (reviewer, administrator, auditor): they read every county.
    public var isStaff: Bool { holds("reviewer") || holds("admin") || holds("auditor") }
}

/// What the web door's authenticator found when it checked itself at start.
public struct WebAuthenticatorCheck: Sendable, Hashable {
    /// The login the door connected as (`session_user`); must be `WebSessions.authenticator`.
    public var login: String
    /// Whether the migration that makes the door (sql/040) has run on this database.
    public var migrated: Bool
    /// Whether that login inherits privileges (it must not: NOINHERIT).
    public var inherits: Bool
    /// Whether that login holds powers of its own (superuser, createrole, bypassrls …).
    public var powerful: Bool
    /// A login the authenticator may become, to test that the server checks passwords; nil when
    /// no person has a login yet.
    public var probeLogin: String?
}

/// The web door's statements: its sessions, and how each request becomes the person (or the
/// public). Every statement that touches `web_sessions` or sets the role lives here; the work is
/// done by sql/040's functions, which only the authenticator (`cr_web`) may execute.
///
/// A request's transaction, on a connection of the authenticator: `person(tokenHash:)` finds who
/// the session is (as `cr_web`, which may execute nothing else), then `become(_:)` sets the role
/// and `cluster_review.person` for the rest of the transaction only (`SET LOCAL`), so the person's
/// privileges, row-level security and every check apply to what the page reads and does, and the
/// next request on the same connection starts as `cr_web` again.
public enum WebSessions {
    /// The authenticator login `cr_person()` recognizes.
    public static let authenticator = "cr_web"
    /// The role anonymous requests run as.
    public static let publicRole = "cr_public"

    /// Who this connection is, whether the web door's migration ran, and a login to probe.
    public static func checkAuthenticator(on connection: PostgresConnection) throws -> WebAuthenticatorCheck {
        let row = try connection.queryRow("""
            SELECT session_user::text AS login,
                   to_regprocedure('web_session_person(bytea)') IS NOT NULL AS migrated,
                   r.rolinherit AS inherits,
                   (r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls) AS powerful,
                   (SELECT p.rolname::text FROM pg_auth_members m JOIN pg_roles p ON p.oid = m.roleid
                    WHERE m.member = r.oid AND p.rolcanlogin AND NOT p.rolsuper AND p.rolname !~ '^(cr|pg)_'
                    ORDER BY p.rolname LIMIT 1) AS probe
            FROM pg_roles r WHERE r.rolname = session_user
            """)
        return WebAuthenticatorCheck(
            login: try row.decode("login"), migrated: try row.decode("migrated"), inherits: try row.decode("inherits"),
            powerful: try row.decode("powerful"), probeLogin: try row.decode("probe"))
    }

    /// Opens a session for `person`, who has just proved their password: stores `tokenHash` (the
    /// SHA-256 of the token, never the token) with the idle timeout and the lifetime. False, storing
    /// nothing, when the door may not act as that login (not a person's: a coordinator, the owner…).
    public static func open(
        tokenHash: Data, person: String, idle: Duration, lifetime: Duration, address: String, on connection: PostgresConnection
    ) throws -> Bool {
        try connection.queryRow(
            "SELECT web_session_open($1, $2, $3::integer, $4::integer, $5) AS opened",
            tokenHash, person, Int(idle.components.seconds), Int(lifetime.components.seconds), address
        ).decode("opened")
    }

    /// The person of the live session whose token hashes to `tokenHash`, or nil when there is none
    /// or it has expired (an expired session is deleted when this transaction commits).
    public static func person(tokenHash: Data, on connection: PostgresConnection) throws -> WebPerson? {
        let result = try connection.queryPrepared(
            "SELECT person, to_jsonb(roles) AS roles FROM web_session_person($1)", [tokenHash])
        guard result.rowCount > 0 else { return nil }
        let row = result[0]
        return WebPerson(login: try row.decode("person"), roles: try row.decode("roles", as: JSONB.self).decode([String].self))
    }

    /// Runs `body` in one transaction as the person of the live session whose token hashes to
    /// `tokenHash` — `person(tokenHash:)` and `become(_:)` in one statement, sent with the
    /// transaction's `BEGIN` in one round trip — or, when there is no live session, with nil and
    /// still as the authenticator (the transaction commits, so an expired session is deleted).
    ///
    /// The session is looked up by `web_session_person`, as `cr_web`; the role, the person
    /// `cr_person()` names, the statement timeout and `synchronous_commit` are set (`SET LOCAL`)
    /// by the same statement for its one row only, after the function returned, from the row's
    /// person alone: no row, no role. See `become` for `durable`.
    public static func asPerson<T>(
        tokenHash: Data, statementTimeout: Duration, durable: Bool, on connection: PostgresConnection,
        _ body: (PostgresConnection, WebPerson?) throws -> T
    ) throws -> T {
        try connection.transaction(
            startingWith: """
                SELECT p.person, to_jsonb(p.roles) AS roles,
                       set_config('role', p.person, true), set_config('cluster_review.person', p.person, true),
                       set_config('statement_timeout', $2, true), set_config('synchronous_commit', $3, true)
                FROM web_session_person($1) p
                """,
            [tokenHash, milliseconds(statementTimeout), durable ? "on" : "off"]
        ) { connection, found in
            guard found.rowCount > 0 else { return try body(connection, nil) }
            let row = found[0]
            let person = WebPerson(login: try row.decode("person"), roles: try row.decode("roles", as: JSONB.self).decode([String].self))
            return try body(connection, person)
        }
    }

    /// Ends the session whose token hashes to `tokenHash`; true when there was one.
    @discardableResult
    public static func close(tokenHash: Data, on connection: PostgresConnection) throws -> Bool {
        try connection.queryRow("SELECT web_session_close($1) AS closed", tokenHash).decode("closed")
    }

    /// Makes the rest of this transaction run as `person`: `SET LOCAL ROLE` and the person
    /// `cr_person()` names, in one statement with one parameter, so the two can never differ;
    /// `statementTimeout` bounds each statement of the request. Must run inside a transaction.
    ///
    /// `durable` false (a page that only reads) lets the commit return before its WAL is flushed
    /// (`synchronous_commit = off` for this transaction only): the only thing such a transaction
    /// writes is the session's once-a-minute `last_seen_at` (and deletions of expired sessions),
    /// which a crash may lose harmlessly, so a read never waits for a disk flush. Anything a person
    /// does (a form's POST) stays durable.
    public static func become(_ person: String, statementTimeout: Duration, durable: Bool = true, on connection: PostgresConnection) throws {
        try connection.queryPrepared(
            """
            SELECT set_config('role', $1, true), set_config('cluster_review.person', $1, true), set_config('statement_timeout', $2, true),
                   set_config('synchronous_commit', $3, true)
            """,
            [person, milliseconds(statementTimeout), durable ? "on" : "off"])
    }

    /// Makes the rest of this transaction run as the public (`cr_public`), who may read only what
    /// the province publishes. Must run inside a transaction.
    /// (The public only reads: its commit never waits for a flush; see `become`'s `durable`.)
    public static func becomePublic(statementTimeout: Duration, on connection: PostgresConnection) throws {
        try connection.queryPrepared(
            """
            SELECT set_config('role', $1, true), set_config('cluster_review.person', '', true), set_config('statement_timeout', $2, true),
                   set_config('synchronous_commit', 'off', true)
            """,
            [publicRole, milliseconds(statementTimeout)])
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }
}
