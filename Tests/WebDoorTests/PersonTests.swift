import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing
import WebDoor

/// Requests as the person: the authenticator becomes the person inside each request's
/// transaction, `cr_person()` names the person for the web and for nobody else, and the audit
/// log records who acted on the web.
@Suite struct PersonTests {
    /// A SQLSTATE, or nil when `body` succeeded.
    static func sqlState(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as PostgresError {
            return error.sqlState ?? "\(error)"
        } catch {
            return "\(error)"
        }
    }

    @Test func aReviewersConfirmationThroughThePageIsAuditedAsTheReviewer() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let browser = try await web.signedIn(reviewer)
        let page = try await browser.get("/filings/\(filing)")
        #expect(page.status == 200)
        #expect(page.text.contains(#"action="/filings/\#(filing)/confirmations""#))
        let response = try await browser.post("/filings/\(filing)/confirmations", [
            ("csrf", try Browser.formToken(in: page.text)), ("criterion", "COMP-1"), ("decision", "accept"), ("note", "实地核查属实"),
        ])
        #expect(response.status == 303)
        #expect(response.header("Location") == "/filings/\(filing)#confirm")
        let confirmedBy: String = try web.superuser.queryRow(
            "SELECT confirmed_by FROM confirmations WHERE filing_id = $1", filing).decode("confirmed_by")
        #expect(confirmedBy == reviewer.login)
        let audited = try web.superuser.query(
            "SELECT who FROM audit_log WHERE table_name = 'confirmations' AND after ->> 'filing_id' = $1::text", filing
        ).rows.map { try $0.decode("who", as: String.self) }
        #expect(audited == [reviewer.login], "the audit log names the person, never cr_web")
        let after = try await browser.get("/filings/\(filing)")
        #expect(after.text.contains(reviewer.login), "the report shows the confirmation and who made it")
        #expect(!after.text.contains(#"action="/filings/\#(filing)/confirmations""#), "nothing is left to confirm")
    }

    @Test func theDatabaseRefusesACountysConfirmationThroughTheSamePage() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let browser = try await web.signedIn(county)
        let page = try await browser.get("/filings/\(filing)")
        #expect(page.status == 200)
        #expect(!page.text.contains("/confirmations"), "no confirmation form for a county")
        let before = try web.snapshot()
        let response = try await browser.post("/filings/\(filing)/confirmations", [
            ("csrf", try Browser.formToken(in: page.text)), ("criterion", "COMP-1"), ("decision", "accept"), ("note", "self-approved"),
        ])
        #expect(response.status == 403)
        #expect(try web.snapshot() == before)
    }

    @Test func aPersonConnectingDirectlyCannotMakeCrPersonNameSomebodyElse() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let reviewer = try web.person(.reviewer, hint: "rev")
        let connection = try web.connect(as: county)
        defer { connection.close() }
        try connection.query("SET cluster_review.person = '\(reviewer.login)'")
        #expect(try connection.queryRow("SELECT cr_person() AS p").decode("p", as: String.self) == county.login)
        try connection.query("SELECT set_config('cluster_review.person', $1, false)", reviewer.login)
        #expect(try connection.queryRow("SELECT cr_person() AS p").decode("p", as: String.self) == county.login)
        #expect(try connection.queryRow("SELECT cr_session_has('cr_reviewer') AS r").decode("r", as: Bool.self) == false)
        #expect(Self.sqlState { try connection.query("SET ROLE cr_web") } == "42501")
        #expect(Self.sqlState { try connection.query("SET ROLE \(reviewer.login)") } == "42501")
        #expect(Self.sqlState { try connection.query("SELECT decide(1, 'approve', 'x')") } == "42501")
    }

    @Test func theAuthenticatorByItselfSeesAndDoesNothing() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let filing = try web.file(county: WebFixture.countyA)
        try web.review(filing)
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        #expect(try connection.queryRow("SELECT session_user::text AS s").decode("s", as: String.self) == "cr_web")
        #expect(try connection.queryRow("SELECT cr_person() AS p").decode("p", as: String?.self) == nil)
        let tables: [String] = try web.superuser.query("""
            SELECT relname::text AS name FROM pg_class WHERE relkind IN ('r', 'v') AND relnamespace = 'public'::regnamespace ORDER BY 1
            """).rows.map { try $0.decode("name") }
        var readable: [String] = []
        for table in tables where Self.sqlState({ try connection.query("SELECT 1 FROM \"\(table)\" LIMIT 1") }) != "42501" {
            readable.append(table)
        }
        #expect(readable.isEmpty, "tables cr_web reads by itself: \(readable)")
        let privileges: [String] = try web.superuser.query("""
            SELECT c.relname::text AS name FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'S')
              AND (has_table_privilege('cr_web', c.oid, 'SELECT') OR has_table_privilege('cr_web', c.oid, 'INSERT')
                   OR has_table_privilege('cr_web', c.oid, 'UPDATE') OR has_table_privilege('cr_web', c.oid, 'DELETE'))
            """).rows.map { try $0.decode("name") }
        #expect(privileges.isEmpty, "cr_web holds table privileges: \(privileges)")
        #expect(Self.sqlState { try connection.query("SELECT confirm_finding($1, 'COMP-1', true, 'x')", filing) } == "42501")
        #expect(Self.sqlState { try connection.query("SELECT * FROM public_notices()") } == "42501", "the public's functions need SET ROLE cr_public")
    }

    @Test func theAuthenticatorMayBecomePersonsOnlyNeverTheOwnerASuperuserOrACoordinator() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let coordinator = try web.person(.coordinator, hint: "serve")
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        #expect(Self.sqlState { try connection.query("SET ROLE postgres") } == "42501")
        #expect(Self.sqlState { try connection.query("SET ROLE \(coordinator.login)") } == "42501")
        #expect(Self.sqlState { try connection.query("SET ROLE cr_coordinator") } == "42501")
        #expect(Self.sqlState { try connection.query("SET ROLE \(county.login)") } == nil)
        try connection.query("RESET ROLE")
        let owners: [String] = try web.superuser.query("""
            SELECT rolname::text AS name FROM pg_roles
            WHERE (rolsuper OR oid = (SELECT relowner FROM pg_class WHERE oid = 'public.filings'::regclass)
                   OR oid = (SELECT datdba FROM pg_database WHERE datname = current_database()) OR rolname = 'cr_web')
              AND pg_has_role('cr_web', oid, 'MEMBER') AND rolname <> 'cr_web'
            """).rows.map { try $0.decode("name") }
        #expect(owners.isEmpty, "cr_web may become \(owners)")
        let flags = try web.superuser.queryRow("""
            SELECT rolinherit, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication, rolcanlogin FROM pg_roles WHERE rolname = 'cr_web'
            """)
        #expect(try flags.decode("rolinherit", as: Bool.self) == false)
        #expect(try flags.decode("rolsuper", as: Bool.self) == false)
        #expect(try flags.decode("rolcreaterole", as: Bool.self) == false)
        #expect(try flags.decode("rolbypassrls", as: Bool.self) == false)
        #expect(try flags.decode("rolcanlogin", as: Bool.self) == true)
    }

    @Test func theAuthenticatorNamingSomebodyItMayNotBecomeNamesNobody() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA))
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        try connection.transaction { connection in
            try connection.query("SELECT set_config('role', $1, true), set_config('cluster_review.person', $1, true)", county.login)
            #expect(try connection.queryRow("SELECT cr_person() AS p, current_user::text AS u").decode("p", as: String?.self) == county.login)
            for impostor in ["postgres", "cr_reviewer", "cr_public", "nobody_at_all", ""] {
                try connection.query("SELECT set_config('cluster_review.person', $1, true)", impostor)
                #expect(try connection.queryRow("SELECT cr_person() AS p").decode("p", as: String?.self) == nil, "\(impostor)")
            }
        }
    }

    @Test func aPagesReadCommitsWithoutWaitingForAFlushAndAFormsWriteDurably() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        func setting(durable: Bool?) throws -> (inside: String, after: String) {
            let inside = try connection.transaction { connection -> String in
                switch durable {
                case let durable?: try WebSessions.become(reviewer.login, statementTimeout: .seconds(5), durable: durable, on: connection)
                case nil: try WebSessions.becomePublic(statementTimeout: .seconds(5), on: connection)
                }
                return try connection.queryRow("SELECT current_setting('synchronous_commit') AS s").decode("s")
            }
            return (inside, try connection.queryRow("SELECT current_setting('synchronous_commit') AS s").decode("s"))
        }
        // The test server itself runs with synchronous_commit off; the door sets it per transaction.
        let server: String = try connection.queryRow("SELECT current_setting('synchronous_commit') AS s").decode("s")
        #expect(try setting(durable: true) == ("on", server), "a form's transaction waits for its flush")
        #expect(try setting(durable: false) == ("off", server), "a page's read does not, and only for its transaction")
        #expect(try setting(durable: nil) == ("off", server), "nor does the public's")
    }

    @Test func newLoginsAreAdmittedToTheDoorAndTheMigrationAdmitsThoseThatExist() async throws {
        // A database migrated up to 025, a person made then, then the web door's migration.
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let superuser = try PostgresConnection(conninfo)
        defer { superuser.close() }
        let all = try Migrator.load(from: try TestCluster.installation.sqlDirectory)
        let before = all.filter { $0.version < 40 }
        _ = try Migrator.migrate(superuser, migrations: before)
        let early = WebFixture.uniqueName("early")
        let admitted = { (name: String) throws -> Bool in
            try superuser.queryRow("SELECT to_regrole('cr_web') IS NOT NULL AND pg_has_role('cr_web', $1, 'MEMBER') AS m", name).decode("m")
        }
        // cr_web may exist already on this server (another database's migration), but it is not
        // a member of a login made where the web door's migration had not run. Made and checked in
        // one transaction: 040 admits every login of the server, so another database migrated
        // beside this test would admit a committed one before the check.
        try superuser.transaction { _ in
            try Logins.add(name: early, role: .reviewer, password: "x", on: superuser)
            #expect(try admitted(early) == false)
        }
        _ = try Migrator.migrate(superuser, migrations: all)
        #expect(try admitted(early) == true, "the migration admits the logins that exist")
        let late = WebFixture.uniqueName("late")
        try Logins.add(name: late, role: .county(WebFixture.countyB), password: "x", on: superuser)
        #expect(try admitted(late) == true, "create_login admits a new person")
        let machine = WebFixture.uniqueName("machine")
        try Logins.add(name: machine, role: .coordinator, password: "x", on: superuser)
        #expect(try admitted(machine) == false, "never a coordinator's login")
    }

    // MARK: experts (sql/150)

    @Test func anExpertSignsInAndTheSessionNamesTheExpertsRole() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let expert = try web.person(.expert, hint: "exp")
        let browser = try await web.signedIn(expert)
        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.text.contains(expert.login))
        let roles: [String] = try web.superuser.query("""
            SELECT unnest(s.roles) AS role FROM web_sessions w CROSS JOIN LATERAL web_session_person(w.token_hash) s WHERE w.person = $1
            """, expert.login).rows.map { try $0.decode("role") }
        #expect(roles == ["expert"])
    }

    @Test func theAuthenticatorMayBecomeAnExpertsLoginAndStillOnlyPersonsLogins() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let expert = try web.person(.expert, hint: "exp")
        let coordinator = try web.person(.coordinator, hint: "serve")
        let connection = try web.connectAsAuthenticator()
        defer { connection.close() }
        #expect(Self.sqlState { try connection.query("SET ROLE \(expert.login)") } == nil)
        try connection.query("RESET ROLE")
        #expect(Self.sqlState { try connection.query("SET ROLE \(coordinator.login)") } == "42501")
        // What cr_web is granted directly: the public's role and persons' logins, nothing else.
        let direct: [String] = try web.superuser.query("""
            SELECT r.rolname::text AS name FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
            WHERE m.member = 'cr_web'::regrole AND r.rolname <> 'cr_public' AND NOT cr_web_admissible(r.rolname)
            """).rows.map { try $0.decode("name") }
        #expect(direct.isEmpty, "cr_web is granted \(direct)")
        // What it may become through them: those logins and the groups persons hold, never a
        // coordinator's role, the owner or a role with a power beyond its grants. Stated as
        // properties, not as a list of names: roles are server-wide, and tests running beside this
        // one make groups of their own and grant them to persons (a person's group is allowed).
        let reachable: [String] = try web.superuser.query("""
            SELECT r.rolname::text AS name FROM pg_roles r
            WHERE pg_has_role('cr_web', r.oid, 'MEMBER') AND r.rolname NOT IN ('cr_web', 'cr_public')
              AND (r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
                   OR pg_has_role(r.oid, 'cr_coordinator', 'MEMBER')
                   OR r.oid = (SELECT datdba FROM pg_database WHERE datname = current_database())
                   OR r.oid = (SELECT relowner FROM pg_class WHERE oid = 'public.filings'::regclass)
                   OR (r.rolcanlogin AND NOT cr_web_admissible(r.rolname)))
            """).rows.map { try $0.decode("name") }
        #expect(reachable.isEmpty, "cr_web may become \(reachable)")
    }

    @Test func newExpertsAreAdmittedToTheDoorAndMigration150AdmitsThoseThatExist() async throws {
        // A database migrated up to 149, an expert made then (not admitted: 040 knew no experts),
        // then migration 150.
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let superuser = try PostgresConnection(conninfo)
        defer { superuser.close() }
        let all = try Migrator.load(from: try TestCluster.installation.sqlDirectory)
        _ = try Migrator.migrate(superuser, migrations: all.filter { $0.version < 150 })
        let admitted = { (name: String) throws -> Bool in
            try superuser.queryRow("SELECT pg_has_role('cr_web', $1, 'MEMBER') AS m", name).decode("m")
        }
        let early = WebFixture.uniqueName("early")
        // Made and checked in one transaction: 150 admits every expert of the server, so another
        // database migrated beside this test would admit a committed one before the check.
        try superuser.transaction { _ in
            try Logins.add(name: early, role: .expert, password: "x", on: superuser)
            #expect(try admitted(early) == false)
        }
        _ = try Migrator.migrate(superuser, migrations: all)
        #expect(try admitted(early) == true, "the migration admits the experts that exist")
        let late = WebFixture.uniqueName("late")
        try Logins.add(name: late, role: .expert, password: "x", on: superuser)
        #expect(try admitted(late) == true, "create_login admits a new expert")
    }

    // MARK: the roles a session keeps (sql/156)

    /// The roles `web_session_person` answers for `login`'s session now.
    static func sessionRoles(_ login: String, _ web: WebFixture) throws -> [String] {
        try web.superuser.query("""
            SELECT unnest(s.roles) AS role FROM web_sessions w CROSS JOIN LATERAL web_session_person(w.token_hash) s WHERE w.person = $1
            """, login).rows.map { try $0.decode("role") }
    }

    @Test func aRoleTakenAwayEndsTheSessionAtTheNextRequest() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let reviewer = try web.person(.reviewer, hint: "rev")
        let browser = try await web.signedIn(reviewer)
        #expect(try await browser.get("/filings").status == 200)
        try web.superuser.query("REVOKE cr_reviewer FROM \(reviewer.login)")
        let after = try await browser.get("/filings")
        #expect(after.status == 303, "a login without the door's roles is signed out at once")
        let sessions: Int = try web.superuser.queryRow("SELECT count(*)::int AS n FROM web_sessions WHERE person = $1", reviewer.login).decode("n")
        #expect(sessions == 0)
    }

    @Test func aRoleTakenAwayThroughAGroupLeavesTheSessionAtTheNextRequest() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let group = WebFixture.uniqueName("grp")
        try web.superuser.query("CREATE ROLE \(group) NOLOGIN")
        try web.superuser.query("GRANT cr_reviewer TO \(group)")
        try web.superuser.query("GRANT \(group) TO \(county.login)")
        let browser = try await web.signedIn(county)
        #expect(try await browser.get("/").status == 200)
        #expect(try Self.sessionRoles(county.login, web) == ["county:\(WebFixture.countyA)", "reviewer"])
        // The person's own memberships do not change: only the kept role's re-check can see it.
        try web.superuser.query("REVOKE cr_reviewer FROM \(group)")
        #expect(try await browser.get("/").status == 200)
        #expect(try Self.sessionRoles(county.login, web) == ["county:\(WebFixture.countyA)"])
    }

    @Test func aRoleGrantedDirectlyShowsAtTheNextRequest() async throws {
        let web = try await WebFixture.start()
        defer { Task { await web.stop() } }
        let county = try web.person(.county(WebFixture.countyA), hint: "cty")
        let browser = try await web.signedIn(county)
        #expect(try await browser.get("/").status == 200)
        #expect(try Self.sessionRoles(county.login, web) == ["county:\(WebFixture.countyA)"])
        try web.superuser.query("GRANT cr_auditor TO \(county.login)")
        #expect(try Self.sessionRoles(county.login, web) == ["auditor", "county:\(WebFixture.countyA)"])
    }
}
