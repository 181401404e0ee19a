import Foundation
import ClusterStandard
import IndicatorKit
import ModuleHost
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The coordinator writes only consistent records (issue 14, item 6; sql/027): the attacks of
    /// the issue replayed as a login holding only cr_coordinator — each refused, nothing written —
    /// and complete_reviews checking each review of a batch on its own.
    @Suite(.serialized) struct CoordinatorWriteTests {
        /// What the reviews of these tests require: module `m` with criteria MOD-1 and MOD-2.
        static let requirement = #"{"initial": [{"module": "m", "version": "1", "criteria": ["MOD-1", "MOD-2"]}]}"#

        /// A database with `count` filings of county A queued, and a coordinator's login.
        static func setUp(_ count: Int = 1) throws -> (database: SecureDatabase, filings: [Int64], coordinator: PostgresConnection) {
            let database = try SecureDatabase()
            let filings = try (1...count).map { try database.file(county: SecureDatabase.countyA, suffix: "#\($0)", on: database.superuser) }
            return (database, filings, try database.connect(as: .coordinator))
        }

        /// Claims every queued review as the coordinator, with `requirement`.
        static func claim(on coordinator: PostgresConnection, requirement: String = requirement) throws -> [ClaimedReview] {
            try coordinator.query("SELECT * FROM claim_reviews(100, '30 seconds', 'test', $1::jsonb)", JSONB(bytes: Data(requirement.utf8)))
                .rows.map { row in
                    ClaimedReview(
                        id: try row.decode("review_id"), filingId: try row.decode("filing_id"), countyCode: try row.decode("county_code"),
                        token: try row.decode("claim_token"), attempts: try row.decode("attempts"), purpose: try row.decode("purpose"),
                        kind: .initial, rulebook: nil, asOf: CivilDate(try row.decode("as_of", as: String.self))!)
                }
        }

        /// A completed review of `review` with a passing finding of module `m` for each of `criteria`.
        static func completed(_ review: ClaimedReview, criteria: [String], module: String = "m", version: String = "1") -> CompletedReview {
            let findings = criteria.map { criterion in
                Finding(criterion: criterion, verdict: .pass, score: 100, observed: .number(3), threshold: .number(2), comparator: ">=",
                        message: LocalizedText(zh: "合格", en: "passes"), citation: "Standard 1(1)", parameters: ["floor": .number(2)])
            }
            let summary = Aggregation.aggregate([ModuleReport(module: module, findings: findings)], declarations: Declarations())
            return CompletedReview(
                review: review, summary: summary, rulebook: "test", rulebookHash: "h",
                findings: findings.map { .init(module: module, moduleVersion: version, kind: .threshold, finding: $0) }, moduleErrors: [])
        }

        // MARK: no direct write

        @Test func everyDirectWriteOfTheIssuesAttacksIsRefusedAndNothingIsWritten() throws {
            let (database, filings, coordinator) = try Self.setUp(2)
            // Filing 1 is already recognized; filing 2 waits in the queue.
            try database.superuser.query("UPDATE filings SET status = 'recognized' WHERE id = $1", filings[0])
            let before = try database.snapshot()
            let attacks = [
                "a review for an already recognized filing": """
                    INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, attempts, queued_at)
                    VALUES (99001, \(filings[0]), '469005', 'decision', 'completed', 'recommended', 1, now())
                    """,
                "a finding whose filing and county differ from its review's": """
                    INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                          message_zh, message_en, citation)
                    SELECT id, 'MOD-1', \(filings[0]), '460105', 'm', '1', 'threshold', 'pass', 100, 'z', 'e', 'c' FROM review_queue LIMIT 1
                    """,
                "a filing marked reviewed with no review": "UPDATE filings SET status = 'reviewed' WHERE id = \(filings[1])",
                "deleting queue rows": "DELETE FROM review_queue",
                "re-pointing a queued review": "UPDATE review_queue SET state = 'running', claim_token = gen_random_uuid(), lease_until = now()",
                "filing directly": """
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                    VALUES ('initial', '469005', 'x', '2026-03-15', 1, '{}', sha256('x'::bytea))
                    """,
                "queueing a review": "INSERT INTO review_queue (filing_id, county_code) VALUES (\(filings[0]), '469005')",
                "refusing a submission by hand": "UPDATE submissions SET state = 'refused', issues = '[{}]'",
            ]
            for (attack, sql) in attacks.sorted(by: { $0.key < $1.key }) {
                #expect(SecurityFixtures.sqlState { try coordinator.query(sql) } == "42501", "\(attack)")
            }
            #expect(try database.snapshot() == before)
        }

        // MARK: complete_reviews checks each review

        @Test func aConsistentReviewIsWrittenWithItsFilingAndCountyFromTheQueue() throws {
            let (database, filings, coordinator) = try Self.setUp()
            let review = try #require(try Self.claim(on: coordinator).first)
            let results = try ReviewQueue.complete([Self.completed(review, criteria: ["MOD-1", "MOD-2"])], coordinator: "test", on: coordinator)
            #expect(results == [review.id: .written])
            let rows = try database.superuser.query(
                "SELECT filing_id, county_code FROM findings WHERE review_id = $1", review.id).rows
            #expect(rows.count == 2)
            for row in rows {
                #expect(try row.decode("filing_id", as: Int64.self) == filings[0])
                #expect(try row.decode("county_code", as: String.self) == SecureDatabase.countyA)
            }
            let status: String = try database.superuser.queryRow("SELECT status FROM filings WHERE id = $1", filings[0]).decode("status")
            #expect(status == "reviewed")
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: database.superuser) == 0)
            let coordinatorName: String = try database.superuser.queryRow("SELECT coordinator FROM reviews WHERE id = $1", review.id)
                .decode("coordinator")
            #expect(coordinatorName == "test", "the name it claimed with")
        }

        @Test func aClaimWritesOnlyTheQueueRowAndStatusReadsTheFilingAsInReview() throws {
            let (database, filings, coordinator) = try Self.setUp()
            let audited = "SELECT count(*) FROM audit_log WHERE table_name = 'filings' AND row_key = '\(filings[0])'"
            let before = try CoordinatorFixtures.count(audited, on: database.superuser)
            let review = try #require(try Self.claim(on: coordinator).first)
            let stored: String = try database.superuser.queryRow("SELECT status FROM filings WHERE id = $1", filings[0]).decode("status")
            #expect(stored == "submitted")
            #expect(try CoordinatorFixtures.count(audited, on: database.superuser) == before)
            #expect(try ReviewRecords.status(of: filings[0], on: database.superuser)?.status == "in_review")
            #expect(try ReviewRecords.list(status: "in_review", on: database.superuser).map(\.id) == [filings[0]])
            // The web door's queue filter and its counts read the same status.
            #expect(try ReviewRecords.search(FilingFilter(status: "in_review"), on: database.superuser).map(\.id) == [filings[0]])
            #expect(try ReviewRecords.countsByStatus(on: database.superuser)["in_review"] == 1)
            #expect(try ReviewQueue.complete([Self.completed(review, criteria: ["MOD-1", "MOD-2"])], coordinator: "test", on: coordinator)
                == [review.id: .written])
            #expect(try ReviewRecords.status(of: filings[0], on: database.superuser)?.status == "reviewed")
        }

        @Test func aReviewForAFilingNoLongerInReviewIsRefusedAndNothingIsWritten() throws {
            let (database, filings, coordinator) = try Self.setUp()
            let review = try #require(try Self.claim(on: coordinator).first)
            try database.superuser.query("UPDATE filings SET status = 'recognized' WHERE id = $1", filings[0])
            let before = try database.snapshot()
            let results = try ReviewQueue.complete([Self.completed(review, criteria: ["MOD-1", "MOD-2"])], coordinator: "test", on: coordinator)
            guard case .refused(let state, let reason)? = results[review.id] else {
                Issue.record("\(results)")
                return
            }
            #expect(state == ReviewQueue.refusedWrite)
            #expect(reason.contains("no longer in review"), "\(reason)")
            #expect(try database.snapshot() == before)
        }

        @Test(arguments: [
            (["MOD-1"], "required criteria without a finding: m/MOD-2"),
            (["MOD-1", "MOD-2", "MOD-3"], "findings the review does not require (or twice): m/MOD-3"),
            (["MOD-1", "MOD-2", "MOD-2"], "findings the review does not require (or twice): m/MOD-2"),
        ])
        func findingsMustBeExactlyTheCriteriaTheReviewRequires(criteria: [String], says: String) throws {
            let (database, _, coordinator) = try Self.setUp()
            let review = try #require(try Self.claim(on: coordinator).first)
            let before = try database.snapshot()
            let results = try ReviewQueue.complete([Self.completed(review, criteria: criteria)], coordinator: "test", on: coordinator)
            guard case .refused(_, let reason)? = results[review.id] else {
                Issue.record("\(results)")
                return
            }
            #expect(reason.contains(says), "\(reason)")
            #expect(try database.snapshot() == before)
        }

        @Test func findingsOfAModuleTheReviewDoesNotRequireAreRefused() throws {
            let (database, _, coordinator) = try Self.setUp()
            let review = try #require(try Self.claim(on: coordinator).first)
            let before = try database.snapshot()
            let results = try ReviewQueue.complete(
                [Self.completed(review, criteria: ["MOD-1", "MOD-2"], module: "intruder")], coordinator: "test", on: coordinator)
            guard case .refused(_, let reason)? = results[review.id] else {
                Issue.record("\(results)")
                return
            }
            #expect(reason.contains("intruder/MOD-1") && reason.contains("without a finding: m/MOD-1"), "\(reason)")
            #expect(try database.snapshot() == before)
        }

        @Test func aStaleClaimTokenIsAClaimLostAndWritesNothing() throws {
            let (database, _, coordinator) = try Self.setUp()
            var review = try #require(try Self.claim(on: coordinator).first)
            review.token = UUID()
            let before = try database.snapshot()
            let results = try ReviewQueue.complete([Self.completed(review, criteria: ["MOD-1", "MOD-2"])], coordinator: "test", on: coordinator)
            #expect(results == [review.id: .claimLost])
            #expect(try database.snapshot() == before)
        }

        @Test func oneRefusedReviewOfABatchNeverKeepsTheOthersFromBeingWritten() throws {
            let (database, _, coordinator) = try Self.setUp(3)
            let reviews = try Self.claim(on: coordinator)
            #expect(reviews.count == 3)
            let batch = [
                Self.completed(reviews[0], criteria: ["MOD-1", "MOD-2"]),
                Self.completed(reviews[1], criteria: ["MOD-1", "MOD-2", "MOD-9"]),
                Self.completed(reviews[2], criteria: ["MOD-1", "MOD-2"]),
            ]
            let results = try ReviewQueue.complete(batch, coordinator: "test", on: coordinator)
            #expect(results[reviews[0].id] == .written && results[reviews[2].id] == .written, "\(results)")
            guard case .refused? = results[reviews[1].id] else {
                Issue.record("\(results)")
                return
            }
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: database.superuser) == 2)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM findings", on: database.superuser) == 4)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: database.superuser) == 1)
        }

        @Test func aModuleThatHadNeverDeclaredIsHeldToItsRecordedDeclaration() throws {
            let (database, filings, coordinator) = try Self.setUp(3)
            _ = filings
            try coordinator.query(#"""
                INSERT INTO module_declarations (module, version, declaration, recorded_by)
                VALUES ('m', '2', '{"id": "m", "version": "2", "criteria": [{"id": "MOD-1"}, {"id": "MOD-2"}]}', 'test')
                """#)
            let reviews = try Self.claim(on: coordinator, requirement: #"{"initial": [{"module": "m", "version": null, "criteria": null}]}"#)
            let results = try ReviewQueue.complete([
                Self.completed(reviews[0], criteria: ["MOD-1", "MOD-2"], version: "2"),
                Self.completed(reviews[1], criteria: ["MOD-1"], version: "2"),
                Self.completed(reviews[2], criteria: ["MOD-1", "MOD-2"], version: "3"),
            ], coordinator: "test", on: coordinator)
            #expect(results[reviews[0].id] == .written, "\(results)")
            guard case .refused(_, let missing)? = results[reviews[1].id], case .refused(_, let undeclared)? = results[reviews[2].id] else {
                Issue.record("\(results)")
                return
            }
            #expect(missing.contains("without a finding: m/MOD-2"), "\(missing)")
            #expect(undeclared.contains("no declaration on record"), "\(undeclared)")
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM reviews", on: database.superuser) == 1)
        }

        @Test func aReviewFailedForGoodMovesItsFilingAndOnlyWithItsToken() throws {
            let (database, filings, coordinator) = try Self.setUp(2)
            let reviews = try Self.claim(on: coordinator)
            var stale = reviews[1]
            stale.token = UUID()
            #expect(try ReviewQueue.fail(reviews[0], error: "gave up", coordinator: "test", on: coordinator))
            #expect(try !ReviewQueue.fail(stale, error: "not mine", coordinator: "test", on: coordinator))
            let status: String = try database.superuser.queryRow("SELECT status FROM filings WHERE id = $1", filings[0]).decode("status")
            #expect(status == "review_failed")
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM reviews WHERE outcome = 'failed' AND last_error = 'gave up'", on: database.superuser) == 1)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue WHERE state = 'running'", on: database.superuser) == 1)
        }

        @Test func noOtherRoleMayCallTheCoordinatorsFunctions() throws {
            let database = try SecureDatabase()
            for role: RoleSpec in [.county(SecureDatabase.countyA), .reviewer, .admin, .auditor] {
                let person = try database.connect(as: role)
                for sql in ["SELECT * FROM claim_reviews(1, '1 minute', 'x', '{}')", "SELECT * FROM claim_submissions(1)",
                            "SELECT * FROM file_submissions('{}', '{}')", "SELECT * FROM fail_reviews('{}', '{}', '{}')",
                            "SELECT release_reviews('{}')", "SELECT * FROM rescue_reviews(3, 'x')", "SELECT coordinator_channel()",
                            "SELECT retry_review(1, gen_random_uuid(), 'x', '1 second', true)",
                            "SELECT defer_review(1, gen_random_uuid(), '{}', 'x', '1 second')",
                            "SELECT renew_leases('{}', '1 minute')"] {
                    #expect(SecurityFixtures.sqlState { try person.query(sql) } == "42501", "\(role): \(sql)")
                }
            }
        }
    }
}
