import ClusterStandard
import Foundation
import IndicatorKit
import JSONCore
import Postgres
@testable import ReviewCore
import TestSupport
import Testing

/// Application rounds (issue 17, item 1; sql/120): a kind the province runs rounds for is filed in
/// the round open that day, within its quotas, or refused at the door with the reason readable by
/// the county; the round's rulebook and as-of date go to the review; its validity start to the
/// register.
@Suite(.serialized) struct RoundTests {
    let a = SecureDatabase.countyA
    let b = SecureDatabase.countyB

    /// A database whose clock reads `today`, with an administrator's connection.
    func database(today: String = "2026-03-16") throws -> (SecureDatabase, admin: PostgresConnection) {
        let database = try SecureDatabase()
        try LifecycleFixture.today(database.superuser, today)
        return (database, try database.connect(as: .admin))
    }

    func day(_ text: String) -> CivilDate { CivilDate(text)! }

    /// A round of initial filings from `opens` to `closes` with the rest as given.
    func draft(_ name: String, _ opens: String, _ closes: String, kinds: [String] = ["initial"], perCounty: Int? = nil,
               total: Int? = nil, rulebook: String? = nil, asOf: String? = nil, validityStart: String? = nil) -> RoundDraft {
        RoundDraft(name: name, kinds: kinds, opensOn: day(opens), closesOn: day(closes), rulebook: rulebook, asOf: asOf.map(day),
                   quotaPerCounty: perCounty, quotaTotal: total, validityStartsOn: validityStart.map(day))
    }

    /// The sample filing of `county`, its name suffixed (new content).
    func document(_ county: String, _ suffix: String) throws -> Data {
        try SecurityFixtures.submission(county: county, suffix: suffix)
    }

    /// Sends `documents` as the county's login (or the owner) and checks them as the owner.
    func submit(_ documents: [Data], on sender: PostgresConnection, in database: SecureDatabase,
                supersedes: Int64? = nil) throws -> [SubmissionVerdict] {
        try TestDoor.submit(documents, supersedes: supersedes, on: sender, checkingOn: database.superuser)
    }

    func refusal(_ verdict: SubmissionVerdict) -> ValidationIssue? {
        if case .refused(let issues) = verdict { return issues.first }
        return nil
    }

    func filing(_ verdict: SubmissionVerdict) -> Int64? {
        if case .filed(let id) = verdict { return id }
        return nil
    }

    func roundOf(_ filing: Int64, _ database: SecureDatabase) throws -> Int64? {
        try database.superuser.queryRow("SELECT round_id FROM filings WHERE id = $1", [filing]).decode("round_id")
    }

    // MARK: the window

    @Test func anInitialFilingOutsideAnyOpenRoundIsRefusedNamingTheLastRoundAndTheNextOnesDates() throws {
        let (database, admin) = try database(today: "2026-03-16")
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-20"), on: admin)
        try Rounds.open(draft("2026年第二批", "2026-04-01", "2026-04-30"), on: admin)
        try LifecycleFixture.today(database.superuser, "2026-03-25")
        let county = try database.connect(as: .county(a))
        let before = try database.recordsSnapshot()
        let verdict = try submit([try document(a, "late")], on: county, in: database)[0]
        let issue = try #require(refusal(verdict), "\(verdict)")
        #expect(issue.rule == "round")
        #expect(issue.path == "$.kind")
        #expect(issue.message.zh.contains("2026年第一批") && issue.message.zh.contains("2026-03-20"))
        #expect(issue.message.zh.contains("2026年第二批") && issue.message.zh.contains("2026-04-01 至 2026-04-30"))
        #expect(issue.message.en.contains("from 2026-04-01 to 2026-04-30"))
        #expect(try database.recordsSnapshot() == before, "nothing was filed")
    }

    @Test func aFilingOutsideEveryRoundWithNoneAnnouncedSaysNoNextRoundIsAnnounced() throws {
        let (database, admin) = try database(today: "2026-03-16")
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-20"), on: admin)
        try LifecycleFixture.today(database.superuser, "2026-03-21")
        let verdict = try submit([try document(a, "late")], on: try database.connect(as: .county(a)), in: database)[0]
        let issue = try #require(refusal(verdict))
        #expect(issue.message.en.contains("no next round is announced yet"))
        #expect(issue.message.zh.contains("下一批次尚未公布"))
    }

    @Test func aFilingInTheOpenRoundBelongsToItAndIsReviewedUnderItsRulebookAndAsOfDate() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-20", rulebook: "hainan-2023", asOf: "2026-03-31"), on: admin)
        let verdict = try submit([try document(a, "in")], on: try database.connect(as: .county(a)), in: database)[0]
        let id = try #require(filing(verdict), "\(verdict)")
        #expect(try roundOf(id, database) == round)
        let queued = try database.superuser.queryRow("SELECT rulebook, as_of::text FROM review_queue WHERE filing_id = $1", [id])
        #expect(try queued.decode("rulebook", as: String?.self) == "hainan-2023")
        #expect(try queued.decode("as_of", as: String?.self) == "2026-03-31")
    }

    @Test func aRoundClosedEarlyRefusesFilingsFromThatDay() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        #expect(try Rounds.close(round, on: admin) == day("2026-03-16"))
        let verdict = try submit([try document(a, "closed")], on: try database.connect(as: .county(a)), in: database)[0]
        let issue = try #require(refusal(verdict))
        #expect(issue.rule == "round")
        #expect(issue.message.en.contains("took them until 2026-03-15"), "\(issue.message.en)")
        #expect(try Rounds.round(String(round), on: admin)?.state(on: day("2026-03-16")) == .closed)
        #expect(lifecycleError { try Rounds.close(round, on: admin) }?.code == .alreadyDone)
        #expect(lifecycleError { try Rounds.close(9999, on: admin) }?.code == .notFound)
    }

    @Test func aKindNoRoundTakesIsFiledAnyDay() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年复核", "2026-06-01", "2026-06-30", kinds: ["recertification"]), on: admin)
        let verdict = try submit([try document(a, "any day")], on: try database.connect(as: .county(a)), in: database)[0]
        let id = try #require(filing(verdict), "\(verdict)")
        #expect(try roundOf(id, database) == nil)
        #expect(try Rounds.round(String(round), on: admin)?.state(on: day("2026-03-16")) == .announced)
    }

    // MARK: quotas

    @Test func aCountyOverItsQuotaIsRefusedWhileAnotherCountyIsFiled() throws {
        let (database, admin) = try database()
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31", perCounty: 1), on: admin)
        let countyA = try database.connect(as: .county(a))
        #expect(filing(try submit([try document(a, "first")], on: countyA, in: database)[0]) != nil)
        let second = try submit([try document(a, "second")], on: countyA, in: database)[0]
        let issue = try #require(refusal(second), "\(second)")
        #expect(issue.rule == "round_quota")
        #expect(issue.message.en.contains("at most 1 filings per county") && issue.message.zh.contains("469005 的名额已满"))
        #expect(filing(try submit([try document(b, "first")], on: try database.connect(as: .county(b)), in: database)[0]) != nil)
    }

    @Test func theRoundsTotalQuotaRefusesTheFilingsBeyondItInOneBatch() throws {
        let (database, admin) = try database()
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31", perCounty: 1, total: 2), on: admin)
        // Sent by the owner, checked in one batch: A twice (the second over A's quota), then B, then
        // another county (over the total).
        let documents = [try document(a, "1"), try document(a, "2"), try document(b, "1"), try document("469001", "1")]
        let verdicts = try submit(documents, on: database.superuser, in: database)
        #expect(filing(verdicts[0]) != nil)
        #expect(refusal(verdicts[1])?.message.en.contains("per county") == true, "\(verdicts[1])")
        #expect(filing(verdicts[2]) != nil, "A's refused one does not count against the total: \(verdicts[2])")
        #expect(refusal(verdicts[3])?.message.en.contains("takes 2 filings in all and is full") == true, "\(verdicts[3])")
    }

    @Test func aCorrectionStaysInItsRoundAfterTheLastDayAndIsNotCountedAgain() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-20", perCounty: 1), on: admin)
        let countyA = try database.connect(as: .county(a))
        let first = try #require(filing(try submit([try document(a, "first")], on: countyA, in: database)[0]))
        try database.superuser.query("DELETE FROM review_queue WHERE filing_id = $1", [first])
        try database.superuser.query("UPDATE filings SET status = 'returned' WHERE id = $1", [first])
        try LifecycleFixture.today(database.superuser, "2026-04-02")
        let corrected = try submit([try document(a, "corrected")], on: countyA, in: database, supersedes: first)[0]
        let id = try #require(filing(corrected), "\(corrected)")
        #expect(try roundOf(id, database) == round)
    }

    // MARK: who opens rounds, and how

    @Test func onlyAnAdministratorOpensOrClosesARoundAndEveryoneReadsThem() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        for role in [RoleSpec.county(a), .reviewer, .auditor, .coordinator] {
            let person = try database.connect(as: role)
            #expect(SecurityFixtures.sqlState { _ = try Rounds.open(draft("x \(role)", "2026-05-01", "2026-05-02"), on: person) } == "42501")
            #expect(SecurityFixtures.sqlState { try Rounds.close(round, on: person) } == "42501")
            #expect(SecurityFixtures.sqlState { try person.query("UPDATE rounds SET quota_total = 1") } == "42501")
            #expect(try Rounds.list(on: person).map(\.id) == [round], "\(role)")
        }
    }

    @Test func overlappingRoundsOfAKindAreRefusedAndOtherKindsOrLaterDaysAreNot() throws {
        let (_, admin) = try database()
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        let clash = lifecycleError { _ = try Rounds.open(self.draft("重叠", "2026-03-31", "2026-04-30", kinds: ["initial", "recertification"]), on: admin) }
        #expect(clash?.code == .invalidInput)
        #expect(clash?.message.en.contains("2026年第一批") == true)
        try Rounds.open(draft("复核", "2026-03-31", "2026-04-30", kinds: ["recertification"]), on: admin)
        try Rounds.open(draft("2026年第二批", "2026-04-01", "2026-04-30"), on: admin)
        #expect(lifecycleError { _ = try Rounds.open(self.draft("2026年第二批", "2026-09-01", "2026-09-30"), on: admin) }?.code == .invalidInput)
        #expect(lifecycleError { _ = try Rounds.open(self.draft("倒置", "2026-09-30", "2026-09-01"), on: admin) }?.code == .invalidInput)
        #expect(lifecycleError { _ = try Rounds.open(self.draft("已过", "2026-01-01", "2026-01-31"), on: admin) }?.code == .dateRefused)
        #expect(lifecycleError { _ = try Rounds.open(self.draft("名额", "2026-10-01", "2026-10-31", perCounty: 3, total: 2), on: admin) }?.code == .invalidInput)
        #expect(lifecycleError { _ = try Rounds.open(self.draft("种类", "2026-10-01", "2026-10-31", kinds: ["other"]), on: admin) }?.code == .invalidInput)
    }

    // MARK: what the round gives its filings

    @Test func aRoundsValidityStartIsItsRecognitionsFirstDay() throws {
        let (database, admin) = try database(today: "2026-03-01")
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31", validityStart: "2026-07-01"), on: admin)
        let connection = database.superuser
        let lifecycle = try LifecycleFixture.lifecycle(connection)
        let filing = try LifecycleFixture.filing(connection, filedOn: "2026-03-01")
        try connection.query("UPDATE filings SET round_id = $1 WHERE id = $2", [round, filing])
        try LifecycleFixture.review(connection, filing: filing, findings: [("COMP-1", "pass")])
        try LifecycleFixture.today(connection, "2026-04-28")
        try lifecycle.decide(filing: filing, .approve, note: "符合认定条件")
        let notice = try #require(try lifecycle.notice(filing: filing))
        try LifecycleFixture.today(connection, notice.endsOn.adding(days: 1))
        let cluster = try #require(try lifecycle.closePublicity(filing: filing))
        let entry = try #require(try Register.entry(connection, String(cluster)))
        #expect(entry.recognizedOn == day("2026-07-01"))
        #expect(entry.validUntil == day("2029-07-01"))
        #expect(try Register.terms(connection, cluster: cluster).first?.startsOn == day("2026-07-01"))
    }

    @Test func theTallyCountsTheRoundsFilingsPerCountyAndStatusAsThePersonMayRead() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        _ = try submit([try document(a, "1"), try document(a, "2"), try document(b, "1")], on: database.superuser, in: database)
        #expect(try Rounds.tally(round: round, on: admin) == [
            RoundTally(countyCode: a, status: "submitted", count: 2), RoundTally(countyCode: b, status: "submitted", count: 1),
        ].sorted { $0.countyCode < $1.countyCode })
        #expect(try Rounds.tally(round: round, on: try database.connect(as: .county(a))) == [RoundTally(countyCode: a, status: "submitted", count: 2)])
    }

    @Test func aCountyReadsTheRoundsItFilesInButNotWhichAdministratorOpenedOrClosedThem() throws {
        let (database, admin) = try database()
        let round = try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        try Rounds.close(round, on: admin)
        let county = try database.connect(as: .county(a))
        #expect(try Rounds.list(on: county).map(\.name) == ["2026年第一批"])
        #expect(try Rounds.round(String(round), on: county)?.closedOn == day("2026-03-16"))
        for column in ["opened_by", "closed_by", "*"] {
            #expect(SecurityFixtures.sqlState { try county.query("SELECT \(column) FROM rounds") } == "42501", "\(column)")
        }
        let reviewer = try database.connect(as: .reviewer)
        #expect(try reviewer.queryRow("SELECT opened_by FROM rounds WHERE id = $1", [round]).decode("opened_by", as: String.self) != "")
    }

    @Test func theIntakeRecordsInTurnOnlyWhileARoundWithAQuotaReceivesFilings() throws {
        let (database, admin) = try database(today: "2026-03-16")
        let coordinator = try database.connect(as: .coordinator)
        #expect(try Rounds.quotaReceivingToday(on: coordinator) == false, "no round")
        try Rounds.open(draft("2026年第一批", "2026-03-01", "2026-03-31"), on: admin)
        #expect(try Rounds.quotaReceivingToday(on: coordinator) == false, "a round without a quota")
        let quota = try Rounds.open(draft("2026年变更", "2026-03-01", "2026-03-31", kinds: ["change_report"], perCounty: 1), on: admin)
        #expect(try Rounds.quotaReceivingToday(on: coordinator) == true)
        try Rounds.close(quota, on: admin)
        #expect(try Rounds.quotaReceivingToday(on: coordinator) == false, "closed today")
    }
}
