import Foundation
import Postgres
import ReviewCore
import TestSupport
import Testing

/// A review read back for a report carries what the report's stamp prints: the filing's content
/// hash as the database stored it.
@Suite struct ReviewRecordProvenanceTests {
    @Test func theLatestReviewCarriesTheFilingsStoredContentHash() throws {
        let database = try SecureDatabase()
        let filing = try database.file(county: SecureDatabase.countyA, suffix: "stamped", on: database.superuser)
        try database.review(filing: filing)
        let stored: String = try database.superuser.queryRow(
            "SELECT encode(content_hash, 'hex') AS h FROM filings WHERE id = $1", filing).decode("h")
        let record = try #require(try ReviewRecords.latestReview(of: filing, on: database.superuser))
        #expect(record.contentHash == stored)
        #expect(stored.count == 64)
    }
}
