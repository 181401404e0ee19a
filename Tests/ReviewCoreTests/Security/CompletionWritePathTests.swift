import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// PostgreSQL's write path of a review (issue 16, sql/177): a finding's relative margin
    /// without a PL/pgSQL call when its bound is one number, and the same values as before for
    /// every shape of bound, read by the statistics as before.
    @Suite(.serialized) struct CompletionWritePathTests {
        /// One finding of `review` written straight into `findings` by the table's owner, with
        /// `threshold`, `observed` and `margin` as JSON text (nil: NULL).
        static func insertFinding(
            _ criterion: String, review: ClaimedReview, threshold: String?, observed: String?, margin: String?,
            comparator: String? = ">=", on connection: PostgresConnection
        ) throws {
            try connection.query("""
                INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                      observed, threshold, comparator, margin, message_zh, message_en, citation)
                VALUES ($1, $2, $3, $4, 'm', '1', 'threshold', 'pass', 100, $5::jsonb, $6::jsonb, $7, $8::jsonb, 'z', 'e', 'c')
                """, [review.id, criterion, review.filingId, review.countyCode, observed, threshold, comparator, margin])
        }

        /// Calls of cr_relative_margin in the current transaction of `connection` (track_functions on).
        static func marginCalls(on connection: PostgresConnection) throws -> Int64 {
            try connection.queryRow("""
                SELECT coalesce(pg_stat_get_xact_function_calls('cr_relative_margin(text, jsonb, jsonb, jsonb)'::regprocedure), 0) AS calls
                """).decode("calls")
        }

        @Test func aFindingBoundByOneNumberIsWrittenWithoutAPlpgsqlCall() throws {
            let (database, _, review, _) = try LeanCompletionTests.written()
            let calls = try database.superuser.transaction { connection -> (number: Int64, perYear: Int64) in
                try connection.query("SET LOCAL track_functions = 'pl'")
                try Self.insertFinding("MOD-3", review: review, threshold: "2", observed: "3", margin: "1", on: connection)
                try Self.insertFinding("MOD-4", review: review, threshold: "0", observed: "-1", margin: "-1", on: connection)
                try Self.insertFinding("MOD-5", review: review, threshold: nil, observed: nil, margin: nil, comparator: nil, on: connection)
                let number = try Self.marginCalls(on: connection)
                try Self.insertFinding("MOD-6", review: review, threshold: #"{"2023": 100, "2024": 120}"#,
                                       observed: #"{"2023": 110, "2024": 126}"#, margin: "6", on: connection)
                return (number, try Self.marginCalls(on: connection))
            }
            #expect(calls.number == 0, "one number as the bound, a bound of 0, no margin: the expression alone")
            #expect(calls.perYear == 1, "a bound per year: the function, once")
        }

        @Test func everyShapeOfBoundStoresTheFunctionsRelativeMargin() throws {
            let (database, _, review, _) = try LeanCompletionTests.written()
            let shapes: [(threshold: String?, observed: String?, margin: String?, comparator: String?)] = [
                ("2", "3", "1", ">="), ("-4", "-2", "2", ">="), ("3", "1", "-0.3333333", ">="), ("0", "5", "5", ">="),
                ("0", "-5", "-5", ">="), ("0", "0", "0", ">="), ("10", "12", #""2""#, ">="), ("10", "12", nil, ">="),
                (#""10""#, "12", "2", ">="), ("[10]", "[12]", "2", ">="), (nil, nil, nil, nil),
                (#"{"2023": 100, "2024": 120}"#, #"{"2023": 110, "2024": 126}"#, "6", ">="),
                (#"{"2023": 100, "2024": 120}"#, #"{"2023": 90, "2024": 126}"#, "-10", ">="),
                (#"{"2023": 100}"#, #"{"2023": 90}"#, "10", "<="), (#"{"2023": 100}"#, "90", "10", "<="),
                (#"{"2023": 0}"#, #"{"2023": 3}"#, "3", ">="), (#"{"2023": 100}"#, #"{"2023": 110}"#, "7", ">="),
            ]
            for (index, shape) in shapes.enumerated() {
                try Self.insertFinding("MOD-\(index + 3)", review: review, threshold: shape.threshold, observed: shape.observed,
                                       margin: shape.margin, comparator: shape.comparator, on: database.superuser)
            }
            let rows = try database.superuser.query("""
                SELECT criterion, relative_margin::text AS stored,
                       cr_relative_margin(comparator, margin, threshold, observed)::text AS function
                FROM findings WHERE review_id = $1 AND criterion <> ALL ('{MOD-1,MOD-2}') ORDER BY criterion
                """, review.id).rows
            #expect(rows.count == shapes.count)
            for row in rows {
                let criterion: String = try row.decode("criterion")
                #expect(try row.decode("stored", as: String?.self) == row.decode("function", as: String?.self), "\(criterion)")
            }
            let stored = try database.superuser.query("""
                SELECT relative_margin::text AS m FROM findings WHERE review_id = $1 AND criterion IN ('MOD-3', 'MOD-6', 'MOD-14')
                ORDER BY criterion
                """, review.id).rows.map { try $0.decode("m", as: String?.self) }
            #expect(stored == ["0.050000", "0.500000", "1"], "MOD-14, MOD-3, MOD-6")
        }

        @Test func aReviewWrittenByTheCoordinatorIsReadWithItsMarginsThroughTheStatistics() throws {
            let (database, filings, coordinator) = try CoordinatorWriteTests.setUp()
            let review = try #require(try CoordinatorWriteTests.claim(on: coordinator).first)
            let findings = [
                Finding(criterion: "MOD-1", verdict: .pass, score: 100, observed: .number(3), threshold: .number(2), comparator: ">=",
                        margin: .number(1), message: LocalizedText(zh: "合格", en: "passes"), citation: "Standard 1(1)"),
                Finding(criterion: "MOD-2", verdict: .fail, score: 40, observed: .object(["2023": .number(90), "2024": .number(130)]),
                        threshold: .object(["2023": .number(100), "2024": .number(120)]), comparator: ">=", margin: .number(-10),
                        message: LocalizedText(zh: "不合格", en: "fails"), citation: "Standard 1(2)"),
            ]
            let summary = Aggregation.aggregate([ModuleReport(module: "m", findings: findings)], declarations: Declarations())
            let completed = CompletedReview(
                review: review, summary: summary, rulebook: "test", rulebookHash: "h",
                findings: findings.map { .init(module: "m", moduleVersion: "1", kind: .threshold, finding: $0) }, moduleErrors: [])
            #expect(try ReviewQueue.complete([completed], coordinator: "test", on: coordinator) == [review.id: .written])
            let margins = try database.superuser.query(
                "SELECT criterion, relative_margin::text AS m FROM statistics_findings WHERE filing_id = $1 ORDER BY criterion",
                filings[0]).rows.map { [try $0.decode("criterion", as: String.self), try $0.decode("m", as: String?.self) ?? "NULL"] }
            #expect(margins == [["MOD-1", "0.500000"], ["MOD-2", "-0.100000"]])
        }
    }
}
