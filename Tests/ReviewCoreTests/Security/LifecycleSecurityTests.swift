import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing

extension SecurityTests {
    /// The lifecycle (decisions, public notice, the register, reports, incidents, sweeps, the audit
    /// log) for every role: each function only for the role it belongs to, county data only for its
    /// county, and an audit log that records the person and that nobody can change.
    @Suite struct LifecycleSecurityTests {
        typealias Outcome = RoleMatrixTests.Outcome
        typealias Door = RoleMatrixTests.Door

        /// What a statement did for a role, in the words of `Outcome`, or "refused <SQLSTATE>" for a
        /// lifecycle refusal (the role may call it; the state did not allow it).
        static func outcome(_ connection: PostgresConnection, _ sql: String, _ a: Int64, _ b: Int64) -> String {
            var rows = 0
            let takesIds = ["SELECT", "INSERT", "UPDATE", "DELETE"].contains { sql.hasPrefix($0) }
            let state = SecurityFixtures.sqlState {
                let result = takesIds
                    ? try connection.query("WITH ids(a, b) AS (VALUES ($1::bigint, $2::bigint)) " + sql, a, b)
                    : try connection.query(sql)
                rows = max(result.rowCount, result.affectedRows)
            }
            switch state {
            case nil: return rows > 0 ? "ok" : "none"
            case "42501"?: return "denied"
            case let other?: return "refused \(other)"
            }
        }

        static let staff: [String: String] = ["reviewer": "ok", "admin": "ok", "auditor": "ok"]

        /// (door, sql, expected outcome per role, otherwise).
        static let doors: [(String, String, [String: String], String)] = [
            ("read own register entry", "SELECT id FROM clusters WHERE county_code = '469005'",
             staff.merging(["county": "ok", "coordinator": "ok"]) { $1 }, "denied"),
            ("read another county's register entry", "SELECT id FROM clusters WHERE county_code = '460105'",
             staff.merging(["county": "none", "coordinator": "ok"]) { $1 }, "denied"),
            ("read own decisions", "SELECT id FROM decisions WHERE filing_id = (SELECT a FROM ids)",
             staff.merging(["county": "ok"]) { $1 }, "denied"),
            ("read another county's decisions", "SELECT id FROM decisions WHERE filing_id IN (SELECT filing_id FROM clusters WHERE id = 424242)",
             staff.merging(["county": "none"]) { $1 }, "denied"),
            ("read another county's notices", "SELECT id FROM publicity_notices WHERE filing_id IN (SELECT filing_id FROM clusters WHERE id = 424242)",
             staff.merging(["county": "none"]) { $1 }, "denied"),
            ("read another county's objections", "SELECT id FROM objections WHERE filing_id IN (SELECT filing_id FROM clusters WHERE id = 424242)",
             staff.merging(["county": "none"]) { $1 }, "denied"),
            ("read another county's enterprises", "SELECT enterprise_code FROM cluster_enterprises e JOIN clusters c ON c.id = e.cluster_id WHERE c.county_code = '460105'",
             staff.merging(["county": "none", "coordinator": "ok"]) { $1 }, "denied"),
            ("read incidents", "SELECT id FROM incidents", staff.merging(["coordinator": "ok"]) { $1 }, "denied"),
            ("read sweeps", "SELECT id FROM sweeps", staff, "denied"),
            ("read the audit log", "SELECT id FROM audit_log", staff, "denied"),
            ("read the watchlist", "SELECT cluster_id FROM cluster_watchlist", ["county": "none", "reviewer": "none", "admin": "none", "auditor": "none"],
             "denied"),
            ("read another county's plan through a function", "SELECT plan_on_record((SELECT filing_id FROM clusters WHERE id = 424242))",
             staff.merging(["coordinator": "ok"]) { $1 }, "denied"),
            ("read the settings", "SELECT singleton FROM lifecycle_settings", staff.merging(["county": "ok", "coordinator": "ok"]) { $1 }, "denied"),
            ("confirm a finding", "SELECT confirm_finding((SELECT b FROM ids), 'COMP-1', true, 'confirmed')", ["reviewer": "ok"], "denied"),
            ("decide", "SELECT decide((SELECT b FROM ids), 'return', 'please correct')", ["reviewer": "ok"], "denied"),
            ("object", "SELECT file_objection((SELECT a FROM ids), 'a competitor', 'not true')", ["reviewer": "refused CR005"], "denied"),
            ("close a notice", "SELECT close_publicity((SELECT b FROM ids))", ["reviewer": "refused CR002"], "denied"),
            ("flag a false filing", "SELECT flag_false_filing(424242, NULL, 'false')",
             ["reviewer": "ok"], "denied"),
            ("record a refusal of monitoring", "SELECT record_monitoring_refusal(424242, 'refused the statistics request')",
             ["reviewer": "ok"], "denied"),
            ("record a refusal of monitoring by INSERT",
             "INSERT INTO monitoring_refusals (cluster_id, refused_on, note) VALUES (424242, '2026-06-01', 'x') RETURNING id", [:], "denied"),
            ("build another county's monitoring payload", "SELECT monitoring_payload((SELECT filing_id FROM clusters WHERE id = 424242))",
             staff.merging(["coordinator": "ok"]) { $1 }, "denied"),
            ("record an incident", "SELECT record_incident('91469005MA5T000017', '2026-05-01', 'safety', 'general', 'a notice')",
             ["admin": "ok"], "denied"),
            ("run a sweep", "SELECT count(*) FROM run_sweep()", ["admin": "ok"], "denied"),
            ("run the daily sweep due", "SELECT count(*) FROM run_sweep(cr_today(), 'daily:' || cr_today())",
             ["admin": "ok", "coordinator": "ok"], "denied"),
            ("backfill a sweep", "SELECT count(*) FROM run_sweep(cr_today() - 30, NULL, 'missed while the server was down')",
             ["admin": "ok"], "denied"),
            ("preview a sweep a year ahead", "SELECT count(*) FROM preview_sweep(cr_today() + 365)", ["admin": "ok"], "denied"),
            ("set the simulated clock", "SELECT set_simulated_clock('2030-01-01', 'to skip ahead')", [:], "denied"),
            ("read the simulated clock row", "SELECT today FROM simulated_clock", [:], "denied"),
            ("hold the sweep lock", "SELECT singleton FROM sweep_lock FOR UPDATE", [:], "denied"),
            ("bootstrap an administrator", "SELECT bootstrap_admin('sneaky_admin')", [:], "denied"),
            ("change the login limits", "UPDATE role_limits SET connection_limit = 1000", ["admin": "ok"], "denied"),
            ("confirm a revocation", "SELECT resolve_sweep_action(987654, true, 'confirmed')", ["admin": "refused CR001"], "denied"),
            ("change the settings", "UPDATE lifecycle_settings SET expiry_notice_days = 91", ["admin": "ok"], "denied"),
            ("change the calendar", "INSERT INTO calendar_days (day, kind) VALUES ('2031-01-01', 'holiday') RETURNING day",
             ["admin": "ok"], "denied"),
            ("revoke by UPDATE", "UPDATE clusters SET status = 'expired' WHERE county_code = '469005'", [:], "denied"),
            ("decide by INSERT", "INSERT INTO decisions (filing_id, review_id, decision, note, decided_on) SELECT a, a * 1000, 'approve', 'x', '2026-01-01' FROM ids",
             [:], "denied"),
            ("write an incident by INSERT", "INSERT INTO incidents (enterprise_code, occurred_on, category, source) VALUES ('x', '2026-01-01', 'tax_evasion', 's')",
             [:], "denied"),
            ("change the audit log", "UPDATE audit_log SET who = 'nobody'", [:], "denied"),
            ("delete the audit log", "DELETE FROM audit_log", [:], "denied"),
            ("truncate the audit log", "TRUNCATE audit_log", [:], "denied"),
            ("write the audit log", "INSERT INTO audit_log (table_name, row_key, operation) VALUES ('x', '1', 'INSERT')", [:], "denied"),
            ("link a report to another county's register entry", """
                INSERT INTO filings (kind, county_code, cluster_name, filed_on, format_version, payload, content_hash, cluster_id)
                VALUES ('annual_report', '469005', 'x', '2027-03-01', 1, '{"applicant":{"county_code":"469005"}}',
                        sha256(convert_to('{"applicant": {"county_code": "469005"}}', 'UTF8')),
                        424242)
                """, [:], "denied"),
        ]

        /// Database with county A's recognized cluster (its filing `a`) and county B's reviewed filing
        /// `b`, with a register entry, a decision, a notice and an objection of B's, and an incident.
        static func prepared() throws -> (SecureDatabase, a: Int64, b: Int64) {
            let database = try SecureDatabase()
            let db = database.superuser
            let cluster = try LifecycleFixture.recognizedCluster(db)
            let a: Int64 = try db.queryRow("SELECT filing_id FROM clusters WHERE id = $1", cluster).decode("filing_id")
            let b = try database.file(county: SecureDatabase.countyB, suffix: "B", on: db)
            try database.review(filing: b)
            let other = try database.file(county: SecureDatabase.countyB, suffix: "B recognized", on: db)
            try database.review(filing: other)
            try db.query("""
                WITH d AS (
                    INSERT INTO decisions (filing_id, review_id, decision, note, decided_on)
                    VALUES ($1, $1 * 1000, 'approve', 'ok', '2026-01-05') RETURNING id, filing_id
                ), n AS (
                    INSERT INTO publicity_notices (filing_id, decision_id, starts_on, ends_on)
                    SELECT filing_id, id, '2026-01-06', '2026-01-12' FROM d RETURNING id, filing_id
                ), o AS (
                    INSERT INTO objections (notice_id, filing_id, objector, reason, filed_on)
                    SELECT id, filing_id, 'someone', 'a reason', '2026-01-07' FROM n
                ), c AS (
                    INSERT INTO clusters (id, certificate_no, filing_id, county_code, name, recognized_on, valid_until,
                                          leading_industry, spatial_extent, management_body)
                    OVERRIDING SYSTEM VALUE
                    VALUES (424242, 'TEST-B-1', $1, '460105', 'B', '2026-01-20', '2029-01-20', 'x', 'y', 'z') RETURNING id
                )
                INSERT INTO cluster_enterprises (cluster_id, enterprise_code) SELECT id, '91460105MA5T00001W' FROM c
                """, other)
            try db.query("""
                INSERT INTO incidents (enterprise_code, occurred_on, category, grade, source)
                VALUES ('91460105MA5T00001W', '2026-02-01', 'safety', 'general', 'a notice')
                """)
            try db.query("INSERT INTO sweeps (slot, as_of) VALUES ('test', '2026-01-01')")
            return (database, a, b)
        }

        @Test(arguments: RoleMatrixTests.roles)
        func eachRolePassesExactlyItsLifecycleDoors(role: String) throws {
            let (database, a, b) = try Self.prepared()
            let spec: RoleSpec = role == "county" ? .county(SecureDatabase.countyA) : RoleSpec(role)!
            let person = try database.connect(as: spec)
            defer { person.close() }
            var wrong: [String] = []
            for (name, sql, expect, otherwise) in Self.doors {
                let expected = expect[role] ?? otherwise
                let actual = Self.outcome(person, sql, a, b)
                if actual != expected { wrong.append("\(name): expected \(expected), got \(actual)") }
            }
            #expect(wrong.isEmpty, "\(role):\n\(wrong.joined(separator: "\n"))")
        }

        @Test func theWholeLifecycleRunsWithEachStepAsThePersonWhoseStepItIs() throws {
            let database = try SecureDatabase()
            let db = database.superuser
            _ = try LifecycleFixture.lifecycle(db)  // the owner installs config/lifecycle.json and the calendar
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let reviewerLogin = try database.login(.reviewer, hint: "rev")
            let adminLogin = try database.login(.admin, hint: "adm")
            let reviewer = Lifecycle(try PostgresConnection(reviewerLogin.conninfo))
            let adminConnection = try PostgresConnection(adminLogin.conninfo)
            let admin = Lifecycle(adminConnection)
            // The database's owner moves its simulated clock; each person acts on "today".

            // The county files; the coordinator's work is stood in for by the owner (all findings pass).
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "journey", on: county)
            let review = try database.review(filing: filing)
            try db.query("UPDATE findings SET verdict = 'pass' WHERE review_id = $1", review)
            try db.query("UPDATE filings SET filed_on = '2026-03-02' WHERE id = $1", filing)

            // The reviewer decides and closes the notice: the cluster enters the register.
            try LifecycleFixture.today(db, "2026-04-28")
            try reviewer.decide(filing: filing, .approve, note: "符合认定条件")
            let notice = try #require(try reviewer.notice(filing: filing))
            try LifecycleFixture.today(db, notice.endsOn.adding(days: 1))
            let cluster = try #require(try reviewer.closePublicity(filing: filing))
            #expect(try Register.list(county).map(\.id) == [cluster], "the county sees its register entry")

            // The administrator records an incident and sweeps; a county and a reviewer may not.
            try LifecycleFixture.today(db, "2026-07-01")
            let incident = "SELECT record_incident($1, '2026-06-01', 'safety', 'major', 'a notice')"
            let enterprise: String = try db.queryRow(
                "SELECT enterprise_code FROM cluster_enterprises WHERE cluster_id = $1 LIMIT 1", cluster).decode("enterprise_code")
            #expect(SecurityFixtures.sqlState { try county.query(incident, enterprise) } == "42501")
            #expect(SecurityFixtures.sqlState { try adminConnection.query(incident, enterprise) } == nil)
            let sweep = "SELECT count(*) FROM run_sweep()"
            #expect(SecurityFixtures.sqlState { try PostgresConnection(reviewerLogin.conninfo).query(sweep) } == "42501")
            #expect(SecurityFixtures.sqlState { try adminConnection.query(sweep) } == nil)
            let proposed: [Int64] = try db.query("SELECT id FROM sweep_actions WHERE state = 'proposed'").rows.map { try $0.decode("id") }
            try LifecycleFixture.today(db, "2026-07-02")
            for action in proposed {
                try admin.resolveSweepAction(action, confirm: true, note: "重大安全事故，撤销认定")
            }
            // Every step is on record under the person who took it.
            let who = Set(try db.query("SELECT DISTINCT who FROM audit_log WHERE table_name IN ('decisions', 'publicity_notices', 'clusters', 'incidents', 'sweep_actions')")
                .rows.map { try $0.decode("who", as: String.self) })
            #expect(who.isSubset(of: [reviewerLogin.name, adminLogin.name]), "\(who)")
            #expect(who.contains(reviewerLogin.name) && who.contains(adminLogin.name), "\(who)")
        }

        @Test func aWriteToALifecycleTableChecksThePersonEvenWithAGrantGivenByMistake() throws {
            let database = try SecureDatabase()
            try database.superuser.query("GRANT INSERT ON incidents, decisions TO cr_county")
            try database.superuser.query("CREATE POLICY oops ON incidents FOR INSERT TO cr_county WITH CHECK (true)")
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let before = try database.snapshot()
            #expect(SecurityFixtures.sqlState {
                try county.query("INSERT INTO incidents (enterprise_code, occurred_on, category, source) VALUES ('x', '2026-01-01', 'tax_evasion', 's')")
            } == "42501")
            #expect(try database.snapshot() == before)
        }

        @Test func aCountySeesNoLifecycleRowOfAnotherCounty() throws {
            let (database, _, _) = try Self.prepared()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            let checks = [
                "SELECT count(*) FROM clusters WHERE county_code <> '469005'",
                "SELECT count(*) FROM cluster_enterprises WHERE enterprise_code NOT LIKE '91469005%'",
                "SELECT count(*) FROM decisions d JOIN filings f ON f.id = d.filing_id WHERE f.county_code <> '469005'",
                "SELECT count(*) FROM decisions WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM publicity_notices WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM objections WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM confirmations WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM annual_reports WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM change_reports WHERE filing_id NOT IN (SELECT id FROM filings)",
                "SELECT count(*) FROM sweep_actions WHERE cluster_id NOT IN (SELECT id FROM clusters)",
            ]
            for sql in checks {
                #expect(try CoordinatorFixtures.count(sql, on: county) == 0, "\(sql)")
            }
            // Its own register entry is there; the reviewer sees both counties'.
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM clusters", on: county) == 1)
            let reviewer = try database.connect(as: .reviewer)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM clusters", on: reviewer) == 2)
            #expect(try Register.list(county).count == 1)
        }

        @Test func everyAuditRowRecordsThePersonWhoActed() throws {
            let database = try SecureDatabase()
            let countyLogin = try database.login(.county(SecureDatabase.countyA), hint: "county")
            let county = try PostgresConnection(countyLogin.conninfo)
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "audited", on: county)
            // The coordinator that checked the submission filed it (it is who acted); the filing
            // names the county's login that submitted it.
            let filed = try database.superuser.queryRow("""
                SELECT who, after ->> 'submitted_by' AS submitter FROM audit_log
                WHERE table_name = 'filings' AND row_key = $1 AND operation = 'INSERT'
                """, String(filing))
            #expect(try filed.decode("submitter", as: String.self) == countyLogin.name)
            let checker: String = try database.superuser.queryRow("SELECT checked_by FROM submissions WHERE filing_id = $1", filing)
                .decode("checked_by")
            #expect(try filed.decode("who", as: String.self) == checker)

            try database.review(filing: filing)
            try LifecycleFixture.lifecycle(database.superuser).confirm(filing: filing, criterion: "COMP-1", accept: true, note: "ok")
            let reviewerLogin = try database.login(.reviewer, hint: "reviewer")
            let reviewer = try PostgresConnection(reviewerLogin.conninfo)
            let decision = try Lifecycle(reviewer).decide(filing: filing, .return, note: "请补充材料")
            let rows = try database.superuser.query(
                "SELECT table_name, who FROM audit_log WHERE table_name <> 'logins' AND id > (SELECT max(id) FROM audit_log WHERE table_name = 'confirmations')"
            ).rows.map { (try $0.decode("table_name", as: String.self), try $0.decode("who", as: String.self)) }
            #expect(rows.contains { $0.0 == "decisions" }, "\(rows) (decision \(decision))")
            #expect(rows.allSatisfy { $0.1 == reviewerLogin.name }, "the SECURITY DEFINER function's owner never appears: \(rows)")
        }

        @Test func aCountyCannotCreateATemporaryTable() throws {
            let database = try SecureDatabase()
            let county = try database.connect(as: .county(SecureDatabase.countyA))
            #expect(SecurityFixtures.sqlState { try county.executeScript("CREATE TEMPORARY TABLE audit_log (x int)") } == "42501")
            #expect(SecurityFixtures.sqlState { try county.executeScript("CREATE TEMPORARY TABLE big AS SELECT 1 AS x") } == "42501")
        }

        @Test func aTemporaryTableCannotRedirectTheDoorEvenWithTemporaryTablesGrantedByMistake() throws {
            let database = try SecureDatabase()
            let name: String = try database.superuser.queryRow("SELECT current_database() AS name").decode("name")
            try database.superuser.executeScript("GRANT TEMPORARY ON DATABASE \(name) TO cr_county")
            try database.superuser.query("UPDATE role_limits SET max_pending_filings = 1 WHERE group_role = 'cr_county'")
            let login = try database.login(.county(SecureDatabase.countyA), hint: "sneaky")
            let county = try PostgresConnection(login.conninfo)
            // Shadows of what the door's SECURITY DEFINER trigger reads (the ceiling, the pending
            // count) and of the audit log: pg_temp is searched last, so none of them is read.
            try county.executeScript("""
                CREATE TEMPORARY TABLE audit_log (id bigint, at timestamptz, who text, table_name text, row_key text,
                                                  operation text, before jsonb, after jsonb);
                CREATE TEMPORARY TABLE role_limits (group_role text, max_pending_filings integer);
                INSERT INTO role_limits VALUES ('cr_county', 1000000);
                CREATE TEMPORARY TABLE filings (county_code text, status text);
                """)
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "unseen?", on: county)
            let error = lifecycleError { try database.file(county: SecureDatabase.countyA, suffix: "over the ceiling", on: county) }
            #expect(error?.code == .limitReached, "\(String(describing: error))")
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM pg_temp.audit_log", on: county) == 0)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM public.audit_log WHERE table_name = 'filings' AND row_key = $1 AND after ->> 'submitted_by' = $2",
                [String(filing), login.name], on: database.superuser) == 1)
        }

        @Test func theAuditLogRefusesChangesEvenFromItsOwner() throws {
            let database = try SecureDatabase()
            try database.file(county: SecureDatabase.countyA, suffix: "x", on: database.superuser)
            let before = try database.snapshot()
            for sql in ["UPDATE audit_log SET who = 'nobody'", "DELETE FROM audit_log", "TRUNCATE audit_log"] {
                #expect(SecurityFixtures.sqlState { try database.superuser.query(sql) } == "CR010", "\(sql)")
            }
            #expect(try database.snapshot() == before)
        }

        @Test func aDecisionOnAFilingThatIsNotReviewedIsRefusedAndChangesNothing() throws {
            let database = try SecureDatabase()
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "just filed", on: database.superuser)
            let reviewer = try database.connect(as: .reviewer)
            let before = try database.snapshot()
            let error = lifecycleError { _ = try Lifecycle(reviewer).decide(filing: filing, .approve, note: "通过") }
            #expect(error?.code == .wrongState, "\(String(describing: error))")
            #expect(error?.message.zh.isEmpty == false)
            #expect(try database.snapshot() == before)
            // And a forged (another county's or missing) id is simply not found.
            let missing = lifecycleError { _ = try Lifecycle(reviewer).decide(filing: filing + 1000, .approve, note: "通过") }
            #expect(missing?.code == .notFound)
        }

        @Test func aReviewerDecidesThroughTheCLIAsTheirOwnLogin() async throws {
            let database = try SecureDatabase()
            let filing = try database.file(county: SecureDatabase.countyA, suffix: "cli", on: database.superuser)
            try database.review(filing: filing)
            let reviewer = try database.login(.reviewer, hint: "rev")
            let county = try database.login(.county(SecureDatabase.countyA), hint: "cty")
            let refused = try CLIProcess(["decide", String(filing), "return", "--note", "请补充"], conninfo: county.conninfo)
            #expect(await refused.wait(timeout: .seconds(60)) == 77, "\(refused.log)")
            #expect(refused.log.contains("权限不足"))
            let decided = try CLIProcess(["decide", String(filing), "return", "--note", "请补充"], conninfo: reviewer.conninfo)
            #expect(await decided.wait(timeout: .seconds(60)) == 0, "\(decided.log)")
            let who: String = try database.superuser.queryRow("SELECT decided_by FROM decisions WHERE filing_id = $1", filing).decode("decided_by")
            #expect(who == reviewer.name)
        }
    }
}
