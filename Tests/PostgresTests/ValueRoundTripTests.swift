import Foundation
import Postgres
import PostgresTestSupport
import Testing

@Suite struct ValueRoundTripTests {
    let connection: PostgresConnection

    init() throws {
        connection = try ThrowawayPostgres.connect()
        try connection.executeScript("""
            CREATE TABLE sample (
                i int8, i4 int4, b bool, t text, n numeric, ts timestamptz, d date, bytes bytea, u uuid, j jsonb
            )
            """)
    }

    @Test func everySupportedTypeRoundTrips() throws {
        let when = Date(timeIntervalSince1970: 1_764_000_000.123456)
        let id = UUID()
        let amount = Decimal(string: "123456789012345678.0123456789")!
        let json = try JSONB(encoding: ["county": "469005", "name": "文昌"])
        try connection.query(
            "INSERT INTO sample VALUES ($1, $2, $3, $4, $5, $6, $7::date, $8, $9, $10)",
            [Int(-42), Int32(7), true, "海南", amount, when, "2026-02-28", Data([0, 1, 254, 255]), id, json])
        let row = try connection.queryRow("SELECT * FROM sample")
        #expect(try row.decode("i", as: Int.self) == -42)
        #expect(try row.decode("i", as: Int64.self) == -42)
        #expect(try row.decode("i4", as: Int32.self) == 7)
        #expect(try row.decode("b", as: Bool.self) == true)
        #expect(try row.decode("t", as: String.self) == "海南")
        #expect(try row.decode("n", as: Decimal.self) == amount)
        let readBack = try row.decode("ts", as: Date.self)
        #expect(abs(readBack.timeIntervalSince(when)) < 0.000_001)
        #expect(try row.decode("d", as: Date.self) == Date(timeIntervalSince1970: 1_772_236_800))
        #expect(try row.decode("bytes", as: Data.self) == Data([0, 1, 254, 255]))
        #expect(try row.decode("u", as: UUID.self) == id)
        #expect(try row.decode("j", as: JSONB.self).decode([String: String].self) == ["county": "469005", "name": "文昌"])
    }

    @Test func nullsReadAsNilIntoOptionals() throws {
        try connection.query(
            "INSERT INTO sample VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            [Int?.none, Int32?.none, Bool?.none, String?.none, Decimal?.none, Date?.none, PostgresValue.null,
             Data?.none, UUID?.none, JSONB?.none])
        let row = try connection.queryRow("SELECT * FROM sample")
        #expect(try row.decode("i", as: Int?.self) == nil)
        #expect(try row.decode("b", as: Bool?.self) == nil)
        #expect(try row.decode("t", as: String?.self) == nil)
        #expect(try row.decode("n", as: Decimal?.self) == nil)
        #expect(try row.decode("ts", as: Date?.self) == nil)
        #expect(try row.decode("bytes", as: Data?.self) == nil)
        #expect(try row.decode("u", as: UUID?.self) == nil)
        #expect(try row.decode("j", as: JSONB?.self) == nil)
    }

    @Test func nullIntoANonOptionalIsAnErrorNamingTheColumn() throws {
        let row = try connection.queryRow("SELECT NULL::int8 AS missing_count")
        #expect {
            _ = try row.decode("missing_count", as: Int.self)
        } throws: { error in
            guard case PostgresError.decoding(let column, _, let found) = error else { return false }
            return column == "missing_count" && found == "NULL"
        }
    }

    @Test func aTypeMismatchNamesTheColumnAndBothTypes() throws {
        let row = try connection.queryRow("SELECT 'x'::text AS label")
        #expect {
            _ = try row.decode("label", as: Int.self)
        } throws: { error in
            guard case PostgresError.decoding(let column, let expected, let found) = error else { return false }
            return column == "label" && expected == "Int" && found == "text"
        }
    }

    @Test func anUnknownColumnIsNamed() throws {
        let row = try connection.queryRow("SELECT 1 AS one")
        #expect(throws: PostgresError.self) { _ = try row.decode("two", as: Int.self) }
    }

    @Test(arguments: [
        "it's \"quoted\"",
        #"back\slash \\ and \x00-like"#,
        "'; DROP TABLE filings; --",
        "中小企业特色产业集群 · 文昌商业航天",
        "tab\tnew\nline\r\u{1F680}",
    ])
    func hostileTextIsStoredAndReadBackByteForByte(text: String) throws {
        try connection.query("INSERT INTO sample (t) VALUES ($1)", text)
        let stored: String = try connection.queryRow("SELECT t FROM sample").decode("t")
        #expect(Array(stored.utf8) == Array(text.utf8))
        #expect(try connection.queryRow("SELECT count(*) AS n FROM sample WHERE t = $1", text).decode("n", as: Int.self) == 1)
    }

    @Test func decimalsKeepEveryDigit() throws {
        for text in ["0.1", "1.1025", "99999999999999.99", "-0.000001", "200000"] {
            let value: Decimal = try connection.queryRow("SELECT $1::numeric AS v", Decimal(string: text)!).decode("v")
            #expect(value == Decimal(string: text)!, "\(text)")
        }
    }

    @Test func aNumericBeyondDecimalPrecisionIsRefusedNotRounded() throws {
        let row = try connection.queryRow("SELECT 1234567890123456789012345678901234567890.5::numeric AS big")
        #expect(throws: PostgresError.self) { _ = try row.decode("big", as: Decimal.self) }
    }

    @Test func bulkCopyInsertsEveryRowWithEscapes() throws {
        var rows: [[any PostgresEncodable]] = []
        for index in 0..<500 {
            let text: String = "line \(index)\twith tab\\ and\nnewline"
            let amount: any PostgresEncodable = index % 7 == 0 ? PostgresValue.null : Decimal(index) / 4
            let bytes = Data([UInt8(index % 256)])
            rows.append([index, text, amount, bytes])
        }
        let copied = try connection.copyRows(into: "sample", columns: ["i", "t", "n", "bytes"], rows: rows)
        #expect(copied == 500)
        let row = try connection.queryRow("SELECT t, n, bytes FROM sample WHERE i = 13")
        #expect(try row.decode("t", as: String.self) == "line 13\twith tab\\ and\nnewline")
        #expect(try row.decode("n", as: Decimal.self) == Decimal(string: "3.25")!)
        #expect(try row.decode("bytes", as: Data.self) == Data([13]))
        #expect(try connection.queryRow("SELECT count(*) AS n FROM sample WHERE n IS NULL").decode("n", as: Int.self) == 72)
    }
}
