import Foundation
import ClusterStandard
import JSONCore
import Postgres
@testable import ReviewCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension SecurityTests {
    /// `submit` of many files (issue 16): the client sends them in lots of
    /// `SubmissionDoor.documentsPerTransaction`, each lot committed as it is sent; coordinators check
    /// them in batches on several connections. Each document still keeps its own receipt and its
    /// own verdict, and a batch whose coordinator dies before committing leaves nothing written.
    @Suite(.serialized) struct SubmissionBatchTests {
        let a = SecureDatabase.countyA
        let b = SecureDatabase.countyB

        /// County A's sample under cluster name suffix `suffix`.
        func sample(_ suffix: String, _ edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> Data {
            try SecurityFixtures.submission(county: a, suffix: suffix, edit: edit)
        }

        /// A county A login whose ceiling of pending work is `ceiling`.
        func county(_ database: SecureDatabase, ceiling: Int = 1000) throws -> PostgresConnection {
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = $1 WHERE group_role = 'cr_county'", ceiling)
            return try database.connect(as: .county(a))
        }

        @Test func aMixedBatchOfSeveralLotsGivesEachDocumentItsOwnReceiptAndVerdict() throws {
            let database = try SecureDatabase()
            let county = try county(database)
            let count = 2 * SubmissionDoor.documentsPerTransaction + 30
            var documents = try (0..<count).map { SubmissionDoor.Document(try sample("lot \($0)"), reference: "f\($0).json") }
            let invalid = 3, otherCounty = SubmissionDoor.documentsPerTransaction + 1
            let oversize = SubmissionDoor.documentsPerTransaction + 50, duplicate = count - 10
            documents[invalid] = SubmissionDoor.Document(try sample("2001") { $0["filing_date"] = .string("2001-01-01") }, reference: "bad.json")
            documents[otherCounty] = SubmissionDoor.Document(try SecurityFixtures.submission(county: b, suffix: "B's"), reference: "b.json")
            documents[oversize] = SubmissionDoor.Document(Data(repeating: 0x20, count: 2_100_000), reference: "big.json")
            documents[duplicate] = SubmissionDoor.Document(documents[0].bytes, reference: "again.json")

            let receipts = try SubmissionDoor.send(documents, on: county)
            #expect(receipts.count == count)
            var ids: [Int: Int64] = [:]
            for (index, receipt) in receipts.enumerated() {
                switch receipt {
                case .received(let id): ids[index] = id
                case .refused(let error): #expect(index == oversize && error.sqlState == "23514", "\(index): \(error)")
                }
            }
            #expect(ids.count == count - 1 && ids[oversize] == nil)
            // In the order sent: each lot's ids follow the one before.
            let ordered = (0..<count).compactMap { ids[$0] }
            #expect(ordered == ordered.sorted())

            // Two coordinators' connections take turns, as the intake loops of one coordinator do.
            let first = try database.connect(as: .coordinator), second = try database.connect(as: .coordinator)
            var checked = 0
            while true {
                let step = try SubmissionIntake.checkPending(limit: 64, on: first).checked + SubmissionIntake.checkPending(limit: 64, on: second).checked
                if step == 0 { break }
                checked += step
            }
            #expect(checked == count - 1)

            let verdicts = try SubmissionDoor.verdicts(of: Array(ids.values), on: county)
            #expect(verdicts.count == count - 1)
            #expect(verdicts[ids[invalid]!] == .refused(issues: FilingValidator.validate(documents[invalid].bytes)))
            guard case .refused(let issues)? = verdicts[ids[otherCounty]!] else {
                Issue.record("another county's filing was not refused")
                return
            }
            #expect(issues.map { $0.rule } == ["county_not_yours"])
            guard case .filed(let original)? = verdicts[ids[0]!] else {
                Issue.record("the first was not filed")
                return
            }
            #expect(verdicts[ids[duplicate]!] == .alreadyOnFile(filing: original))
            var filings: Set<Int64> = []
            for (index, id) in ids where ![invalid, otherCounty, duplicate].contains(index) {
                guard case .filed(let filing)? = verdicts[id] else {
                    Issue.record("\(index) was not filed: \(String(describing: verdicts[id]))")
                    continue
                }
                filings.insert(filing)
            }
            #expect(filings.count == count - 4, "one filing each")
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == count - 4)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: database.superuser) == count - 4)
            // One audit row per filing, the row as filed without its payload (sql/167: per statement,
            // the image audit_filing_row wrote), in the order the filings were inserted.
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM audit_log WHERE table_name = 'filings' AND operation = 'INSERT'", on: database.superuser) == count - 4)
            #expect(try CoordinatorFixtures.count("""
                SELECT count(*) FROM filings f JOIN audit_log a ON a.table_name = 'filings' AND a.row_key = f.id::text
                WHERE a.operation = 'INSERT' AND a.before IS NULL AND a.after = to_jsonb(f) - 'payload' AND a.after ? 'content_hash'
                """, on: database.superuser) == count - 4)
            #expect(try CoordinatorFixtures.count("""
                SELECT count(*) FROM (SELECT a.row_key::bigint - lag(a.row_key::bigint) OVER (ORDER BY a.id) AS step
                                      FROM audit_log a WHERE a.table_name = 'filings' AND a.operation = 'INSERT') x
                WHERE x.step <= 0
                """, on: database.superuser) == 0)
        }

        @Test func aCoordinatorKilledAfterFilingABatchButBeforeItsCommitLeavesNothingAndAnotherFilesEachOnce() throws {
            let database = try SecureDatabase()
            let county = try county(database)
            let count = 150
            _ = try SubmissionDoor.send(try (0..<count).map { SubmissionDoor.Document(try sample("kill \($0)")) }, on: county)
            // The first coordinator's login is made before the snapshot (making a login writes rows).
            let first = try database.connect(as: .coordinator)
            let before = try database.recordsSnapshot()
            let submissionsBefore = try database.snapshot()["submissions"]

            // The first coordinator claims a batch and has it filed, then dies before its commit.
            let backend = try CoordinatorFixtures.count("SELECT pg_backend_pid()", on: first)
            try first.executeScript("BEGIN")
            let claimed: [Int64] = try first.query("SELECT submission_id FROM claim_submissions(64)").rows.map { try $0.decode("submission_id") }
            #expect(claimed.count == 64)
            let filed = try first.query(
                "SELECT state FROM file_submissions($1::bigint[], array_fill(NULL::jsonb, ARRAY[$2::int]))",
                ArrayLiteral(.bigint, numbers: claimed), claimed.count)
            #expect(try filed.rows.allSatisfy { try $0.decode("state", as: String.self) == "accepted" })
            _ = try database.superuser.query("SELECT pg_terminate_backend($1::int)", backend)
            let deadline = Date().addingTimeInterval(120)
            while try CoordinatorFixtures.count("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [backend], on: database.superuser) > 0,
                Date() < deadline
            {
                usleep(10_000)
            }
            first.close()
            #expect(try database.recordsSnapshot() == before, "no filing, queued review, audit row or notice of the batch")
            #expect(try database.snapshot()["submissions"] == submissionsBefore, "every submission still pending, unchanged")

            let second = try database.connect(as: .coordinator)
            while try SubmissionIntake.checkPending(limit: 64, on: second).checked > 0 {}
            #expect(try database.submissionStates() == ["accepted": count])
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == count)
            #expect(try CoordinatorFixtures.count("SELECT count(DISTINCT filing_id) FROM submissions", on: database.superuser) == count)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM review_queue", on: database.superuser) == count)
        }
    }
}
