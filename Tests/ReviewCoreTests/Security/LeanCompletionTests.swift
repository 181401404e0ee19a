import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// What a completed review writes (issue 16, sql/171): an aggregate that names its findings
    /// by criterion instead of repeating them, read back as the summary the coordinator made; and
    /// findings whose filing and county the database holds to their review's.
    @Suite(.serialized) struct LeanCompletionTests {
        /// A completed review of `review`: MOD-1 fails, MOD-2 must be judged by a person.
        static func completed(_ review: ClaimedReview) -> CompletedReview {
            let findings = [
                Finding(criterion: "MOD-1", verdict: .fail, score: 20, observed: .number(1), threshold: .number(2), comparator: ">=",
                        message: LocalizedText(zh: "不合格", en: "fails"), citation: "Standard 1(1)", parameters: ["floor": .number(2)]),
                Finding(criterion: "MOD-2", verdict: .manual, score: 50, message: LocalizedText(zh: "需人工判断", en: "a person judges"),
                        citation: "Standard 1(2)"),
            ]
            let summary = Aggregation.aggregate([ModuleReport(module: "m", findings: findings)], declarations: Declarations())
            return CompletedReview(
                review: review, summary: summary, rulebook: "test", rulebookHash: "h",
                findings: findings.map { .init(module: "m", moduleVersion: "1", kind: .threshold, finding: $0) }, moduleErrors: [])
        }

        /// A database with one review written through complete_reviews.
        static func written() throws -> (database: SecureDatabase, filing: Int64, review: ClaimedReview, completed: CompletedReview) {
            let (database, filings, coordinator) = try CoordinatorWriteTests.setUp()
            let review = try #require(try CoordinatorWriteTests.claim(on: coordinator).first)
            let completed = Self.completed(review)
            #expect(try ReviewQueue.complete([completed], coordinator: "test", on: coordinator) == [review.id: .written])
            return (database, filings[0], review, completed)
        }

        @Test func theAggregateNamesItsFindingsByCriterionAndIsStoredUncompressed() throws {
            let (database, _, review, _) = try Self.written()
            let row = try database.superuser.queryRow("""
                SELECT aggregate, pg_column_compression(aggregate) AS compression, pg_column_size(aggregate)::bigint AS size
                FROM reviews WHERE id = $1
                """, review.id)
            let stored = try JSONValue(parsing: try row.decode("aggregate", as: JSONB.self).bytes)
            #expect(stored["to_confirm"] == .array([.string("MOD-2")]))
            #expect(stored["failures"] == .array([.string("MOD-1")]))
            #expect(stored["recommendation"] == .string("not_recommended"))
            #expect(try row.decode("compression", as: String?.self) == nil, "stored inline, not compressed")
            #expect(try row.decode("size", as: Int.self) < 400)
        }

        @Test func theReviewReadBackHasTheSummaryTheCoordinatorWrote() throws {
            let (database, filing, _, completed) = try Self.written()
            let record = try #require(try ReviewRecords.latestReview(of: filing, on: database.superuser))
            #expect(record.summary == completed.summary)
            #expect(record.summary?.toConfirm.map(\.finding) == [completed.findings[1].finding])
            #expect(record.summary?.failures.map(\.finding) == [completed.findings[0].finding])
        }

        @Test func anAggregateWrittenBeforeTheLeanFormIsReadAsItWas() throws {
            let (database, filing, review, completed) = try Self.written()
            // The whole summary, as JSONEncoder wrote it before the lean form.
            try database.superuser.query(
                "UPDATE reviews SET aggregate = $2 WHERE id = $1", [review.id, try JSONB(encoding: completed.summary)])
            let record = try #require(try ReviewRecords.latestReview(of: filing, on: database.superuser))
            #expect(record.summary == completed.summary)
        }

        @Test func anOldAggregateWithNumbersAndDepthBeyondAFilingsLimitsIsStillRead() throws {
            let (database, filing, review, completed) = try Self.written()
            var summary = completed.summary
            // A module may answer with up to `Decimal`'s 38 digits and the protocol's depth; a
            // filing's limits (30 digits, 32 levels) are not an aggregate's.
            var deep = JSONValue.number(1)
            for _ in 0..<34 { deep = .array([deep]) }
            summary.failures[0].finding.observed = .number(Decimal(string: "123456789012345678901234567890123456")!)
            summary.failures[0].finding.parameters["deep"] = deep
            try database.superuser.query("UPDATE reviews SET aggregate = $2 WHERE id = $1", [review.id, try JSONB(encoding: summary)])
            let record = try #require(try ReviewRecords.latestReview(of: filing, on: database.superuser))
            #expect(record.summary == summary)
        }

        @Test func aFindingWhoseFilingIsNotItsReviewsIsRefusedEvenToTheTablesOwner() throws {
            let (database, _, review, _) = try Self.written()
            let other = try database.file(county: SecureDatabase.countyA, suffix: "#other", on: database.superuser)
            let insert = """
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      message_zh, message_en, citation)
                VALUES ($1, 'MOD-3', $2, $3, 'm', '1', 'threshold', 'pass', 100, 'z', 'e', 'c')
                """
            #expect(SecurityFixtures.sqlState {
                try database.superuser.query(insert, [review.id, other, SecureDatabase.countyA])
            } == "23503", "another filing of the same county")
            #expect(SecurityFixtures.sqlState {
                try database.superuser.query(insert, [review.id, review.filingId, SecureDatabase.countyB])
            } == "23503", "its filing under another county")
        }
    }
}
