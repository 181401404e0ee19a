import Foundation
import ClusterStandard
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// Corrections link (issue 15, item 7; sql/110): a filing names the returned filing it corrects
    /// in `supersedes` (its document); the door files it only for the county's own returned filing
    /// not yet corrected, and says why otherwise.
    @Suite(.serialized) struct CorrectionDoorTests {
        let a = SecureDatabase.countyA
        let b = SecureDatabase.countyB

        /// County `county`'s sample, named with `suffix`, correcting `supersedes` when given.
        func document(_ county: String, _ suffix: String, supersedes: Int64? = nil) throws -> Data {
            try SecurityFixtures.submission(county: county, suffix: suffix) { root in
                if let supersedes { root["supersedes"] = .number(Decimal(supersedes)) }
            }
        }

        /// Files county `county`'s sample named `suffix` and returns it to the county (as `decide return` leaves it).
        func returnedFiling(_ database: SecureDatabase, county: String, _ suffix: String) throws -> Int64 {
            let sender = try database.connect(as: .county(county))
            defer { sender.close() }
            let id = try TestDoor.file(try document(county, suffix), on: sender, checkingOn: database.superuser)
            _ = try database.superuser.query("UPDATE filings SET status = 'returned' WHERE id = $1", [id])
            return id
        }

        func refusal(_ verdict: SubmissionVerdict) -> [ValidationIssue] {
            if case .refused(let issues) = verdict { return issues }
            Issue.record("not refused: \(verdict)")
            return []
        }

        @Test func validateAcceptsSupersedesAsAPositiveWholeNumberAndRefusesAnythingElse() throws {
            #expect(FilingValidator.validate(try document(a, "v", supersedes: 12)).isEmpty)
            for bad: JSONValue in [0, "12", -3, .number(Decimal(string: "1.5")!)] {
                let data = try SecurityFixtures.submission(county: a, suffix: "v") { $0["supersedes"] = bad }
                let issues = FilingValidator.validate(data)
                #expect(issues.map(\.path) == ["$.supersedes"], "\(bad): \(issues)")
            }
        }

        @Test func aCorrectionOfTheCountysReturnedFilingIsFiledAndTheReturnedOneShowsSupersededByIt() throws {
            let database = try SecureDatabase()
            let old = try returnedFiling(database, county: a, "old")
            let county = try database.connect(as: .county(a))
            let new = try TestDoor.file(try document(a, "new", supersedes: old), on: county, checkingOn: database.superuser)
            let shown = try #require(try ReviewRecords.status(of: old, on: county))
            #expect(shown.status == "superseded")
            #expect(shown.supersededBy == new)
            #expect(try ReviewRecords.status(of: new, on: county)?.supersedes == old)
            let record = try #require(try ReviewerRecords.load(filing: old, on: county))
            #expect(record.supersededBy == new)
            #expect(record.lines(language: .en).contains("superseded by \(new)"))
        }

        @Test func aCorrectionNamingAnotherCountysFilingIsRefusedAtTheDoor() throws {
            let database = try SecureDatabase()
            let theirs = try returnedFiling(database, county: b, "theirs")
            let county = try database.connect(as: .county(a))
            let before = try database.recordsSnapshot()
            let issues = refusal(try TestDoor.submit([try document(a, "mine", supersedes: theirs)], on: county, checkingOn: database.superuser)[0])
            #expect(issues.map { "\($0.path) \($0.rule)" } == ["$.supersedes supersedes"], "\(issues)")
            #expect(issues.first?.message.en.contains("county \(a) has no filing \(theirs)") == true, "\(issues)")
            #expect(try database.recordsSnapshot() == before, "nothing filed")
            #expect(try ReviewRecords.status(of: theirs, on: database.superuser)?.status == "returned", "the other county's filing untouched")
        }

        @Test func aCorrectionNamingAFilingThatWasNotReturnedIsRefusedNamingItsStatus() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let reviewed = try TestDoor.file(try document(a, "live"), on: county, checkingOn: database.superuser)
            let issues = refusal(try TestDoor.submit([try document(a, "fix", supersedes: reviewed)], on: county, checkingOn: database.superuser)[0])
            #expect(issues.map(\.rule) == ["supersedes_not_returned"], "\(issues)")
            #expect(issues.first?.message.en.contains("filing \(reviewed) is submitted, not returned") == true, "\(issues)")
            #expect(issues.first?.message.zh.contains("未被退回") == true)
        }

        @Test func aSecondCorrectionOfTheSameFilingIsRefusedNamingTheFirst() throws {
            let database = try SecureDatabase()
            let old = try returnedFiling(database, county: a, "old")
            let county = try database.connect(as: .county(a))
            let first = try TestDoor.file(try document(a, "first", supersedes: old), on: county, checkingOn: database.superuser)
            let issues = refusal(try TestDoor.submit([try document(a, "second", supersedes: old)], on: county, checkingOn: database.superuser)[0])
            #expect(issues.map(\.rule) == ["supersedes_already_corrected"], "\(issues)")
            #expect(issues.first?.message.en.contains("already corrected by filing \(first)") == true, "\(issues)")
            // The first correction sent again is the same content: accepted, naming the filing on file.
            #expect(try TestDoor.file(try document(a, "first", supersedes: old), on: county, checkingOn: database.superuser) == first)
        }

        @Test func twoCorrectionsOfOneFilingInOneBatchFileTheFirstAndRefuseTheSecond() throws {
            let database = try SecureDatabase()
            let old = try returnedFiling(database, county: a, "old")
            let county = try database.connect(as: .county(a))
            let verdicts = try TestDoor.submit([try document(a, "one", supersedes: old), try document(a, "two", supersedes: old)],
                                               on: county, checkingOn: database.superuser)
            guard case .filed(let first) = verdicts[0] else {
                Issue.record("first not filed: \(verdicts[0])")
                return
            }
            #expect(refusal(verdicts[1]).map(\.rule) == ["supersedes_already_corrected"])
            #expect(try ReviewRecords.status(of: old, on: county)?.supersededBy == first)
        }

        @Test func aSubmissionAndItsDocumentNamingDifferentFilingsIsRefused() throws {
            let database = try SecureDatabase()
            let old = try returnedFiling(database, county: a, "old")
            let county = try database.connect(as: .county(a))
            let issues = refusal(try TestDoor.submit([try document(a, "x", supersedes: old)], supersedes: old + 1000,
                                                     on: county, checkingOn: database.superuser)[0])
            #expect(issues.map(\.rule) == ["supersedes_mismatch"], "\(issues)")
        }
    }
}
