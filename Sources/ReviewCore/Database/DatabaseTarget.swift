import Foundation
import Postgres
import EmbeddedPostgres

/// Which PostgreSQL the CLI and the coordinator use.
///
/// `DATABASE_URL` wins; otherwise `PGHOST` (with the other `PG*` variables, as libpq reads them);
/// otherwise the private server under `.local/postgres`, database `cluster_review`.
public enum DatabaseTarget: Sendable, Equatable {
    /// A server named by a URL or conninfo string.
    case external(conninfo: String)
    /// The server the `PG*` environment variables name.
    case environment
    /// The private server in `directory`, and the database to use on it.
    case embedded(directory: URL, database: String)

    /// The database name the private server uses by default.
    public static let defaultDatabase = "cluster_review"

    /// The target for this process's environment.
    public static func resolve(
        environment: [String: String] = ProcessInfo.processInfo.environment, installation: Installation
    ) -> DatabaseTarget {
        if let url = environment["DATABASE_URL"], !url.isEmpty { return .external(conninfo: url) }
        if let host = environment["PGHOST"], !host.isEmpty { return .environment }
        return .embedded(directory: installation.localDirectory.appendingPathComponent("postgres"), database: defaultDatabase)
    }

    /// The private server, when this target is one.
    public var embeddedServer: EmbeddedPostgres? {
        if case .embedded(let directory, _) = self { return EmbeddedPostgres(directory: directory) }
        return nil
    }

    /// The conninfo to connect with. For the private server, starts it and creates the database first.
    public func prepare() throws -> String {
        switch self {
        case .external(let conninfo): return conninfo
        case .environment: return ""
        case .embedded(_, let database):
            let server = embeddedServer!
            try server.start()
            try server.createDatabase(database)
            return server.conninfo(database: database)
        }
    }

    /// A description for messages, without any password.
    public var displayName: String {
        switch self {
        case .external(let conninfo):
            return Self.redacted(conninfo)
        case .environment:
            return "the server named by PGHOST (\(ProcessInfo.processInfo.environment["PGHOST"] ?? ""))"
        case .embedded(let directory, let database):
            return "the private PostgreSQL in \(directory.path), database \(database)"
        }
    }

    /// `conninfo` with any password replaced by `***` (URL userinfo or `password=`).
    public static func redacted(_ conninfo: String) -> String {
        var text = conninfo
        if let scheme = text.range(of: "://"), let at = text.range(of: "@", range: scheme.upperBound..<text.endIndex) {
            let userinfo = text[scheme.upperBound..<at.lowerBound]
            if let colon = userinfo.firstIndex(of: ":") {
                text.replaceSubrange(text.index(after: colon)..<at.lowerBound, with: "***")
            }
        }
        if let range = text.range(of: #"password\s*=\s*('([^'\\]|\\.)*'|\S+)"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "password=***")
        }
        return text
    }
}
