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

    // MARK: BEGIN with the first statement, one round trip

    @Test func aTransactionStartingWithAStatementGetsItsRowsAndCommits() throws {
        for round in 1...3 {  // the first round prepares the statement; the others reuse it
            let value = try connection.transaction(startingWith: "SELECT $1::int + 1 AS n", [round]) { connection, first in
                try connection.query("INSERT INTO ledger VALUES ($1)", "round \(round)")
                #expect(connection.isInTransactionBlock)
                return try first[0].decode("n", as: Int.self)
            }
            #expect(value == round + 1)
        }
        #expect(!connection.isInTransactionBlock)
        let other = try PostgresConnection(conninfo)
        #expect(try other.queryRow("SELECT count(*) AS n FROM ledger").decode("n", as: Int.self) == 3)
    }

    @Test func aTransactionWhoseFirstStatementFailsRollsBackAndTheConnectionGoesOn() throws {
        #expect(throws: PostgresError.self) {
            try connection.transaction(startingWith: "SELECT 1 / $1::int AS n", [0]) { connection, _ in
                try connection.query("INSERT INTO ledger VALUES ($1)", "never")
            }
        }
        #expect(!connection.isInTransactionBlock)
        let value = try connection.transaction(startingWith: "SELECT 1 / $1::int AS n", [1]) { _, first in
            try first[0].decode("n", as: Int.self)
        }
        #expect(value == 1)
        #expect(try count() == 0)
    }

    @Test func aTransactionStartingWithAStatementIsRolledBackWhenItsBodyThrows() throws {
        #expect(throws: Refusal.self) {
            try connection.transaction(startingWith: "INSERT INTO ledger VALUES ($1)", ["dropped"]) { _, _ -> Void in throw Refusal() }
        }
        #expect(try count() == 0)
        #expect(!connection.isInTransactionBlock)
    }

    @Test func aStatementThatCannotBePreparedFailsTheTransactionAndTheConnectionGoesOn() throws {
        #expect(throws: PostgresError.self) {
            try connection.transaction(startingWith: "SELECT FROM no_such_table WHERE $1::int = 1", [1]) { _, _ -> Void in () }
        }
        #expect(!connection.isInTransactionBlock)
        #expect(try connection.transaction(startingWith: "SELECT $1::int AS n", [5]) { _, first in try first[0].decode("n", as: Int.self) } == 5)
    }
}
