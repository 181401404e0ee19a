import CLibPQ
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One connection to a PostgreSQL server, over libpq.
///
/// Blocking and single-owner: it is deliberately not `Sendable`, so the compiler keeps it with the
/// one task (or the one `PostgresSession` actor) that owns it. Every value travels as a `$n`
/// parameter. When the connection breaks, calls throw `PostgresError.connectionLost`; this type
/// never reconnects by itself — its owner (see `PostgresSession`) opens a new one.
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// Where this connection points: host or socket directory, port and database. Never a password.
    public let target: String
    private var transactionDepth = 0
    private var preparedStatements: [String: String] = [:]

    /// Session settings every connection runs with, so that decoding is unambiguous.
    private static let sessionOptions = "-c DateStyle=ISO,YMD -c TimeZone=UTC -c IntervalStyle=iso_8601 -c extra_float_digits=3 -c client_min_messages=warning"

    /// Connects with a URL (`postgresql://…`) or a conninfo string (`host=… dbname=…`); an empty
    /// string uses the `PG*` environment variables alone, as libpq does.
    ///
    /// - Throws: `PostgresError.connectionFailed` naming the server or socket and the reason.
    public convenience init(_ conninfo: String = "", applicationName: String = "cluster-review") throws {
        try self.init(conninfo, applicationName: applicationName, overriding: [])
    }

    /// Connects as `user` with `password` to the server and database `conninfo` names, whatever
    /// user, password or password file `conninfo` itself gives: the web door proves a person's
    /// password this way, to the same database its own login uses. The password is handed to libpq
    /// only; it is never part of an error, a log line or `target`.
    public convenience init(_ conninfo: String, applicationName: String = "cluster-review", user: String, password: String) throws {
        try self.init(conninfo, applicationName: applicationName, overriding: [("user", user), ("password", password)])
    }

    /// Connects with `conninfo`, then `overriding` key words: libpq takes a key word given after
    /// the expanded `dbname` over the same key word inside it.
    private init(_ conninfo: String, applicationName: String, overriding: [(String, String)]) throws {
        let keys = ["dbname", "application_name", "options", "client_encoding"] + overriding.map(\.0)
        let values = [conninfo, applicationName, Self.sessionOptions, "UTF8"] + overriding.map(\.1)
        let connection = Self.withCStrings(keys) { keyPointers in
            Self.withCStrings(values) { valuePointers in
                PQconnectdbParams(keyPointers, valuePointers, 1)
            }
        }
        let described = Self.describe(connection)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            let reason = connection.map { Self.trimmed(String(cString: PQerrorMessage($0))) } ?? "out of memory"
            if let connection { PQfinish(connection) }
            throw PostgresError.connectionFailed(target: described, reason: reason)
        }
        handle = connection
        target = described
    }

    deinit {
        if let handle { PQfinish(handle) }
    }

    /// Closes the connection; further calls throw `connectionLost`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// True while the connection is open and libpq believes it healthy.
    public var isOpen: Bool {
        guard let handle else { return false }
        return PQstatus(handle) == CONNECTION_OK
    }

    /// True while a transaction block is open on the server — begun by `transaction` or by the
    /// caller's own `BEGIN` (libpq's `PQtransactionStatus`: in a block, or in a failed one).
    public var isInTransactionBlock: Bool {
        guard let handle else { return false }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server process id serving this connection (useful to terminate it in tests).
    public var backendPID: Int32 {
        guard let handle else { return 0 }
        return PQbackendPID(handle)
    }

    // MARK: - Statements

    /// Runs one statement with `$1…$n` parameters and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> QueryResult {
        let connection = try liveHandle()
        let values = parameters.map(\.postgresValue)
        let result = Self.withParameters(values) { types, pointers, lengths, formats in
            PQexecParams(connection, sql, Int32(values.count), types, pointers, lengths, formats, 0)
        }
        return try check(result, statement: sql)
    }

    /// Runs one statement with variadic parameters.
    @discardableResult
    public func query(_ sql: String, _ parameters: any PostgresEncodable...) throws -> QueryResult {
        try query(sql, parameters)
    }

    /// Runs a statement through a prepared statement cached on this connection by its SQL text;
    /// for statements on hot paths that run many times.
    @discardableResult
    public func queryPrepared(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> QueryResult {
        let connection = try liveHandle()
        let name: String
        if let existing = preparedStatements[sql] {
            name = existing
        } else {
            name = "cr_\(preparedStatements.count + 1)"
            _ = try check(PQprepare(connection, name, sql, 0, nil), statement: sql)
            preparedStatements[sql] = name
        }
        let values = parameters.map(\.postgresValue)
        let result = Self.withParameters(values) { _, pointers, lengths, formats in
            PQexecPrepared(connection, name, Int32(values.count), pointers, lengths, formats, 0)
        }
        return try check(result, statement: sql)
    }

    /// Runs a statement that must return exactly one row, and returns it.
    public func queryRow(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws -> Row {
        let result = try query(sql, parameters)
        guard result.rowCount >= 1 else { throw PostgresError.noRows(statement: sql) }
        return result[0]
    }

    /// Runs a statement that must return exactly one row, with variadic parameters.
    public func queryRow(_ sql: String, _ parameters: any PostgresEncodable...) throws -> Row {
        try queryRow(sql, parameters)
    }

    /// Runs SQL text without parameters, possibly several statements (migrations, fixed DDL).
    /// Never pass text that contains anything a user supplied.
    public func executeScript(_ sql: String) throws {
        let connection = try liveHandle()
        _ = try check(PQexec(connection, sql), statement: String(sql.prefix(200)))
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    /// Nested calls become savepoints.
    public func transaction<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let depth = transactionDepth
        try executeScript(depth == 0 ? "BEGIN" : "SAVEPOINT cr_sp_\(depth)")
        transactionDepth += 1
        defer { transactionDepth = depth }
        do {
            let value = try body(self)
            try executeScript(depth == 0 ? "COMMIT" : "RELEASE SAVEPOINT cr_sp_\(depth)")
            return value
        } catch {
            if isOpen {
                try? executeScript(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT cr_sp_\(depth)")
            }
            throw error
        }
    }

    /// Runs `body` in a transaction whose `BEGIN` travels with its first statement, `sql` (prepared
    /// and cached by its text, as `queryPrepared`), in one round trip: libpq's pipeline mode sends
    /// `BEGIN`, the statement and one Sync together and reads the three answers after. `body` gets
    /// the first statement's rows; committed when it returns, rolled back when it or the first
    /// statement throws. Inside a transaction already, a savepoint and the statement, as `transaction`.
    public func transaction<T>(
        startingWith sql: String, _ parameters: [any PostgresEncodable], _ body: (PostgresConnection, QueryResult) throws -> T
    ) throws -> T {
        guard transactionDepth == 0 else {
            return try transaction { connection in try body(connection, try connection.queryPrepared(sql, parameters)) }
        }
        transactionDepth = 1
        defer { transactionDepth = 0 }
        do {
            let first = try beginPipelined(sql, parameters)
            let value = try body(self, first)
            try executeScript("COMMIT")
            return value
        } catch {
            if isOpen, isInTransactionBlock { try? executeScript("ROLLBACK") }
            throw error
        }
    }

    /// `BEGIN` and `sql` (its `Parse` too the first time) in one pipeline with one Sync.
    private func beginPipelined(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> QueryResult {
        let connection = try liveHandle()
        guard PQenterPipelineMode(connection) == 1 else { throw lostOrClientError(connection) }
        let existing = preparedStatements[sql]
        let name = existing ?? "cr_\(preparedStatements.count + 1)"
        let values = parameters.map(\.postgresValue)
        var sent = PQsendQueryParams(connection, "BEGIN", 0, nil, nil, nil, nil, 0) == 1
        if sent, existing == nil { sent = PQsendPrepare(connection, name, sql, 0, nil) == 1 }
        if sent {
            let queued: Int32 = Self.withParameters(values) { _, pointers, lengths, formats in
                PQsendQueryPrepared(connection, name, Int32(values.count), pointers, lengths, formats, 0)
            }
            sent = queued == 1
        }
        if sent { sent = PQpipelineSync(connection) == 1 }
        guard sent else {
            // A pipeline half sent cannot be read back reliably: the connection is given up.
            let error = lostOrClientError(connection)
            close()
            throw PostgresError.connectionLost(reason: "\(error)")
        }
        // One result per statement, each followed by NULL, then the Sync's. Every result is read
        // before any error is thrown, so the connection leaves pipeline mode idle.
        var failure: Error?
        var rows: QueryResult?
        func take(_ isLast: Bool) {
            let result = PQgetResult(connection)
            if result != nil, PQresultStatus(result) != PGRES_PIPELINE_SYNC { _ = PQgetResult(connection) }
            guard let result else {
                if failure == nil { failure = lostOrClientError(connection) }
                return
            }
            if PQresultStatus(result) == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                return
            }
            do {
                let checked = try check(result, statement: isLast ? sql : "BEGIN")
                if isLast { rows = checked }
            } catch {
                if failure == nil { failure = error }
            }
        }
        take(false)
        if existing == nil {
            let result = PQgetResult(connection)
            if let result {
                _ = PQgetResult(connection)
                switch PQresultStatus(result) {
                case PGRES_COMMAND_OK:
                    preparedStatements[sql] = name
                    PQclear(result)
                case PGRES_PIPELINE_ABORTED:
                    PQclear(result)
                default:
                    do { _ = try check(result, statement: sql) } catch { if failure == nil { failure = error } }
                }
            } else if failure == nil {
                failure = lostOrClientError(connection)
            }
        }
        take(true)
        let sync = PQgetResult(connection)
        let synced = sync.map { PQresultStatus($0) == PGRES_PIPELINE_SYNC } ?? false
        if let sync { PQclear(sync) }
        if !synced || PQexitPipelineMode(connection) != 1 {
            let error = failure ?? lostOrClientError(connection)
            close()
            throw PostgresError.connectionLost(reason: "\(error)")
        }
        if let failure { throw failure }
        guard let rows else { throw PostgresError.client("no result for the transaction's first statement") }
        return rows
    }

    // MARK: - Passwords

    /// The SCRAM-SHA-256 verifier of `password`, computed here by libpq (`PQencryptPasswordConn`),
    /// to be stored in place of the password: the server, its statement log and its
    /// `pg_stat_activity` then never see the password itself, as with psql's `\password`.
    public func scramVerifier(of password: String, for user: String) throws -> String {
        let connection = try liveHandle()
        guard let verifier = PQencryptPasswordConn(connection, password, user, "scram-sha-256") else {
            throw lostOrClientError(connection)
        }
        defer { PQfreemem(verifier) }
        return String(cString: verifier)
    }

    // MARK: - LISTEN / NOTIFY

    /// Starts listening on `channel` (a lower-case identifier; it cannot be a parameter in SQL).
    public func listen(_ channel: String) throws {
        try executeScript("LISTEN \(try Self.identifier(channel))")
    }

    /// Sends a notification through `pg_notify`, with the payload as a parameter.
    public func notify(_ channel: String, payload: String = "") throws {
        try query("SELECT pg_notify($1, $2)", channel, payload)
    }

    /// Waits up to `timeout` for a notification on a channel this connection listens to.
    ///
    /// Blocks in `poll(2)` on the connection's socket, never busy-waits. Returns nil on timeout.
    /// - Throws: `connectionLost` when the server goes away while waiting.
    public func waitForNotification(timeout: Duration) throws -> Notification? {
        let connection = try liveHandle()
        let deadline = ContinuousClock.now + timeout
        while true {
            guard PQconsumeInput(connection) == 1 else {
                throw PostgresError.connectionLost(reason: Self.trimmed(String(cString: PQerrorMessage(connection))))
            }
            if let notify = PQnotifies(connection) {
                defer { PQfreemem(notify) }
                return Notification(
                    channel: String(cString: notify.pointee.relname),
                    payload: String(cString: notify.pointee.extra),
                    senderPID: notify.pointee.be_pid)
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero { return nil }
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: max(1, remaining.components.seconds * 1000
                + remaining.components.attoseconds / 1_000_000_000_000_000))
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno != EINTR {
                throw PostgresError.connectionLost(reason: "poll failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    // MARK: - Bulk insert

    /// Inserts many rows with `COPY … FROM STDIN` (text format) and returns how many were copied.
    ///
    /// `table` and `columns` are identifiers written by the program, never by a user; they are
    /// checked and quoted. Values are escaped for COPY's text format; NULL is `\N`.
    @discardableResult
    public func copyRows(into table: String, columns: [String], rows: [[any PostgresEncodable]]) throws -> Int {
        let connection = try liveHandle()
        let tableName = try table.split(separator: ".").map { try Self.identifier(String($0)) }.joined(separator: ".")
        let columnList = try columns.map(Self.identifier).joined(separator: ", ")
        let sql = "COPY \(tableName) (\(columnList)) FROM STDIN"
        let start = PQexec(connection, sql)
        guard let start else { throw lostOrClientError(connection) }
        let status = PQresultStatus(start)
        if status != PGRES_COPY_IN { return try check(start, statement: sql).affectedRows }
        PQclear(start)
        var buffer = [UInt8]()
        buffer.reserveCapacity(64 * 1024)
        func flush() throws {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { pointer in
                pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) {
                    PQputCopyData(connection, $0, Int32(pointer.count))
                }
            }
            guard sent == 1 else { throw lostOrClientError(connection) }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            precondition(row.count == columns.count, "copyRows: a row has \(row.count) values for \(columns.count) columns")
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: "\t")) }
                Self.appendCopyText(value.postgresValue, to: &buffer)
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 60 * 1024 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(connection, nil) == 1 else { throw lostOrClientError(connection) }
        var copied = 0
        var failure: Error?
        while let result = PQgetResult(connection) {
            do { copied = try check(result, statement: sql).affectedRows } catch { failure = error }
        }
        if let failure { throw failure }
        return copied
    }

    // MARK: - Internals

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else { throw PostgresError.connectionLost(reason: "the connection is closed") }
        if PQstatus(handle) != CONNECTION_OK {
            throw PostgresError.connectionLost(reason: Self.trimmed(String(cString: PQerrorMessage(handle))))
        }
        return handle
    }

    private func lostOrClientError(_ connection: OpaquePointer) -> PostgresError {
        let message = Self.trimmed(String(cString: PQerrorMessage(connection)))
        return PQstatus(connection) == CONNECTION_BAD ? .connectionLost(reason: message) : .client(message)
    }

    private func check(_ result: OpaquePointer?, statement: String) throws -> QueryResult {
        guard let handle else { throw PostgresError.connectionLost(reason: "the connection is closed") }
        guard let result else { throw lostOrClientError(handle) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return QueryResult(handle: result)
        default:
            defer { PQclear(result) }
            func field(_ code: Character) -> String? {
                guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
                return String(cString: value)
            }
            guard let sqlState = field("C") else {
                // No SQLSTATE: libpq produced the error itself, typically because the connection broke.
                throw lostOrClientError(handle)
            }
            let error = ServerError(
                sqlState: sqlState, severity: field("V") ?? field("S") ?? "ERROR",
                message: field("M") ?? "", detail: field("D"), hint: field("H"),
                constraint: field("n"), table: field("t"), column: field("c"))
            if PQstatus(handle) == CONNECTION_BAD {
                throw PostgresError.connectionLost(reason: error.description)
            }
            throw PostgresError.server(error)
        }
    }

    private static func appendCopyText(_ value: PostgresValue, to buffer: inout [UInt8]) {
        guard let bytes = value.bytes else {
            buffer.append(contentsOf: Array(#"\N"#.utf8))
            return
        }
        if value.isBinary {
            // bytea in COPY text: the hex form, with its backslash escaped.
            buffer.append(contentsOf: Array(#"\\x"#.utf8))
            let hex = Array("0123456789abcdef".utf8)
            for byte in bytes {
                buffer.append(hex[Int(byte >> 4)])
                buffer.append(hex[Int(byte & 0x0f)])
            }
            return
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default: buffer.append(byte)
            }
        }
    }

    /// Checks that `name` is a plain lower-case identifier and returns it double-quoted.
    static func identifier(_ name: String) throws -> String {
        let valid = !name.isEmpty && name.utf8.count <= 63
            && name.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "_")
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
            && !(name.utf8.first! >= UInt8(ascii: "0") && name.utf8.first! <= UInt8(ascii: "9"))
        guard valid else { throw PostgresError.client("\"\(name)\" is not a plain lower-case identifier") }
        return "\"\(name)\""
    }

    private static func describe(_ connection: OpaquePointer?) -> String {
        guard let connection else { return "(unknown server)" }
        let host = PQhost(connection).map { String(cString: $0) } ?? ""
        let port = PQport(connection).map { String(cString: $0) } ?? ""
        let database = PQdb(connection).map { String(cString: $0) } ?? ""
        let place = host.hasPrefix("/") ? "socket \(host)/.s.PGSQL.\(port)" : "\(host.isEmpty ? "localhost" : host):\(port)"
        return "\(place) database \"\(database)\""
    }

    static func trimmed(_ message: String) -> String {
        message.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: "; ")
    }

    private static func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    private static func withParameters<R>(
        _ values: [PostgresValue],
        _ body: (UnsafePointer<Oid>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R
    ) -> R {
        let types = values.map { Oid($0.typeOID) }
        let lengths = values.map { Int32($0.bytes?.count ?? 0) }
        let formats = values.map { Int32($0.isBinary ? 1 : 0) }
        // Each text value is NUL-terminated for libpq; binary values pass their length.
        let buffers: [UnsafeMutablePointer<CChar>?] = values.map { value in
            guard let bytes = value.bytes else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            bytes.withUnsafeBufferPointer { source in
                source.baseAddress.map { UnsafeMutableRawPointer(buffer).copyMemory(from: $0, byteCount: bytes.count) }
            }
            buffer[bytes.count] = 0
            return buffer
        }
        defer { buffers.forEach { $0?.deallocate() } }
        let pointers = buffers.map { UnsafePointer($0) }
        return types.withUnsafeBufferPointer { typePointer in
            pointers.withUnsafeBufferPointer { valuePointer in
                lengths.withUnsafeBufferPointer { lengthPointer in
                    formats.withUnsafeBufferPointer { formatPointer in
                        body(typePointer.baseAddress, valuePointer.baseAddress, lengthPointer.baseAddress, formatPointer.baseAddress)
                    }
                }
            }
        }
    }
}
