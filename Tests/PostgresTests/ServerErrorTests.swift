import Postgres
import PostgresTestSupport
import Testing

@Suite struct ServerErrorTests {
    let connection: PostgresConnection

    init() throws {
        connection = try ThrowawayPostgres.connect()
        try connection.executeScript("CREATE TABLE clusters (code text CONSTRAINT clusters_code_key UNIQUE)")
    }

    @Test func aUniqueViolationCarriesSQLStateAndConstraint() throws {
        try connection.query("INSERT INTO clusters VALUES ($1)", "A")
        #expect {
            try connection.query("INSERT INTO clusters VALUES ($1)", "A")
        } throws: { error in
            guard case PostgresError.server(let server) = error else { return false }
            return server.sqlState == "23505" && server.constraint == "clusters_code_key" && server.isUniqueViolation
                && server.detail?.contains("(code)=(A)") == true
        }
    }

    @Test func aSyntaxErrorCarries42601() throws {
        #expect {
            try connection.query("SELEC 1")
        } throws: { error in
            (error as? PostgresError)?.sqlState == "42601"
        }
    }

    @Test func theConnectionStaysUsableAfterAnError() throws {
        _ = try? connection.query("SELECT * FROM no_such_table")
        #expect(try connection.queryRow("SELECT 2 AS two").decode("two", as: Int.self) == 2)
    }

    @Test func aFailedConnectNamesTheSocketAndNeverThePassword() throws {
        #expect {
            _ = try PostgresConnection("host=/nonexistent/socket/dir port=5999 user=x password=sekrit dbname=nowhere")
        } throws: { error in
            let text = "\(error)"
            return text.contains("/nonexistent/socket/dir") && !text.contains("sekrit")
        }
    }
}
