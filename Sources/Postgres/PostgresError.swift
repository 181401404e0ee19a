/// What a PostgreSQL server said about a failed statement, field by field.
///
/// Callers decide by `sqlState` (e.g. `23505` unique violation, `40001` serialization failure,
/// `42501` permission denied), never by parsing the message.
public struct ServerError: Sendable, Hashable, CustomStringConvertible {
    /// The five-character SQLSTATE code.
    public var sqlState: String
    public var severity: String
    public var message: String
    public var detail: String?
    public var hint: String?
    public var constraint: String?
    public var table: String?
    public var column: String?

    public init(
        sqlState: String, severity: String = "ERROR", message: String, detail: String? = nil,
        hint: String? = nil, constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.sqlState = sqlState
        self.severity = severity
        self.message = message
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    public var description: String {
        var text = "\(severity) \(sqlState): \(message)"
        if let detail { text += " (detail: \(detail))" }
        if let hint { text += " (hint: \(hint))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }

    /// SQLSTATE 23505: a unique constraint was violated.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE 42501: the role lacks a privilege or a row-level policy refused the row.
    public var isPermissionDenied: Bool { sqlState == "42501" }
}

/// Everything that can go wrong talking to PostgreSQL.
///
/// `connectionLost` is distinct from `server`: the first means retry on a new connection, the
/// second means the statement itself was refused. No case ever carries a password.
public enum PostgresError: Error, Sendable, CustomStringConvertible {
    /// Connecting failed; `target` names the host or socket directory and database, never the password.
    case connectionFailed(target: String, reason: String)
    /// The connection broke (server stopped, network lost); the statement's outcome is unknown
    /// unless it was inside a transaction, which the server rolls back.
    case connectionLost(reason: String)
    /// The server refused the statement.
    case server(ServerError)
    /// A column could not be read as the Swift type asked for.
    case decoding(column: String, expected: String, found: String)
    /// A column name or index that the result does not have.
    case noSuchColumn(String)
    /// The statement produced no row where one was required.
    case noRows(statement: String)
    /// libpq reported something this client did not expect (a misuse, a protocol surprise).
    case client(String)

    public var description: String {
        switch self {
        case .connectionFailed(let target, let reason):
            return "could not connect to PostgreSQL at \(target): \(reason)"
        case .connectionLost(let reason):
            return "the connection to PostgreSQL was lost: \(reason)"
        case .server(let error):
            return error.description
        case .decoding(let column, let expected, let found):
            return "column \"\(column)\" cannot be read as \(expected): found \(found)"
        case .noSuchColumn(let name):
            return "the result has no column \"\(name)\""
        case .noRows(let statement):
            return "the statement returned no row: \(statement.prefix(120))"
        case .client(let message):
            return "PostgreSQL client error: \(message)"
        }
    }

    /// The server's SQLSTATE, when the server refused the statement.
    public var sqlState: String? {
        if case .server(let error) = self { return error.sqlState }
        return nil
    }

    /// True when the error means the connection is gone and a new one is needed.
    public var isConnectionLoss: Bool {
        switch self {
        case .connectionLost, .connectionFailed: return true
        case .server(let error):
            // Class 08 is connection exception; 57P01..57P03 are admin/crash shutdown.
            return error.sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(error.sqlState)
        default: return false
        }
    }
}
