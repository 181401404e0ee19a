import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// A curious county: it files and reads its own county's records through the normal paths, and
    /// never sees, names or changes another county's, whatever it tries.
    @Suite struct CountyIsolationTests {
        let a = SecureDatabase.countyA
        let b = SecureDatabase.countyB

        @Test func aCountyFilesThroughTheDoorAndResubmittingReturnsTheSameFiling() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let document = try SecurityFixtures.submission(county: a, suffix: "own")
            let first = try TestDoor.submit([document], on: county, checkingOn: database.superuser)[0]
            let again = try TestDoor.submit([document], on: county, checkingOn: database.superuser)[0]
            guard case .filed(let id) = first, case .alreadyOnFile(let same) = again else {
                Issue.record("\(first), \(again)")
                return
            }
            #expect(id == same)
            let row = try database.superuser.queryRow(
                "SELECT submitted_by, status, (SELECT count(*) FROM review_queue WHERE filing_id = $1) AS queued FROM filings WHERE id = $1", id)
            #expect(try row.decode("submitted_by", as: String.self).hasSuffix("_u"), "the login that submitted is recorded")
            #expect(try row.decode("status", as: String.self) == "submitted")
            #expect(try row.decode("queued", as: Int.self) == 1)
        }

        @Test func filingForAnotherCountyIsRefusedAndNothingIsFiled() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.recordsSnapshot()
            let verdict = try TestDoor.submit([try SecurityFixtures.submission(county: b, suffix: "not mine")], on: county,
                                              checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("filed: \(verdict)")
                return
            }
            #expect(issues.map { "\($0.path) \($0.rule)" } == ["$.applicant.county_code county_not_yours"], "\(issues)")
            #expect(try database.recordsSnapshot() == before)
            // The refused submission is the county's own record: county A reads it, county B does not.
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM submissions", on: county) == 1)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM submissions", on: try database.connect(as: .county(b))) == 0)
        }

        @Test func aCountyCannotNameTheCountyThePersonOrTheVerdictOfASubmission() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let document = try SecurityFixtures.submission(county: a, suffix: "forged columns")
            let before = try database.snapshot()
            for (column, value) in [("county_code", "'460105'"), ("submitted_by", "'someone'"), ("state", "'accepted'"),
                                    ("filing_id", "1"), ("issues", "NULL"), ("received_at", "'2001-01-01'"),
                                    ("verdict_channel", "'x'"), ("checked_by", "'x'")] {
                #expect(SecurityFixtures.sqlState {
                    try county.query("INSERT INTO submissions (document, \(column)) VALUES ($1, \(value))", document)
                } == "42501", "\(column)")
            }
            // Nor write filings, the queue, or change or remove a submission.
            for sql in ["INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash) "
                            + "VALUES ('initial', '469005', 'x', '2001-01-01', 7, '{}', sha256('x'::bytea))",
                        "UPDATE submissions SET state = 'accepted'", "DELETE FROM submissions",
                        "INSERT INTO review_queue (filing_id, county_code) VALUES (1, '469005')"] {
                #expect(SecurityFixtures.sqlState { try county.query(sql) } == "42501", "\(sql)")
            }
            #expect(try database.snapshot() == before)
        }

        @Test func anotherCountysFilingReadsAsNotFoundThroughEveryRead() throws {
            let database = try SecureDatabase()
            let theirs = try database.file(county: b, suffix: "theirs", on: database.superuser)
            try database.review(filing: theirs)
            let queued = try database.file(county: b, suffix: "theirs queued", on: database.superuser)
            let mine = try database.file(county: a, suffix: "mine", on: database.superuser)
            try database.review(filing: mine)
            let county = try database.connect(as: .county(a))

            #expect(try ReviewRecords.status(of: theirs, on: county) == nil)
            #expect(try ReviewRecords.status(of: queued, on: county) == nil)
            #expect(try ReviewRecords.latestReview(of: theirs, on: county) == nil)
            #expect(try ReviewRecords.status(of: mine, on: county)?.reviewId != nil)
            #expect(try ReviewRecords.latestReview(of: mine, on: county)?.findings.count == 1)
            #expect(try ReviewRecords.list(limit: 100, on: county).map(\.id) == [mine])
            // Counts through every table: only county A's rows exist for A.
            for table in ["filings", "review_queue", "reviews", "findings"] {
                let other: Int = try county.queryRow("SELECT count(*) FROM \(table) WHERE county_code <> $1", a).decode(column: 0)
                #expect(other == 0, "\(table) shows another county's rows")
            }
            // The queue statistics count only A's work.
            #expect(try ReviewQueue.statistics(on: county).queued == 0)
            #expect(try ReviewQueue.statistics(on: database.superuser).queued == 1)
            // The modules' context function is the coordinator's alone.
            #expect(SecurityFixtures.sqlState { try county.query("SELECT review_context($1)", theirs) } == "42501")
        }

        @Test func supersedingAnotherCountysFilingFailsExactlyLikeAMissingOne() throws {
            let database = try SecureDatabase()
            let theirs = try database.file(county: b, suffix: "theirs", on: database.superuser)
            let county = try database.connect(as: .county(a))
            func attempt(_ target: Int64, _ suffix: String) throws -> [String] {
                let verdict = try TestDoor.submit([try SecurityFixtures.submission(county: a, suffix: suffix)], supersedes: target,
                                                  on: county, checkingOn: database.superuser)[0]
                guard case .refused(let issues) = verdict else { return ["filed"] }
                return issues.map { "\($0.rule): \($0.message.en.replacingOccurrences(of: String(target), with: "N"))" }
            }
            let before = try database.recordsSnapshot()
            let foreign = try attempt(theirs, "correction 1")
            let missing = try attempt(theirs + 1000, "correction 2")
            #expect(foreign.first?.hasPrefix("supersedes:") == true, "\(foreign)")
            #expect(foreign == missing, "the verdict must not tell a foreign id from a missing one")
            #expect(try database.recordsSnapshot() == before)
        }

        @Test func aCountyCannotQueueOrTouchAnotherCountysReview() throws {
            let database = try SecureDatabase()
            let theirs = try database.file(county: b, suffix: "theirs", on: database.superuser)
            let county = try database.connect(as: .county(a))
            try database.superuser.query("DELETE FROM review_queue")
            let before = try database.snapshot()
            // Under B's code: row-level security. Under its own code: the filing is not its county's.
            #expect(SecurityFixtures.sqlState {
                try county.query("INSERT INTO review_queue (filing_id, county_code) VALUES ($1, $2)", theirs, b)
            } == "42501")
            #expect(SecurityFixtures.sqlState {
                try county.query("INSERT INTO review_queue (filing_id, county_code) VALUES ($1, $2)", theirs, a)
            } == "42501")
            #expect(SecurityFixtures.sqlState {
                try county.query("UPDATE review_queue SET not_before = now() + interval '1 year'")
            } == "42501")
            #expect(try database.snapshot() == before)
        }

        @Test func aLoginHoldingNoRoleSeesNothing() throws {
            let database = try SecureDatabase()
            try database.file(county: a, suffix: "x", on: database.superuser)
            let name = SecurityFixtures.uniqueName("norole")
            try database.superuser.executeScript("CREATE ROLE \(name) LOGIN")
            let stranger = try PostgresConnection(database.conninfo + " user=\(name)")
            for table in ["filings", "review_queue", "reviews", "findings", "counties", "coordinators"] {
                #expect(SecurityFixtures.sqlState { try stranger.query("SELECT 1 FROM \(table) LIMIT 1") } == "42501", "\(table)")
            }
        }
    }
}
