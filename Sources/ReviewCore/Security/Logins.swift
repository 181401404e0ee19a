import Foundation
import IndicatorKit
import Postgres

/// A person's login: a PostgreSQL LOGIN role granted one of ClusterReview's group roles.
public struct Login: Sendable, Codable, Equatable {
    /// The role name the person connects as (`user=` in the conninfo, or `PGUSER`).
    public var name: String
    /// Role specs: `county:469005`, `reviewer`, `admin`, `coordinator`, `auditor`.
    public var roles: [String]
    /// False once disabled.
    public var canLogin: Bool

    enum CodingKeys: String, CodingKey {
        case name, roles
        case canLogin = "can_login"
    }
}

/// What a person may be made: one county, or one of the four staff roles.
public enum RoleSpec: Sendable, Equatable, CustomStringConvertible {
    /// A county's SME authority (`cr_county_<code>`): files and reads only that county's records.
    case county(String)
    /// Reads everything; confirms, decides, manages public notice (`cr_reviewer`).
    case reviewer
    /// Incidents, sweeps, settings, revocation confirmations, logins (`cr_admin`).
    case admin
    /// `cluster-review serve`: claims reviews, writes findings and aggregates (`cr_coordinator`).
    case coordinator
    /// Reads everything, the audit log included; writes nothing (`cr_auditor`).
    case auditor
    /// Sits on expert panels: reads only the filings assigned to it and scores their judgement criteria (`cr_expert`, sql/121).
    case expert

    /// Parses `county:469005`, `reviewer`, `admin`, `coordinator` or `auditor`; nil for anything
    /// else. A county code must have the shape of a Hainan code (46xxxx); the database checks that
    /// the county exists.
    public init?(_ text: String) {
        switch text {
        case "reviewer": self = .reviewer
        case "admin": self = .admin
        case "coordinator": self = .coordinator
        case "auditor": self = .auditor
        case "expert": self = .expert
        default:
            guard text.hasPrefix("county:") else { return nil }
            let code = String(text.dropFirst("county:".count))
            guard code.utf8.count == 6, code.hasPrefix("46"), code.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            self = .county(code)
        }
    }

    /// The spec as written on the command line and stored by `list_logins()`.
    public var description: String {
        switch self {
        case .county(let code): return "county:\(code)"
        case .reviewer: return "reviewer"
        case .admin: return "admin"
        case .coordinator: return "coordinator"
        case .auditor: return "auditor"
        case .expert: return "expert"
        }
    }

    /// The NOLOGIN group role this spec grants (created by sql/010_roles.sql).
    public var groupRole: String {
        switch self {
        case .county(let code): return "cr_county_\(code)"
        default: return "cr_\(description)"
        }
    }
}

/// People's logins: every statement that creates, lists or disables them lives here. The work is
/// done by the SECURITY DEFINER functions of sql/010_roles.sql, which check that the caller is an
/// administrator and quote the name with `format('%I')`; the name is also checked here first, so a
/// bad name is refused before it reaches the server.
public enum Logins {
    /// Why a login name is refused, or nil when it is acceptable: 2 to 63 characters, lower-case
    /// ASCII letters, digits and underscores, starting with a letter, not starting with `cr_` or
    /// `pg_` (those are the system's). Control characters, spaces, quotes and upper case are refused.
    public static func problem(withName name: String) -> LocalizedText? {
        let bytes = Array(name.utf8)
        let allowed = bytes.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F }
        guard (2...63).contains(bytes.count), allowed, let first = bytes.first, (0x61...0x7A).contains(first) else {
            let shown = name.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
            return LocalizedText(
                zh: "登录名“\(shown)”无效：请用 2 到 63 个小写字母、数字或下划线，以字母开头，例如 wenchang_li",
                en: "'\(shown)' is not a valid login name: use 2 to 63 lower-case letters, digits and underscores, starting with a letter, e.g. wenchang_li")
        }
        if name.hasPrefix("cr_") || name.hasPrefix("pg_") {
            return LocalizedText(
                zh: "登录名不能以 cr_ 或 pg_ 开头（系统保留）", en: "a login name may not start with cr_ or pg_ (reserved for the system)")
        }
        return nil
    }

    /// Creates login `name` granted `role`; returns the group role granted. The caller must be an
    /// administrator (42501 otherwise); an existing role name fails with 42710, an unknown county
    /// with 22023. A nil `password` creates a login for peer or trust authentication. Only the
    /// password's SCRAM verifier leaves this process (`stored(_:for:on:)`).
    @discardableResult
    public static func add(name: String, role: RoleSpec, password: String? = nil, on connection: PostgresConnection) throws -> String {
        try connection.queryRow("SELECT create_login($1, $2, $3) AS role", name, role.description,
                                try stored(password, for: name, on: connection)).decode("role")
    }

    /// What the database is given for `password`: its SCRAM-SHA-256 verifier, so the password is in
    /// no statement, parameter log or `pg_stat_activity` row; PostgreSQL stores a verifier as it is.
    /// An empty password goes as it is, for the server to refuse as it always did.
    static func stored(_ password: String?, for name: String, on connection: PostgresConnection) throws -> String? {
        guard let password, !password.isEmpty else { return password }
        return try connection.scramVerifier(of: password, for: name)
    }

    /// Every login holding a ClusterReview role, by name.
    public static func list(on connection: PostgresConnection) throws -> [Login] {
        try connection.query("SELECT name, to_jsonb(roles) AS roles, can_login FROM list_logins()").rows.map { row in
            Login(name: try row.decode("name"), roles: try row.decode("roles", as: JSONB.self).decode([String].self),
                  canLogin: try row.decode("can_login"))
        }
    }

    /// Disables login `name` (NOLOGIN, its ClusterReview roles revoked); what it did stays on record.
    /// Administrators only (42501); 42704 when no such login holds a ClusterReview role.
    public static func disable(name: String, on connection: PostgresConnection) throws {
        try connection.query("SELECT disable_login($1)", name)
    }

    /// Creates the first administrator's login `name` (sql/023 `bootstrap_admin`). Only the database
    /// owner — the role that ran `migrate` — may (42501 otherwise); refused with `.alreadyDone`
    /// (CR009) once an enabled login holds the administrator's role. Returns the group role granted.
    @discardableResult
    public static func bootstrap(name: String, password: String? = nil, on connection: PostgresConnection) throws -> String {
        try LifecycleError.mapping {
            try connection.queryRow("SELECT bootstrap_admin($1, $2) AS role", name, try stored(password, for: name, on: connection)).decode("role")
        }
    }

    /// The person this connection acts as (`cr_person()`: the login) and the role specs it holds.
    public static func whoami(on connection: PostgresConnection) throws -> Login {
        let row = try connection.queryRow("""
            SELECT cr_person() AS name,
                   to_jsonb(coalesce(array_agg(CASE WHEN g.rolname ~ '^cr_county_' THEN 'county:' || substr(g.rolname, 11)
                                           ELSE substr(g.rolname, 4) END ORDER BY g.rolname)
                            FILTER (WHERE g.rolname IS NOT NULL), '{}')) AS roles
            FROM (SELECT rolname FROM pg_roles
                  WHERE rolname ~ '^cr_(county_[0-9]{6}|reviewer|admin|coordinator|auditor)$'
                    AND pg_has_role(cr_person(), oid, 'USAGE')) g
            RIGHT JOIN (SELECT 1) one ON true
            """)
        return Login(name: try row.decode("name"), roles: try row.decode("roles", as: JSONB.self).decode([String].self), canLogin: true)
    }
}
