import CLibPQ

/// The rows a statement returned. Owns its `PGresult` and frees it when released.
///
/// Not `Sendable`: read the rows into your own `Sendable` values before crossing an isolation
/// boundary.
public final class QueryResult {
    private let handle: OpaquePointer
    /// The number of rows returned.
    public let rowCount: Int
    /// Column names in order.
    public let columns: [String]
    private let columnIndex: [String: Int]
    /// Rows affected by an INSERT/UPDATE/DELETE (PQcmdTuples), or 0.
    public let affectedRows: Int

    init(handle: OpaquePointer) {
        self.handle = handle
        rowCount = Int(PQntuples(handle))
        let count = Int(PQnfields(handle))
        var names = [String]()
        names.reserveCapacity(count)
        for index in 0..<count { names.append(String(cString: PQfname(handle, Int32(index)))) }
        columns = names
        var lookup = [String: Int]()
        for (index, name) in names.enumerated() where lookup[name] == nil { lookup[name] = index }
        columnIndex = lookup
        affectedRows = Int(String(cString: PQcmdTuples(handle))) ?? 0
    }

    deinit { PQclear(handle) }

    /// The row at `index` (0-based).
    public subscript(index: Int) -> Row {
        precondition(index >= 0 && index < rowCount, "row \(index) out of range 0..<\(rowCount)")
        return Row(result: self, index: index)
    }

    /// All rows, in order.
    public var rows: [Row] { (0..<rowCount).map { Row(result: self, index: $0) } }

    func columnNumber(_ name: String) throws -> Int {
        guard let index = columnIndex[name] else { throw PostgresError.noSuchColumn(name) }
        return index
    }

    func decode<T: PostgresDecodable>(_ type: T.Type, row: Int, column: Int) throws -> T {
        let name = columns[column]
        if PQgetisnull(handle, Int32(row), Int32(column)) == 1 { return try T.decodeNull(column: name) }
        let length = Int(PQgetlength(handle, Int32(row), Int32(column)))
        let pointer = PQgetvalue(handle, Int32(row), Int32(column))!
        let text = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        return try T.decode(text: text, typeOID: PQftype(handle, Int32(column)), column: name)
    }
}

/// One row of a `QueryResult`, read through throwing typed accessors.
public struct Row {
    let result: QueryResult
    let index: Int

    /// The column `name` as `T`; `T` optional reads NULL as nil, otherwise NULL is an error.
    public func decode<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try result.decode(type, row: index, column: try result.columnNumber(name))
    }

    /// The column at position `column` (0-based) as `T`.
    public func decode<T: PostgresDecodable>(column: Int, as type: T.Type = T.self) throws -> T {
        guard column >= 0 && column < result.columns.count else { throw PostgresError.noSuchColumn("#\(column)") }
        return try result.decode(type, row: index, column: column)
    }
}
