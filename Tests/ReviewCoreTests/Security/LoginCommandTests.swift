import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import TestSupport
import Testing
import ClusterStandard

#if canImport(Glibc)
    import Glibc
#endif

extension SecurityTests {
    /// `cluster-review users …` and `whoami`, run as real processes logged in as each person.
    @Suite struct LoginCommandTests {
        func cli(_ arguments: [String], as conninfo: String) async throws -> (Int32?, String) {
            let process = try CLIProcess(arguments, conninfo: conninfo)
            let status = await process.wait(timeout: .seconds(60))
            return (status, process.log)
        }

        /// The `✘` lines of `users check`, as "SUBJECT ITEM": the subject is a login's name, or
        /// `database` for a piece of the hardening.
        static func missing(in log: String) -> [String] {
            log.split(separator: "\n").compactMap { line in
                guard line.hasPrefix("✘"), let start = line.range(of: "missing: ") else { return nil }
                let rest = line[start.upperBound...]
                return String(rest[..<(rest.range(of: " (expected ")?.lowerBound ?? rest.endIndex)])
            }
        }

        /// What `users check` found missing that is this database's business: its hardening and
        /// the logins made in it (each audited in its `audit_log`). The check covers every login of
        /// the server, and logins are server-wide: a login another test makes in its own database
        /// beside this one, after this check has set the limits here, has none in this database and
        /// is listed as well; that line says nothing of this database.
        func missingHere(_ log: String, in database: SecureDatabase) throws -> [String] {
            let ours = Set(try database.superuser.query("SELECT row_key FROM audit_log WHERE table_name = 'logins'").rows
                .map { try $0.decode("row_key", as: String.self) })
            return Self.missing(in: log).filter { line in
                let subject = String(line.prefix { $0 != " " })
                return subject == "database" || ours.contains(subject)
            }
        }

        /// `users check`'s verdict is its own listing's: 0 and "nothing missing" exactly when no
        /// line says something is missing, 1 otherwise.
        func expectVerdictMatchesItsLines(_ status: Int32?, _ log: String) {
            let lines = Self.missing(in: log)
            #expect(status == (lines.isEmpty ? 0 : 1), "\(log)")
            #expect(log.contains("nothing missing") == lines.isEmpty, "\(log)")
        }

        @Test func anAdministratorAddsAPersonWhoThenActsAsTheirCounty() async throws {
            let database = try SecureDatabase()
            let admin = try database.login(.admin, hint: "adm")
            let name = SecurityFixtures.uniqueName("wenchang")
            let (added, addLog) = try await cli(["users", "add", name, "--role", "county:469005"], as: admin.conninfo)
            #expect(added == 0, "\(addLog)")
            let (listed, listLog) = try await cli(["users", "list", "--json"], as: admin.conninfo)
            #expect(listed == 0 && listLog.contains(#""name":"\#(name)""#) && listLog.contains("county:469005"), "\(listLog)")

            let person = database.conninfo + " user=\(name)"
            let (who, whoLog) = try await cli(["whoami"], as: person)
            #expect(who == 0 && whoLog.contains("\(name): county:469005"), "\(whoLog)")
            let intake = try BackgroundIntake(conninfo: database.conninfo)
            defer { intake.stop() }
            let (filed, fileLog) = try await cli(["submit", try SecurityFixtures.samplePath(county: "469005")], as: person)
            #expect(filed == 0, "\(fileLog)")
            let submitter: String = try database.superuser.queryRow("SELECT submitted_by FROM filings").decode("submitted_by")
            #expect(submitter == name)

            // A county may not add people; the message says how to act as someone who may.
            let (refused, refusedLog) = try await cli(["users", "add", name + "_2", "--role", "admin"], as: person)
            #expect(refused == 77, "\(refusedLog)")
            #expect(refusedLog.contains("PGUSER") && refusedLog.contains("权限不足"))

            // Disabled: the login is refused, the record of what it filed stays.
            let (disabled, disableLog) = try await cli(["users", "disable", name], as: admin.conninfo)
            #expect(disabled == 0, "\(disableLog)")
            #expect(SecurityFixtures.sqlState { _ = try PostgresConnection(person) } != nil)
            #expect(try CoordinatorFixtures.count("SELECT count(*) FROM filings", on: database.superuser) == 1)
        }

        @Test func anAdministratorCannotDisableTheWebDoorsOwnLogin() async throws {
            let database = try SecureDatabase()
            let admin = try database.login(.admin, hint: "adm")
            // The CLI refuses the name before asking; the database refuses it to psql as well.
            let (refused, log) = try await cli(["users", "disable", "cr_web"], as: admin.conninfo)
            #expect(refused == 64, "\(log)")
            let asAdmin = try PostgresConnection(admin.conninfo)
            defer { asAdmin.close() }
            #expect(SecurityFixtures.sqlState { _ = try asAdmin.query("SELECT disable_login('cr_web')") } == "42501")
            let canLogin: Bool = try database.superuser.queryRow("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'cr_web'").decode("rolcanlogin")
            #expect(canLogin)
        }

        @Test func usersCheckNamesWhatIsMissingAndTheStatementThatFixesIt() async throws {
            let database = try SecureDatabase()
            let admin = try database.login(.admin, hint: "adm")
            // A county login of this database, whose limits the check covers. (Other tests' logins,
            // made beside this one on the same server, may be listed too: see missingHere.)
            let county = try database.login(.county("469005"), hint: "cty")
            let (clean, cleanLog) = try await cli(["users", "check", "--lang", "en"], as: admin.conninfo)
            #expect(try missingHere(cleanLog, in: database).isEmpty, "\(cleanLog)")
            expectVerdictMatchesItsLines(clean, cleanLog)
            // A superuser opens large objects to everyone again, by mistake.
            try database.superuser.executeScript("GRANT EXECUTE ON FUNCTION lo_creat(integer) TO PUBLIC")
            let (open, openLog) = try await cli(["users", "check"], as: admin.conninfo)
            #expect(open == 1 && openLog.contains("large objects"), "\(openLog)")
            #expect(try missingHere(openLog, in: database) == ["database large objects"], "\(openLog)")
            let sql = try await CLIProcess.run(["users", "check", "--sql"], conninfo: admin.conninfo)
            #expect(sql.stdout.contains("REVOKE EXECUTE ON FUNCTION lo_creat(integer) FROM PUBLIC;"), "\(sql.stdout)")
            try database.superuser.executeScript(sql.stdout)
            let (fixed, fixedLog) = try await cli(["users", "check"], as: admin.conninfo)
            #expect(try missingHere(fixedLog, in: database).isEmpty, "\(fixedLog)")
            expectVerdictMatchesItsLines(fixed, fixedLog)
            // An auditor reads the check (and sets no limit: a login made elsewhere since the
            // administrator's check is listed, never this database's); a county may not.
            let (audited, auditedLog) = try await cli(["users", "check"], as: try database.login(.auditor).conninfo)
            #expect(try missingHere(auditedLog, in: database).isEmpty, "\(auditedLog)")
            expectVerdictMatchesItsLines(audited, auditedLog)
            #expect(try await cli(["users", "check"], as: county.conninfo).0 == 77)
        }

        @Test func configLimitsReachEveryLoginWhenAnAdministratorChecks() async throws {
            let database = try SecureDatabase()
            let county = try database.login(.county("469005"), hint: "cfg")
            let admin = try database.login(.admin, hint: "adm")
            let config = NSTemporaryDirectory() + "cr-limits-\(UUID().uuidString)"
            try FileManager.default.copyItem(at: try TestCluster.installation.configDirectory, to: URL(fileURLWithPath: config))
            defer { try? FileManager.default.removeItem(atPath: config) }
            // A connection limit above the default (5), never below: it is an attribute of the role,
            // server-wide, and the check sets it on every county login of the server, so a lower one
            // would refuse connections other tests beside this one hold as their county logins.
            let limits = #"{"county": {"statement_timeout": "7s", "idle_in_transaction_session_timeout": "20s", "temp_file_limit": "10MB", "connection_limit": 7, "max_pending_filings": 9}}"#
            try Data(limits.utf8).write(to: URL(fileURLWithPath: config + "/limits.json"))
            let (status, log) = try await cli(["users", "check", "--config", config], as: admin.conninfo)
            #expect(try missingHere(log, in: database).isEmpty, "\(log)")
            expectVerdictMatchesItsLines(status, log)
            let person = try PostgresConnection(county.conninfo)
            #expect(try person.queryRow("SELECT current_setting('statement_timeout') AS s").decode("s", as: String.self) == "7s")
            #expect(try CoordinatorFixtures.count("SELECT rolconnlimit FROM pg_roles WHERE rolname = $1", [county.name],
                                                  on: database.superuser) == 7)
            #expect(try CoordinatorFixtures.count("SELECT max_pending_filings FROM role_limits WHERE group_role = 'cr_county'",
                                                  on: database.superuser) == 9)
            // A bad file is a configuration error, and changes nothing.
            try Data(#"{"county": {"statement_timeout": "soon"}}"#.utf8).write(to: URL(fileURLWithPath: config + "/limits.json"))
            #expect(try await cli(["users", "check", "--config", config], as: admin.conninfo).0 == 78)
        }

        @Test func pguserNamesThePersonWhenTheConnectionStringDoesNot() async throws {
            let database = try SecureDatabase()
            let person = try database.login(.auditor, hint: "aud")
            let withoutUser = database.conninfo.replacingOccurrences(of: "user=postgres", with: "")
            let process = try CLIProcess(["whoami"], conninfo: withoutUser, environment: ["PGUSER": person.name])
            #expect(await process.wait(timeout: .seconds(30)) == 0, "\(process.log)")
            #expect(process.log.contains("\(person.name): auditor"), "\(process.log)")
        }

        @Test func addingAndDisablingLoginsIsAudited() throws {
            let database = try SecureDatabase()
            let admin = try database.login(.admin, hint: "adm")
            let connection = try PostgresConnection(admin.conninfo)
            let name = SecurityFixtures.uniqueName("audited")
            try Logins.add(name: name, role: .county("469005"), on: connection)
            try Logins.disable(name: name, on: connection)
            let rows = try database.superuser.query(
                "SELECT operation, who FROM audit_log WHERE table_name = 'logins' AND row_key = $1 ORDER BY id", name
            ).rows.map { "\(try $0.decode("operation", as: String.self)) by \(try $0.decode("who", as: String.self))" }
            #expect(rows == ["INSERT by \(admin.name)", "UPDATE by \(admin.name)"])
        }

        @Test func theDatabaseIsGivenAPasswordsScramVerifierNeverThePasswordItself() throws {
            let database = try SecureDatabase()
            // This throwaway database's create_login also keeps what it was given, so the test can
            // see exactly what reached the server.
            try database.superuser.executeScript("""
                CREATE TABLE given_passwords (value text);
                CREATE OR REPLACE FUNCTION create_login(p_name text, p_role text, p_password text DEFAULT NULL) RETURNS text
                LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
                BEGIN
                    INSERT INTO given_passwords VALUES (p_password);
                    PERFORM cr_require(ARRAY['cr_admin'], 'adding a login', '添加登录用户');
                    RETURN cr_create_login(p_name, p_role, p_password, false);
                END;
                $$;
                """)
            let admin = try database.connect(as: .admin)
            let password = "海口-口令-\(SecurityFixtures.uniqueName("pw"))"
            try Logins.add(name: SecurityFixtures.uniqueName("verifier"), role: .county("469005"), password: password, on: admin)
            // The fixture's own logins are made without a password: only the one added here has one.
            let given: [String] = try database.superuser.query("SELECT value FROM given_passwords WHERE value IS NOT NULL").rows.map { try $0.decode("value") }
            #expect(given.count == 1 && given.allSatisfy { $0.hasPrefix("SCRAM-SHA-256$4096:") && !$0.contains(password) }, "\(given)")
        }

        @Test func addRefusesDuplicatesUnknownCountiesAndBadRoles() async throws {
            let database = try SecureDatabase()
            let admin = try database.login(.admin, hint: "adm")
            let name = SecurityFixtures.uniqueName("dup")
            #expect(try await cli(["users", "add", name, "--role", "reviewer"], as: admin.conninfo).0 == 0)
            let (duplicate, duplicateLog) = try await cli(["users", "add", name, "--role", "auditor", "--lang", "en"], as: admin.conninfo)
            #expect(duplicate == 65 && duplicateLog.contains("already exists"), "\(duplicateLog)")
            let (unknown, unknownLog) = try await cli(["users", "add", name + "x", "--role", "county:469999"], as: admin.conninfo)
            #expect(unknown == 65 && unknownLog.contains("469999"), "\(unknownLog)")
            for role in ["superuser", "county:110000", "county:", "cr_admin", "admin;reviewer"] {
                #expect(try await cli(["users", "add", name + "y", "--role", role], as: admin.conninfo).0 == 64, "\(role)")
            }
            #expect(try await cli(["users", "add", name + "z"], as: admin.conninfo).0 == 64, "--role is required")
            // The duplicate kept its one role.
            let roles: String = try database.superuser.queryRow(
                "SELECT array_to_string(roles, ',') AS roles FROM list_logins() WHERE name = $1", name).decode("roles")
            #expect(roles == "reviewer")
        }

        @Test func aCountyAddedLaterGetsItsRoleOnItsFirstLogin() throws {
            let database = try SecureDatabase()
            // A code no other test uses, so the cluster-wide role does not exist yet; 469100–469899
            // holds no real division (Hainan's 469 codes end at 469030).
            let code = String(format: "46%04d", 9100 + Int(getpid() % 800))
            #expect(HainanCounty.named(code) == nil)
            try database.superuser.query(
                "INSERT INTO counties (code, name_zh, name_en, prefecture_zh) VALUES ($1, $2, 'New County', '测试')", code, "新县\(code)")
            let name = SecurityFixtures.uniqueName("newcounty")
            try Logins.add(name: name, role: .county(code), on: try database.connect(as: .admin))
            let person = try PostgresConnection(database.conninfo + " user=\(name)")
            #expect(try person.queryRow("SELECT cr_my_counties() AS c").decode("c", as: String.self) == "{\(code)}")
        }

        @Test func onlyAnAdministratorMayAddOrDisableLogins() throws {
            let database = try SecureDatabase()
            for role: RoleSpec in [.county("469005"), .reviewer, .coordinator, .auditor] {
                let connection = try database.connect(as: role)
                let name = SecurityFixtures.uniqueName("nope")
                #expect(SecurityFixtures.sqlState { try Logins.add(name: name, role: .admin, on: connection) } == "42501", "\(role)")
                #expect(SecurityFixtures.sqlState { try Logins.disable(name: "postgres", on: connection) } == "42501", "\(role)")
            }
            // An administrator cannot disable a role that is not a ClusterReview login (the owner, say).
            let admin = try database.connect(as: .admin)
            #expect(SecurityFixtures.sqlState { try Logins.disable(name: "postgres", on: admin) } == "42704")
        }

        @Test func rolesAreCreatedOnceAndMigratingAnotherDatabaseOnTheSameServerSucceeds() throws {
            let database = try SecureDatabase()
            #expect(try CoordinatorFixtures.count(
                """
                SELECT count(*) FROM counties c JOIN pg_roles r ON r.rolname = 'cr_county_' || c.code
                WHERE NOT r.rolcanlogin AND pg_has_role(r.oid, 'cr_county', 'MEMBER')
                """, on: database.superuser) == 26)
            #expect(try CoordinatorFixtures.count(
                "SELECT count(*) FROM pg_roles WHERE rolname IN ('cr_county', 'cr_reviewer', 'cr_admin', 'cr_coordinator', 'cr_auditor') AND NOT rolcanlogin",
                on: database.superuser) == 5)
            let fresh = try TestCluster.connect(migrated: false)
            let report = try Migrator.migrate(fresh, migrations: try Migrator.load(from: try TestCluster.installation.sqlDirectory))
            #expect(report.applied.contains("010_roles"))
        }
    }
}
