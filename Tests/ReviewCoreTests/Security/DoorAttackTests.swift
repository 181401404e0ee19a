import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

extension SecurityTests {
    /// The attacks of issue 14 (phase 1), replayed against a real database as the person who tried
    /// them: each is refused and nothing is written (docs/security.md, "Attacks and their controls").
    @Suite(.serialized) struct DoorAttackTests {
        typealias F = LifecycleFixture

        /// A reviewed initial filing of county A, filed on 2 March 2026, all findings passing; the
        /// database's clock stands on 30 November 2026 (the day the attacks were tried).
        static func reviewedFiling(_ database: SecureDatabase) throws -> Int64 {
            let db = database.superuser
            _ = try F.lifecycle(db)
            let filing = try F.filing(db, filedOn: "2026-03-02")
            try F.review(db, filing: filing, findings: [("COMP-1", "pass")])
            try F.today(db, "2026-11-30")
            return filing
        }

        /// A login holding the administrator's role and the reviewer's too (granted by the owner).
        static func administratorWhoReviews(_ database: SecureDatabase) throws -> (name: String, connection: PostgresConnection) {
            let admin = try database.login(.admin, hint: "admrev")
            try database.superuser.executeScript("GRANT cr_reviewer TO \(admin.name)")
            return (admin.name, try PostgresConnection(admin.conninfo))
        }

        // MARK: back-dating

        @Test func aReviewerCannotDateADecisionBeforeTheFilingTheYearsBeforeOrAfterToday() throws {
            let database = try SecureDatabase()
            let filing = try Self.reviewedFiling(database)
            let reviewer = Lifecycle(try database.connect(as: .reviewer))
            let before = try database.snapshot()
            // The attack: decide 2 approve --on 2020-01-01, on a filing filed in 2026.
            let backdated = lifecycleError { try reviewer.decide(filing: filing, .approve, note: "通过", on: F.day("2020-01-01")) }
            #expect(backdated?.code == .dateRefused, "\(String(describing: backdated))")
            #expect(backdated?.message.en.contains("before the day filing \(filing) was filed") == true)
            #expect(backdated?.message.zh.isEmpty == false)
            // After the filing but before today: an administrator's, not a reviewer's.
            #expect(SecurityFixtures.sqlState { try reviewer.decide(filing: filing, .approve, note: "通过", on: F.day("2026-04-01")) } == "42501")
            // After today: nobody's.
            let ahead = lifecycleError { try reviewer.decide(filing: filing, .approve, note: "通过", on: F.day("2026-12-05")) }
            #expect(ahead?.code == .dateRefused)
            #expect(try database.snapshot() == before)
        }

        @Test func anAdministratorDatesAStepInThePastOnlyWithAReasonTheAuditLogKeeps() throws {
            let database = try SecureDatabase()
            let filing = try Self.reviewedFiling(database)
            let (name, connection) = try Self.administratorWhoReviews(database)
            let lifecycle = Lifecycle(connection)
            let before = try database.snapshot()
            let noReason = lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过", on: F.day("2026-04-01")) }
            #expect(noReason?.code == .reasonRequired)
            #expect(try database.snapshot() == before)
            #expect(lifecycleError { try lifecycle.decide(filing: filing, .approve, note: "通过", on: F.day("2026-03-01"), reason: "late") }?.code
                == .dateRefused, "before the filing's date, even for an administrator")
            let reason = "4月1日评审会已决定，系统补录"
            try lifecycle.decide(filing: filing, .approve, note: "通过", on: F.day("2026-04-01"), reason: reason)
            let decidedOn: String = try database.superuser.queryRow("SELECT decided_on::text AS d FROM decisions WHERE filing_id = $1", filing)
                .decode("d")
            #expect(decidedOn == "2026-04-01")
            let audit = try database.superuser.queryRow(
                "SELECT who, after ->> 'reason' AS reason, after ->> 'today' AS today FROM audit_log WHERE table_name = 'stated_days'")
            #expect(try audit.decode("who", as: String.self) == name)
            #expect(try audit.decode("reason", as: String.self) == reason)
            #expect(try audit.decode("today", as: String.self) == "2026-11-30")
        }

        @Test func aNoticeOpenedTodayCannotBeClosedAtOnce() throws {
            let database = try SecureDatabase()
            let filing = try Self.reviewedFiling(database)
            let reviewer = Lifecycle(try database.connect(as: .reviewer))
            try reviewer.decide(filing: filing, .approve, note: "通过")
            let notice = try #require(try reviewer.notice(filing: filing))
            #expect(notice.startsOn > F.day("2026-11-30"), "the notice starts after the decision's day")
            let before = try database.snapshot()
            #expect(lifecycleError { try reviewer.closePublicity(filing: filing) }?.code == .outsideNoticePeriod)
            #expect(lifecycleError { try reviewer.closePublicity(filing: filing, on: notice.endsOn.adding(days: 1)) }?.code == .dateRefused)
            #expect(try database.snapshot() == before)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM clusters", on: database.superuser) == 0)
        }

        @Test func anIncidentCannotBeRecordedForADayAfterToday() throws {
            let database = try SecureDatabase()
            _ = try Self.reviewedFiling(database)
            let admin = Lifecycle(try database.connect(as: .admin))
            let before = try database.snapshot()
            let error = lifecycleError {
                try admin.recordIncident(
                    Incident(enterpriseCode: F.enterpriseA, date: F.day("2027-01-01"), category: "safety", grade: "major", description: nil),
                    source: "通报")
            }
            #expect(error?.code == .dateRefused)
            #expect(try database.snapshot() == before)
        }

        // MARK: the sweep's dates

        @Test func aSweepForAFutureDayIsOnlyAPreviewAndKeepsNothing() throws {
            let database = try SecureDatabase()
            let cluster = try F.recognizedCluster(database.superuser)
            try F.today(database.superuser, "2026-11-30")
            let admin = Sweep(try database.connect(as: .admin))
            let before = try database.snapshot()
            // The attack: sweep --as-of 2035-01-01, run on 2026-11-30.
            let error = lifecycleError { _ = try admin.run(asOf: F.day("2035-01-01")) }
            #expect(error?.code == .dateRefused)
            #expect(error?.hint?.contains("--dry-run") == true)
            #expect(try database.snapshot() == before)
            let preview = try admin.run(asOf: F.day("2035-01-01"), dryRun: true)
            #expect(preview.actions.contains { $0.action == "expire" && $0.clusterId == cluster }, "\(preview.actions)")
            #expect(try database.snapshot() == before)
            #expect(try Register.entry(database.superuser, String(cluster))?.status == "active")
        }

        @Test func aPastSweepIsAnAdministratorsBackfillWithAReason() throws {
            let database = try SecureDatabase()
            _ = try F.recognizedCluster(database.superuser)
            try F.today(database.superuser, "2026-11-30")
            let admin = Sweep(try database.connect(as: .admin))
            let reviewer = Sweep(try database.connect(as: .reviewer))
            let before = try database.snapshot()
            #expect(lifecycleError { _ = try admin.run(asOf: F.day("2026-10-01")) }?.code == .reasonRequired)
            #expect(SecurityFixtures.sqlState { _ = try reviewer.run(asOf: F.day("2026-10-01"), reason: "x") } == "42501")
            #expect(try database.snapshot() == before)
            let report = try admin.run(asOf: F.day("2026-10-01"), reason: "10月1日巡查因停机未运行，补跑")
            #expect(report.slot == "as-of:2026-10-01")
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM audit_log WHERE table_name = 'stated_days' AND after ->> 'day' = '2026-10-01'", on: database.superuser) == 1)
        }

        // MARK: the sweep's lock

        @Test func aCountyHoldingTheOldAdvisoryKeyDoesNotBlockTheSweep() throws {
            let database = try SecureDatabase()
            _ = try F.recognizedCluster(database.superuser)
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            // The attack: hold the key the sweep used to lock with.
            try county.query("SELECT pg_advisory_lock(hashtextextended('cluster_review.sweep', 0))")
            let admin = try database.connect(as: .admin)
            // Should it block, the statement stops after a minute instead of hanging the run.
            try admin.executeScript("SET statement_timeout = '60s'")
            let report = try Sweep(admin).run()
            #expect(report.slot.hasPrefix("as-of:"))
            #expect(try CoordinatorFixtures.count("SELECT runs FROM sweeps", on: database.superuser) == 1)
        }

        @Test func noLoginCanTakeTheSweepsLock() throws {
            let database = try SecureDatabase()
            for role: RoleSpec in [.county(SecureDatabase.countyA), .reviewer, .admin, .coordinator, .auditor] {
                let connection = try database.connect(as: role)
                #expect(SecurityFixtures.sqlState { try connection.query("SELECT singleton FROM sweep_lock FOR UPDATE") } == "42501", "\(role)")
                #expect(SecurityFixtures.sqlState {
                    try connection.executeScript("BEGIN; LOCK TABLE sweep_lock IN ACCESS EXCLUSIVE MODE")
                } == "42501", "\(role)")
                try? connection.executeScript("ROLLBACK")
            }
        }

        @Test func aSecondSweepWaitsForTheFirstThenSaysAnotherIsRunning() throws {
            let database = try SecureDatabase()
            _ = try F.recognizedCluster(database.superuser)
            try database.superuser.query("UPDATE lifecycle_settings SET sweep_wait_seconds = 1")
            let first = try database.connect(as: .admin)
            try first.executeScript("BEGIN")
            _ = try Sweep(first).run()
            let second = try database.connect(as: .admin)
            let error = lifecycleError { _ = try Sweep(second).run() }
            #expect(error?.code == .sweepRunning, "\(String(describing: error))")
            #expect(error?.message.en.contains("another sweep is running") == true)
            #expect(error?.message.zh.contains("另一次巡查正在运行") == true)
            try first.executeScript("COMMIT")
            #expect(try Sweep(second).run().actions.isEmpty, "once the first is done, the second runs and finds nothing new")
            #expect(try CoordinatorFixtures.count("SELECT runs FROM sweeps", on: database.superuser) == 2)
        }

        // MARK: the coordinator's sweep

        @Test func theCoordinatorRunsOnlyTheDailySweepDue() throws {
            let database = try SecureDatabase()
            let login = try database.login(.coordinator, hint: "coord")
            let coordinator = try PostgresConnection(login.conninfo)
            let today = try DatabaseClock.read(on: coordinator).today
            let report = try Sweep(coordinator).run(asOf: today, slot: "daily:\(today)")
            #expect(report.slot == "daily:\(today)")
            let by: String = try database.superuser.queryRow("SELECT last_run_by FROM sweeps WHERE slot = $1", "daily:\(today)").decode("last_run_by")
            #expect(by == login.name)
            let yesterday = today.adding(days: -1)
            #expect(SecurityFixtures.sqlState { _ = try Sweep(coordinator).run(asOf: yesterday, slot: "daily:\(yesterday)") } == nil)
            let before = try database.snapshot()
            for (day, slot) in [(today, "as-of:\(today)"), (today.adding(days: -5), "daily:\(today.adding(days: -5))")] {
                #expect(SecurityFixtures.sqlState { _ = try Sweep(coordinator).run(asOf: day, slot: slot) } == "42501", "\(slot)")
            }
            #expect(SecurityFixtures.sqlState { _ = try Sweep(coordinator).run(asOf: today, dryRun: true) } == "42501")
            #expect(try database.snapshot() == before)
        }

        @Test func theCoordinatorWritesTheRegisterOnlyInsideTheSweepEvenWithAGrantGivenByMistake() throws {
            let database = try SecureDatabase()
            _ = try F.recognizedCluster(database.superuser)
            try database.superuser.executeScript("""
                GRANT UPDATE ON clusters, sweep_actions TO cr_coordinator;
                CREATE POLICY oops ON clusters FOR UPDATE TO cr_coordinator USING (true) WITH CHECK (true);
                """)
            let coordinator = try database.connect(as: .coordinator)
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState { try coordinator.query("UPDATE clusters SET status = 'expired'") } == "42501")
            #expect(try database.snapshot() == before)
        }

        // MARK: limits

        @Test func everyCountyAndReviewerLoginCarriesItsLimits() throws {
            let database = try SecureDatabase()
            for (role, expected) in [
                (RoleSpec.county(SecureDatabase.countyA), ["30s", "1min", "100MB", "5"]),
                (.reviewer, ["2min", "5min", "1GB", "10"]),
                (.admin, ["0", "0", "-1", "-1"]),
            ] {
                let login = try database.login(role, hint: "lim")
                let connection = try PostgresConnection(login.conninfo)
                let row = try connection.queryRow("""
                    SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i,
                           current_setting('temp_file_limit') AS t, (SELECT rolconnlimit::text FROM pg_roles WHERE rolname = current_user) AS c
                    """)
                let actual = try ["s", "i", "t", "c"].map { try row.decode($0, as: String.self) }
                #expect(actual == expected, "\(role)")
            }
        }

        @Test func aLongStatementAndASpillingSortOfACountyAreStopped() throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(SecureDatabase.countyA), hint: "heavy")
            // Changing the limits reaches the logins that exist.
            try database.superuser.query(
                "UPDATE role_limits SET statement_timeout = '1s', temp_file_limit = '1MB' WHERE group_role = 'cr_county'")
            let connection = try PostgresConnection(county.conninfo)
            #expect(SecurityFixtures.sqlState { try connection.query("SELECT pg_sleep(3)") } == "57014")
            // The statement timeout is a default a deliberate client may lift (docs/security.md); the file limit is not.
            try connection.executeScript("SET statement_timeout = 0; SET work_mem = '64kB'")
            #expect(SecurityFixtures.sqlState {
                try connection.query("SELECT count(*) FROM (SELECT g FROM generate_series(1, 400000) AS g ORDER BY g DESC) AS sorted")
            } == "53400")
            // The file limit is a superuser's setting: the county cannot lift it.
            #expect(SecurityFixtures.sqlState { try connection.executeScript("SET temp_file_limit = '1GB'") } == "42501")
        }

        @Test func aCountyLoginHasAConnectionLimit() throws {
            let database = try SecureDatabase()
            // The default limit, not a lower one set for the test: a connection limit is an attribute
            // of the role, server-wide, and a change of role_limits sets it on every county login of
            // the server — a limit of 1 refused the second connection of other tests' county logins
            // running beside this one.
            let limit = try CoordinatorFixtures.count(
                "SELECT connection_limit FROM role_limits WHERE group_role = 'cr_county'", on: database.superuser)
            let county = try database.login(.county(SecureDatabase.countyA), hint: "conns")
            let open = try (0..<limit).map { _ in try PostgresConnection(county.conninfo) }
            defer { open.forEach { $0.close() } }
            let refused = SecurityFixtures.sqlState { _ = try PostgresConnection(county.conninfo) }
            #expect(refused?.contains("too many connections for role") == true, "\(String(describing: refused))")
        }

        @Test func aCountyCannotStoreALargeObjectOrNotify() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let before = try database.snapshot()
            for sql in ["SELECT lo_creat(-1)", "SELECT lo_from_bytea(0, '\\x00'::bytea)", "SELECT pg_notify('review_queued', 'spoof')"] {
                #expect(SecurityFixtures.sqlState { try county.query(sql) } == "42501", "\(sql)")
            }
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_largeobject_metadata", on: database.superuser) == 0)
            #expect(try database.snapshot() == before)
        }

        @Test func aCountyMayHaveOnlySoManyFilingsWaitingForReview() throws {
            let database = try SecureDatabase()
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 3 WHERE group_role = 'cr_county'")
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            var filed: [Int64] = []
            for index in 1...3 { filed.append(try database.file(county: SecureDatabase.countyA, suffix: "#\(index)", on: county)) }
            let before = try database.snapshot()
            let error = lifecycleError { try database.file(county: SecureDatabase.countyA, suffix: "#4", on: county) }
            #expect(error?.code == .limitReached, "\(String(describing: error))")
            #expect(error?.message.en.contains("3 filings waiting for review") == true)
            #expect(try database.snapshot() == before)
            // Once one is reviewed, the next is accepted.
            try database.review(filing: filed[0])
            #expect(SecurityFixtures.sqlState { try database.file(county: SecureDatabase.countyA, suffix: "#4", on: county) } == nil)
        }

        @Test func submissionsNotYetCheckedCountAgainstTheCeiling() throws {
            let database = try SecureDatabase()
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 2 WHERE group_role = 'cr_county'")
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            try database.file(county: SecureDatabase.countyA, suffix: "filed", on: county)
            // One filing waits for review and one submission waits to be checked: the ceiling is reached.
            let pending = try SecurityFixtures.submission(county: SecureDatabase.countyA, suffix: "pending")
            guard case .received = try SubmissionDoor.send([SubmissionDoor.Document(pending)], on: county)[0] else {
                Issue.record("the second was refused")
                return
            }
            let before = try database.snapshot()
            let third = try SecurityFixtures.submission(county: SecureDatabase.countyA, suffix: "third")
            guard case .refused(let error) = try SubmissionDoor.send([SubmissionDoor.Document(third)], on: county)[0] else {
                Issue.record("the third was received")
                return
            }
            #expect(LifecycleError(error)?.code == .limitReached, "\(error)")
            #expect(LifecycleError(error)?.message.en.contains("submissions not yet checked included") == true)
            #expect(try database.snapshot() == before)
            // Sent in one transaction with others, the one over the ceiling is refused and the others are kept.
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 4 WHERE group_role = 'cr_county'")
            let receipts = try SubmissionDoor.send(
                try (1...3).map { SubmissionDoor.Document(try SecurityFixtures.submission(county: SecureDatabase.countyA, suffix: "batch \($0)")) },
                on: county)
            let received = receipts.map { receipt -> Bool in
                guard case .received = receipt else { return false }
                return true
            }
            #expect(received == [true, true, false])
        }

        @Test func anotherCountysCeilingIsNeitherCountedNorRevealed() throws {
            let database = try SecureDatabase()
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 1 WHERE group_role = 'cr_county'")
            try database.file(county: SecureDatabase.countyB, suffix: "B pending", on: database.superuser)
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            // B is at its ceiling; A sending B's filing learns nothing of it: it is refused as another
            // county's filing, never as over a ceiling.
            let verdict = try TestDoor.submit([try SecurityFixtures.submission(county: SecureDatabase.countyB, suffix: "as B")], on: county,
                                              checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("not refused: \(verdict)")
                return
            }
            #expect(issues.map(\.rule) == ["county_not_yours"], "\(issues)")
            // A's own ceiling is A's alone.
            #expect(SecurityFixtures.sqlState { try database.file(county: SecureDatabase.countyA, suffix: "A", on: county) } == nil)
        }

        @Test func submitAtTheCeilingSaysSoAndFilesNothing() async throws {
            let database = try SecureDatabase()
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 1 WHERE group_role = 'cr_county'")
            let login = try database.login(.county(SecureDatabase.countyA), hint: "cli")
            try database.file(county: SecureDatabase.countyA, suffix: "first", on: try PostgresConnection(login.conninfo))
            let before = try database.snapshot()
            let run = try await CLIProcess.run(["submit", "--lang", "en", try SecurityFixtures.samplePath(county: SecureDatabase.countyA)],
                                               conninfo: login.conninfo, timeout: .seconds(60))
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stderr.contains("waiting for review") && !run.stderr.contains("等待审查"), "\(run.stderr)")
            #expect(try database.snapshot() == before)
        }

        // MARK: what a county can learn

        @Test func aCountyCannotCountTheProvincesRowsOrSeeWhoIsConnected() throws {
            let database = try SecureDatabase()
            try database.file(county: SecureDatabase.countyB, suffix: "B", on: database.superuser)
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            for sql in [
                "SELECT pg_stat_get_live_tuples('filings'::regclass)",
                "SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'filings'",
                "SELECT tup_inserted FROM pg_stat_database WHERE datname = current_database()",
                "SELECT usename FROM pg_stat_activity",
            ] {
                #expect(SecurityFixtures.sqlState { try county.query(sql) } == "42501", "\(sql)")
            }
            // An auditor still reads them.
            let auditor = try database.connect(as: .auditor)
            #expect(SecurityFixtures.sqlState { try auditor.query("SELECT n_live_tup FROM pg_stat_user_tables WHERE relname = 'filings'") } == nil)
        }

        /// What stays open on purpose (docs/security.md, "What a county can still learn"): psql works.
        @Test func whatACountyStillSeesIsWhatTheDocumentSays() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_roles WHERE rolname ~ '^cr_county_'", on: county) >= 26)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_class WHERE relname = 'filings'", on: county) == 1)
            #expect(SecurityFixtures.sqlState { try county.executeScript("LISTEN review_queued") } == nil)
        }

        // MARK: the simulated clock

        @Test func noLoginOfTheSystemMayMoveTheClock() throws {
            let database = try SecureDatabase()
            for role: RoleSpec in [.admin, .reviewer, .coordinator, .auditor, .county(SecureDatabase.countyA)] {
                let connection = try database.connect(as: role)
                #expect(SecurityFixtures.sqlState {
                    try DatabaseClock.simulate(F.day("2035-01-01"), reason: "skip ahead", on: connection)
                } == "42501", "\(role)")
            }
            #expect(try DatabaseClock.read(on: try database.connect(as: .admin)).simulation == nil)
        }

        @Test func aSimulationDatabaseStaysOne() throws {
            let database = try SecureDatabase()
            try F.today(database.superuser, "2030-01-01")
            let clock = try DatabaseClock.read(on: try database.connect(as: .reviewer))
            #expect(clock.today == F.day("2030-01-01"))
            #expect(clock.notice?.en.contains("simulated clock") == true)
            for sql in ["DELETE FROM simulated_clock", "TRUNCATE simulated_clock"] {
                #expect(SecurityFixtures.sqlState { try database.superuser.query(sql) } == "CR002", "\(sql)")
            }
        }

        @Test func aLifecycleCommandSaysWhenTheClockIsSimulated() async throws {
            let database = try SecureDatabase()
            try F.today(database.superuser, "2030-01-01")
            let reviewer = try database.login(.reviewer, hint: "sim")
            let run = try await CLIProcess.run(["register", "list", "--lang", "en"], conninfo: reviewer.conninfo, timeout: .seconds(60))
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("simulated clock") && run.stderr.contains("2030-01-01"), "\(run.stderr)")
        }
    }
}
