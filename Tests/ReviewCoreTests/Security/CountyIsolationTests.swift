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

        @Test func aCountyFilesThroughTheNormalPathAndResubmittingReturnsTheSameFiling() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let submission = try SecurityFixtures.submission(county: a, suffix: "own")
            let first = try FilingStore.submit(submission, on: county)
            let again = try FilingStore.submit(submission, on: county)
            #expect(first.created && !again.created)
            #expect(first.id == again.id)
            let row = try database.superuser.queryRow(
                "SELECT submitted_by, status, (SELECT count(*) FROM review_queue WHERE filing_id = $1) AS queued FROM filings WHERE id = $1",
                first.id)
            #expect(try row.decode("submitted_by", as: String.self).hasSuffix("_u"), "the login that filed is recorded")
            #expect(try row.decode("status", as: String.self) == "submitted")
            #expect(try row.decode("queued", as: Int.self) == 1)
        }

        @Test func filingForAnotherCountyIsRefusedWith42501AndNothingIsWritten() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.snapshot()
            let state = SecurityFixtures.sqlState {
                _ = try FilingStore.submit(try SecurityFixtures.submission(county: b, suffix: "not mine"), on: county)
            }
            #expect(state == "42501")
            #expect(try database.snapshot() == before)
        }

        @Test func aPayloadNamingAnotherCountyUnderOwnCodeIsRefused() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            var submission = try SecurityFixtures.submission(county: b, suffix: "relabelled")
            submission.countyCode = a  // the column says A, the payload still says B
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState { _ = try FilingStore.submit(submission, on: county) } == "42501")
            #expect(try database.snapshot() == before)
        }

        @Test func aForgedContentHashIsRefused() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let submission = try SecurityFixtures.submission(county: a, suffix: "forged hash")
            let state = SecurityFixtures.sqlState {
                try county.query("""
                    INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash)
                    VALUES ($1, $2, $3, $4::date, 1, $5, sha256('something else'::bytea))
                    """, submission.kind.rawValue, a, submission.clusterName, submission.filedOn.description, JSONB(bytes: submission.payload))
            }
            #expect(state == "42501")
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
            func attempt(_ target: Int64, _ suffix: String) -> (String?, String) {
                do {
                    _ = try FilingStore.submit(try SecurityFixtures.submission(county: a, suffix: suffix), supersedes: target, on: county)
                    return (nil, "")
                } catch let error as PostgresError {
                    guard case .server(let server) = error else { return ("client", "") }
                    return (server.sqlState, server.message.replacingOccurrences(of: String(target), with: "N"))
                } catch {
                    return ("other", "\(error)")
                }
            }
            let before = try database.snapshot()
            let foreign = attempt(theirs, "correction 1")
            let missing = attempt(theirs + 1000, "correction 2")
            #expect(foreign.0 == "23503")
            #expect(foreign.0 == missing.0 && foreign.1 == missing.1, "the error must not tell a foreign id from a missing one")
            #expect(try database.snapshot() == before)
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
            } == "23503")
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
