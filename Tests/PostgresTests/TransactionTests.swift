import Postgres
import PostgresTestSupport
import Testing

@Suite struct TransactionTests {
    struct Refusal: Error {}

    let conninfo: String
    let connection: PostgresConnection

    init() throws {
        conninfo = try ThrowawayPostgres.makeDatabase()
        connection = try PostgresConnection(conninfo)
        try connection.executeScript("CREATE TABLE ledger (entry text)")
    }

    func count() throws -> Int {
        try connection.queryRow("SELECT count(*) AS n FROM ledger").decode("n")
    }

    @Test func aTransactionThatReturnsIsCommitted() throws {
        let value = try connection.transaction { connection in
            try connection.query("INSERT INTO ledger VALUES ($1)", "kept")
            return 7
        }
        #expect(value == 7)
        let other = try PostgresConnection(conninfo)
        #expect(try other.queryRow("SELECT count(*) AS n FROM ledger").decode("n", as: Int.self) == 1)
    }

    @Test func aTransactionThatThrowsLeavesNothingBehind() throws {
        #expect(throws: Refusal.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES ($1)", "dropped")
                throw Refusal()
            }
        }
        #expect(try count() == 0)
    }

    @Test func aNestedFailureRollsBackOnlyItsSavepoint() throws {
        try connection.transaction { connection in
            try connection.query("INSERT INTO ledger VALUES ($1)", "outer")
            _ = try? connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES ($1)", "inner")
                throw Refusal()
            }
        }
        #expect(try count() == 1)
    }

    @Test func aServerErrorInsideRollsBackEverything() throws {
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES ($1)", "first")
                try connection.query("INSERT INTO ledger VALUES (1/0)")
            }
        }
        #expect(try count() == 0)
    }
}
