import Foundation
import ChildProcesses
import ClusterStandard
import EmbeddedPostgres
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

extension SecurityTests {
    /// The one door for filings (issue 14, item 1; sql/026): what a county sends is the document
    /// alone; the database names the county, the person and the time; a coordinator validates it
    /// with the validator `validate` runs and files it with every column derived from it, or refuses
    /// it with every issue, readable by the county. The issue's attacks are replayed at the door.
    @Suite(.serialized) struct SubmissionDoorTests {
        let a = SecureDatabase.countyA
        let b = SecureDatabase.countyB

        /// The sample of county A with its JSON edited by `edit`.
        func sample(_ suffix: String, _ edit: (inout [String: JSONValue]) -> Void = { _ in }) throws -> Data {
            try SecurityFixtures.submission(county: a, suffix: suffix, edit: edit)
        }

        /// The documents of the issue: a bare stub naming another county, a change report's kind over
        /// an initial filing's sections, a filing date of 2001, format version 7 with garbage figures.
        func issueDocuments() throws -> [(name: String, data: Data)] {
            [
                ("stub", Data(#"{"applicant":{"county_code":"469002"},"kind":"initial"}"#.utf8)),
                ("kind", try sample("kind") { $0["kind"] = .string("change_report") }),
                ("filed_on", try sample("2001") { $0["filing_date"] = .string("2001-01-01") }),
                ("format", try sample("format") {
                    $0["format_version"] = .number(7)
                    $0["figures"] = .string("garbage")
                }),
            ]
        }

        // MARK: the issue's attacks

        @Test func theIssuesDocumentsAreRefusedWithEveryIssueReadableByTheCounty() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.recordsSnapshot()
            for document in try issueDocuments() {
                // Sent as psql sends it: SQL text, the document as a bytea literal.
                let hex = document.data.map { String(format: "%02x", $0) }.joined()
                let id: Int64 = try county.queryRow("INSERT INTO submissions (document) VALUES ('\\x\(hex)'::bytea) RETURNING id").decode("id")
                while try SubmissionIntake.checkPending(on: database.superuser).checked > 0 {}
                let expected = FilingValidator.validate(document.data)
                #expect(!expected.isEmpty, "\(document.name) is invalid")
                #expect(try SubmissionDoor.verdicts(of: [id], on: county)[id] == .refused(issues: expected), "\(document.name)")
                let row = try county.queryRow("SELECT state, jsonb_array_length(issues) AS n, issues -> 0 ->> 'path' AS path FROM submissions WHERE id = $1", id)
                #expect(try row.decode("state", as: String.self) == "refused")
                #expect(try row.decode("n", as: Int.self) == expected.count)
                #expect(try row.decode("path", as: String.self) == expected[0].path)
            }
            #expect(try database.recordsSnapshot() == before, "nothing filed, nothing queued")
        }

        @Test(arguments: ["kind", "filed_on", "format_version", "content_hash", "cluster_name", "status", "payload"])
        func aSubmissionHasNoColumnForWhatTheDatabaseDerives(column: String) throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState {
                try county.query("INSERT INTO submissions (document, \(column)) VALUES ($1, NULL)", try sample("column"))
            } == "42703")
            #expect(try database.snapshot() == before)
        }

        @Test func everyColumnOfAFiledFilingIsTheDocumentsOrTheDatabases() throws {
            let database = try SecureDatabase()
            let login = try database.login(.county(a))
            let county = try PostgresConnection(login.conninfo)
            let document = Data(JSONParser.byteOrderMark) + (try sample("columns"))
            let filing = try TestDoor.file(document, on: county, checkingOn: database.superuser)
            let row = try database.superuser.queryRow("""
                SELECT f.kind = f.payload ->> 'kind' AND f.county_code = f.payload #>> '{applicant,county_code}'
                       AND f.cluster_name = f.payload #>> '{cluster,name}' AND f.filed_on::text = f.payload ->> 'filing_date'
                       AND f.format_version = (f.payload ->> 'format_version')::int
                       AND f.content_hash = sha256(convert_to(f.payload::text, 'UTF8')) AS derived,
                       f.submitted_by, f.submitted_at = s.received_at AS received, f.payload = convert_from(substring(s.document FROM 4), 'UTF8')::jsonb AS same,
                       s.county_code, s.submitted_by AS sender
                FROM filings f JOIN submissions s ON s.filing_id = f.id WHERE f.id = $1
                """, filing)
            #expect(try row.decode("derived", as: Bool.self))
            #expect(try row.decode("same", as: Bool.self), "the payload is the document as sent, its byte order mark read past")
            #expect(try row.decode("received", as: Bool.self), "filed at the time the door received it")
            #expect(try row.decode("submitted_by", as: String.self) == login.name)
            #expect(try row.decode("sender", as: String.self) == login.name)
            #expect(try row.decode("county_code", as: String.self) == a, "the person's county, named by the database")
        }

        @Test func aFilingDatedAfterTodayIsRefused() throws {
            let database = try SecureDatabase()
            try LifecycleFixture.today(database.superuser, "2026-03-01")
            let county = try database.connect(as: .county(a))
            let verdict = try TestDoor.submit([try sample("early")], on: county, checkingOn: database.superuser)[0]
            guard case .refused(let issues) = verdict else {
                Issue.record("filed: \(verdict)")
                return
            }
            #expect(issues.map { "\($0.path) \($0.rule)" } == ["$.filing_date date_after_today"], "\(issues)")
            #expect(issues[0].message.en.contains("2026-03-01"))
        }

        @Test func onlyACountysLoginSubmitsAndEachReadsOnlyItsOwnCountysSubmissions() throws {
            let database = try SecureDatabase()
            let countyA = try database.connect(as: .county(a)), countyB = try database.connect(as: .county(b))
            try TestDoor.file(try sample("A"), on: countyA, checkingOn: database.superuser)
            try TestDoor.file(try SecurityFixtures.submission(county: b, suffix: "B"), on: countyB, checkingOn: database.superuser)
            for (connection, county) in [(countyA, a), (countyB, b)] {
                let seen: [String] = try connection.query("SELECT county_code FROM submissions").rows.map { try $0.decode("county_code") }
                #expect(seen == [county])
            }
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM submissions", on: try database.connect(as: .reviewer)) == 2)
            // Staff do not file.
            for role: RoleSpec in [.reviewer, .admin, .coordinator, .auditor] {
                let person = try database.connect(as: role)
                #expect(SecurityFixtures.sqlState { _ = try SubmissionDoor.send([SubmissionDoor.Document(try sample("staff"))], on: person) }
                    == "42501", "\(role)")
            }
        }

        // MARK: the coordinator's side

        @Test func aCompromisedCoordinatorStillCannotFileWhatSQLCanCheck() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            let coordinator = try database.connect(as: .coordinator)
            // Another county's filing, and format version 7: "valid", says the coordinator.
            let documents = [try SecurityFixtures.submission(county: b, suffix: "B's"), try sample("v7") { $0["format_version"] = .number(7) }]
            let ids = try SubmissionDoor.send(documents.map { SubmissionDoor.Document($0) }, on: county).map { receipt -> Int64 in
                guard case .received(let id) = receipt else { throw PostgresError.client("not received") }
                return id
            }
            let before = try database.recordsSnapshot()
            try coordinator.query("SELECT * FROM file_submissions($1::bigint[], ARRAY[NULL, NULL]::jsonb[])", TextArray(ids.map(String.init)))
            let verdicts = try SubmissionDoor.verdicts(of: ids, on: county)
            let rules = ids.map { id -> [String] in
                guard case .refused(let issues)? = verdicts[id] else { return ["not refused"] }
                return issues.map(\.rule)
            }
            #expect(rules == [["county_not_yours"], ["format_version"]])
            #expect(try database.recordsSnapshot() == before)
        }

        @Test func aCoordinatorThatDiesBeforeItsVerdictsLeavesTheSubmissionsForAnother() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(a))
            _ = try SubmissionDoor.send([SubmissionDoor.Document(try sample("held"))], on: county)
            let first = try database.connect(as: .coordinator), second = try database.connect(as: .coordinator)
            // The first claims them and holds them: the second skips them.
            let firstBackend = try CoordinatorFixtures.count("SELECT pg_backend_pid()", on: first)
            try first.executeScript("BEGIN")
            #expect(try first.query("SELECT submission_id FROM claim_submissions(10)").rowCount == 1)
            #expect(try SubmissionIntake.checkPending(on: second).checked == 0)
            // The first dies before recording a verdict: they are pending again, and checked once —
            // once its server process has noticed and let go of the rows (order, not time).
            first.close()
            let deadline = Date().addingTimeInterval(120)
            while try CoordinatorFixtures.count("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", [firstBackend],
                                                on: database.superuser) > 0, Date() < deadline {
                usleep(10_000)
            }
            let report = try SubmissionIntake.checkPending(on: second)
            #expect(report.checked == 1 && report.filed == 1)
            #expect(try SubmissionIntake.checkPending(on: second).checked == 0)
            #expect(try database.submissionStates() == ["accepted": 1])
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == 1)
        }

        @Test func onlyCoordinatorsHearWhenWorkArrivesAndACountyHearsItsOwnVerdicts() throws {
            let database = try SecureDatabase()
            let countyA = try database.connect(as: .county(a)), countyB = try database.connect(as: .county(b))
            let coordinator = try database.connect(as: .coordinator)
            try coordinator.listen(try CoordinatorRecords.channel(on: coordinator))
            // County A listens where it can: the old channel, and asks for the coordinators'.
            try countyA.executeScript("LISTEN review_queued")
            #expect(SecurityFixtures.sqlState { try countyA.query("SELECT coordinator_channel()") } == "42501")
            #expect(SecurityFixtures.sqlState { try countyA.query("SELECT secret FROM channel_secret") } == "42501")

            _ = try SubmissionDoor.send([SubmissionDoor.Document(try SecurityFixtures.submission(county: b, suffix: "B"))], on: countyB)
            #expect(try coordinator.waitForNotification(timeout: .seconds(120))?.payload == "submission")
            _ = try SubmissionIntake.checkPending(on: coordinator)
            // B hears its verdict on its channel (send LISTENed on it); the filing's queued review wakes the coordinators.
            #expect(try countyB.waitForNotification(timeout: .seconds(120))?.payload == "verdict")
            #expect(try coordinator.waitForNotification(timeout: .seconds(120))?.payload == "review")
            #expect(try countyA.waitForNotification(timeout: .milliseconds(500)) == nil, "county A heard county B")
            // B's channel is its own: A's rows name another.
            _ = try SubmissionDoor.send([SubmissionDoor.Document(try sample("A"))], on: countyA)
            let channels: [String] = try database.superuser.query("SELECT DISTINCT verdict_channel FROM submissions").rows
                .map { try $0.decode("verdict_channel") }
            #expect(Set(channels).count == 2)
        }

        // MARK: every client gets the same verdicts

        @Test func psqlSubmitsAndReadsTheVerdictsValidateWouldGive() throws {
            let database = try SecureDatabase()
            let login = try database.login(.county(a), hint: "psql")
            let psql = try EmbeddedPostgres.binaryDirectory() + "/psql"
            try #require(FileManager.default.isExecutableFile(atPath: psql))
            func run(_ sql: String) throws -> String {
                let options = LaunchOptions(
                    executable: psql, arguments: [login.conninfo, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                    environment: ProcessInfo.processInfo.environment)
                let (status, output) = try ProcessLauncher.output(options)
                #expect(status == .exited(0), "\(sql.prefix(200))")
                return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            var documents = try issueDocuments()
            documents.append(("valid", try sample("psql")))
            var ids: [Int64] = []
            for document in documents {
                let hex = document.data.map { String(format: "%02x", $0) }.joined()
                ids.append(try #require(Int64(try run("INSERT INTO submissions (document) VALUES ('\\x\(hex)') RETURNING id"))))
            }
            while try SubmissionIntake.checkPending(on: database.superuser).checked > 0 {}
            for (document, id) in zip(documents, ids) {
                let said = try run("""
                    SELECT state || E'\\t' || coalesce((SELECT string_agg(i ->> 'path' || ' ' || (i ->> 'rule'), E'\\t')
                                                         FROM jsonb_array_elements(issues) i), '')
                    FROM submissions WHERE id = \(id)
                    """).split(separator: "\t").map(String.init)
                let issues = FilingValidator.validate(document.data).map { "\($0.path) \($0.rule)" }
                #expect(said.first == (issues.isEmpty ? "accepted" : "refused"), "\(document.name): \(said)")
                #expect(said.dropFirst().sorted() == issues.sorted(), "\(document.name)")
            }
        }

        // MARK: submit waits for the verdicts

        @Test func submitWithNoCoordinatorRunningSaysTheFileWasReceivedAndWillBeChecked() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(a))
            let path = try SecurityFixtures.temporaryFile(try sample("no coordinator"))
            let run = try await CLIProcess.run(["submit", "--lang", "en", "--wait", "1", path], conninfo: county.conninfo, timeout: .seconds(60))
            #expect(run.status == 75, "\(run.stderr)")
            let id: Int64 = try database.superuser.queryRow("SELECT id FROM submissions WHERE state = 'pending'").decode("id")
            #expect(run.stdout.contains("received as submission #\(id); it will be checked when a coordinator runs"), "\(run.stdout)")
            // A coordinator coming later checks it.
            #expect(try SubmissionIntake.checkPending(on: database.superuser).filed == 1)
        }

        @Test func submitNoWaitPrintsTheSubmissionIdsAndExits() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county(a))
            let path = try SecurityFixtures.temporaryFile(try sample("no wait"))
            let run = try await CLIProcess.run(["submit", "--json", "--no-wait", path], conninfo: county.conninfo, timeout: .seconds(60))
            #expect(run.status == 0, "\(run.stderr)")
            guard case .array(let outcomes) = try JSONValue(parsing: Data(run.stdout.utf8)), let outcome = outcomes.first else {
                Issue.record("no JSON array: \(run.stdout)")
                return
            }
            let id: Int64 = try database.superuser.queryRow("SELECT id FROM submissions").decode("id")
            #expect(outcome["status"]?.string == "received", "\(run.stdout)")
            #expect(outcome["submission"] == .number(Decimal(id)), "\(run.stdout)")
        }
    }
}
