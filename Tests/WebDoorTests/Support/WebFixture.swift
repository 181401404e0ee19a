import Foundation
import HTTPServer
import HTTPTestSupport
import IndicatorKit
import JSONCore
import ModuleHost
import Postgres
import ReviewCore
import Rulebooks
import TestSupport
import Testing
import WebDoor

#if canImport(Glibc)
    import Glibc
#endif

/// A person with a login and a password on the password-checking test server.
struct Person: Sendable {
    var login: String
    var password: String
}

/// A fresh database on the test server that checks persons' passwords (`TestCluster.passwordServer`:
/// scram-sha-256 for persons, trust for `postgres` and `cr_web` on its socket), a superuser
/// connection for set-up and checks, and a web door in this process on a Unix socket of its own,
/// connected as the authenticator `cr_web`.
final class WebFixture: @unchecked Sendable {
    // @unchecked: everything is set once in init; the connection is used by one test at a time.
    /// County A (文昌, Wenchang) and county B (秀英, Xiuying).
    static let countyA = "469005"
    static let countyB = "460105"

    let conninfo: String
    let superuser: PostgresConnection
    let door: WebDoor
    let server: HTTPServer
    let directory: String
    var socketPath: String { directory + "/web.sock" }
    /// The door's log lines.
    let log = LogLines()

    private init(conninfo: String, superuser: PostgresConnection, door: WebDoor, server: HTTPServer, directory: String) {
        self.conninfo = conninfo
        self.superuser = superuser
        self.door = door
        self.server = server
        self.directory = directory
    }

    /// Starts a door on a fresh database; `configure` adjusts its configuration (limits, timeouts).
    /// With `selfCheck`, the door runs counties' self-checks with the built-in modules (their
    /// worker processes, shared by the test process) and config/parameters.json.
    static func start(
        selfCheck: Bool = false, maxBodyBytes: Int? = nil, _ configure: (inout WebConfiguration) -> Void = { _ in }
    ) async throws -> WebFixture {
        let conninfo = try TestCluster.makePasswordDatabase()
        let superuser = try PostgresConnection(conninfo)
        var configuration = WebConfiguration(conninfo: conninfo + " user=cr_web")
        configuration.secureCookies = .auto
        configure(&configuration)
        let log = LogLines()
        var engine: SelfCheckEngine?
        if selfCheck {
            let parameters = try TestCluster.installation.configDirectory.appendingPathComponent("parameters.json")
            engine = SelfCheckEngine(modules: try await BuiltInModules.modules(), rulebooks: try RulebookLibrary.load(contentsOf: parameters))
        }
        let door = WebDoor(configuration: configuration, logger: Logger(minimumLevel: .debug) { log.append($0) }, selfCheck: engine)
        try await door.prepare()
        let directory = try temporaryDirectory()
        var serverConfiguration = HTTPServer.Configuration(listen: .unix(path: directory + "/web.sock"))
        if let maxBodyBytes { serverConfiguration.limits.maxBodyBytes = maxBodyBytes }
        let server = try HTTPServer(configuration: serverConfiguration) { request in
            await door.handle(request)
        }
        let fixture = WebFixture(conninfo: conninfo, superuser: superuser, door: door, server: server, directory: directory)
        fixture.log.share(log)
        return fixture
    }

    /// Stops the server and the door, closes the connections, removes the directory.
    func stop() async {
        await server.stop(grace: .seconds(5))
        await door.close()
        superuser.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A new person holding `role`, with a password, made as an administrator would (`create_login`).
    func person(_ role: RoleSpec, hint: String = "p") throws -> Person {
        let person = Person(login: Self.uniqueName(hint), password: "pw-\(UInt32.random(in: 0...UInt32.max))-安全")
        try Logins.add(name: person.login, role: role, password: person.password, on: superuser)
        return person
    }

    /// A connection as `person`, with their password (the server checks it).
    func connect(as person: Person) throws -> PostgresConnection {
        try PostgresConnection(conninfo, user: person.login, password: person.password)
    }

    /// A connection as the authenticator, without becoming anybody.
    func connectAsAuthenticator() throws -> PostgresConnection {
        try PostgresConnection(conninfo + " user=cr_web")
    }

    /// A browser: a cookie jar and requests over the door's socket.
    func browser(address: String? = nil) -> Browser {
        Browser(socketPath: socketPath, address: address)
    }

    /// A browser that has signed in as `person`.
    func signedIn(_ person: Person) async throws -> Browser {
        let browser = browser()
        let response = try await browser.signIn(person)
        #expect(response.status == 303, "sign-in of \(person.login): \(response.status)\n\(log.all.suffix(5).joined(separator: "\n"))")
        return browser
    }

    // MARK: filings

    /// Files a variant of `county`'s sample filing, its cluster named `name` (default: the sample's
    /// name with a unique suffix), through the submission door (`TestDoor.file`): sent on
    /// `connection` (default: the superuser's), checked by the intake as the superuser; returns its id.
    @discardableResult
    func file(county: String, name: String? = nil, on connection: PostgresConnection? = nil) throws -> Int64 {
        let payload = try Self.sample(county: county, name: name)
        return try TestDoor.file(payload, on: connection ?? superuser, checkingOn: superuser)
    }

    /// `county`'s initial sample filing, its cluster named `name` (default: the sample's name with
    /// a unique suffix).
    static func sample(county: String, name: String? = nil) throws -> Data {
        let sample = try SampleFilings.all().first { sample in
            (try? JSONValue(parsing: sample.data))?["applicant"]?["county_code"]?.string == county
                && (try? JSONValue(parsing: sample.data))?["kind"]?.string == "initial"
        }
        guard let sample, case .object(var root) = try JSONValue(parsing: sample.data), case .object(var cluster)? = root["cluster"],
              let original = cluster["name"]?.string
        else { throw PostgresError.client("no initial sample of county \(county)") }
        cluster["name"] = .string(name ?? "\(original) \(uniqueName("f"))")
        root["cluster"] = .object(cluster)
        return try JSONEncoder().encode(JSONValue.object(root))
    }

    /// Records a completed review of `filing` as the coordinator would (as the superuser): one
    /// finding per (criterion, verdict), the filing reviewed. Returns the review's id.
    @discardableResult
    func review(_ filing: Int64, findings: [(String, String)] = [("COMP-1", "manual"), ("COMP-2", "pass")]) throws -> Int64 {
        let id: Int64 = try superuser.queryRow("""
            WITH done AS (DELETE FROM review_queue WHERE filing_id = $1)
            INSERT INTO reviews (id, filing_id, county_code, purpose, outcome, recommendation, rulebook, rulebook_hash, as_of, attempts, queued_at)
            SELECT nextval('review_ids'), f.id, f.county_code, 'decision', 'completed', 'needs_review', 'hainan-2023', 'fixture', f.filed_on, 1, now()
            FROM filings f WHERE f.id = $1
            RETURNING id
            """, filing).decode("id")
        try superuser.query("""
            INSERT INTO findings (review_id, criterion, filing_id, county_code, module, module_version, kind, verdict, score,
                                  message_zh, message_en, citation)
            SELECT $1, c, f.id, f.county_code, 'competitiveness', '1', 'judgement', v, 50, '需人工判断的夹具', 'a fixture a person must judge', 'Standard 1(1)'
            FROM filings f, unnest($3::text[], $4::text[]) AS t(c, v) WHERE f.id = $2
            """, id, filing, TextArray(findings.map(\.0)), TextArray(findings.map(\.1)))
        try superuser.query("UPDATE filings SET status = 'reviewed' WHERE id = $1", filing)
        return id
    }

    /// Everything the tables hold, as text: equal before and after a refused request means nothing
    /// was written. Sequences are left out.
    func snapshot(excluding: Set<String> = ["web_sessions"]) throws -> [String: String] {
        let tables: [String] = try superuser.query("""
            SELECT relname::text AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY relname
            """).rows.map { try $0.decode("name") }
        var result: [String: String] = [:]
        for table in tables where !excluding.contains(table) && table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) {
            result[table] = try superuser.queryRow(
                "SELECT count(*)::text || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') AS state FROM \"\(table)\" t"
            ).decode("state")
        }
        return result
    }

    // MARK: helpers

    private static let counter = Counter()

    /// A login name unique in this test process (logins are server-wide).
    static func uniqueName(_ hint: String) -> String {
        "w\(getpid())_\(counter.next())_\(hint)"
    }

    static func temporaryDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "cr-web-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw PostgresError.client("mkdtemp failed") }
        return String(cString: made)
    }

    final class Counter: @unchecked Sendable {
        // @unchecked: `value` is read and written only while `lock` is held.
        private let lock = NSLock()
        private var value = 0

        func next() -> Int { lock.withLock { value += 1; return value } }
    }
}

/// Lines a logger wrote, kept for assertions.
final class LogLines: @unchecked Sendable {
    // @unchecked: `lines` and `shared` are read and written only while `lock` is held.
    private let lock = NSLock()
    private var lines: [String] = []
    private var shared: LogLines?

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    /// Reads `other`'s lines from now on.
    func share(_ other: LogLines) { lock.withLock { shared = other } }

    var all: [String] { lock.withLock { shared?.all ?? lines } }
}
