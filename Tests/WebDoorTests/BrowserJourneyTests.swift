import ChildProcesses
import Foundation
import HTTPTestSupport
import IndicatorKit
import JSONCore
import Postgres
import ReviewCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The journeys in a real browser: Debian's headless Chromium, driven by Selenium
/// (`python3-selenium`, `chromium-driver`) from `Journeys/journey.py`, against `cluster-review web`
/// on a Unix socket behind a real nginx started from the shipped site file, on a database that
/// checks passwords, with sample filings reviewed by the real coordinator (`serve --until-idle`)
/// and a notice and a recognition made through the lifecycle functions on a simulated calendar.
///
/// The script signs in as a county, sees its filings, opens a report, is refused another county's
/// filing (404), switches to English, uploads a filing, sees the self-check and a pasted filing's
/// errors, submits it and follows it until the coordinator (`serve`, running) has reviewed it, signs out; signs in as the reviewer, filters the queue,
/// searches by name, confirms every waiting finding of a filing with one form (a note each),
/// approves it with grounds and sees its public notice open; reads the public lists signed out.
/// Then the test moves the database's clock past the notice's last day and the script, run again
/// (`close`), closes the notice: the cluster is on the register and the public recognition list. Screenshots of
/// the main pages, and the report printed to PDF, go to `.build/screenshots/` for a person to look
/// at. The test fails with the script's output when the script fails.
@Suite(.serialized) struct BrowserJourneyTests {
    static let python = "/usr/bin/python3"
    static let chromium = "/usr/bin/chromium"
    static let driver = "/usr/bin/chromedriver"
    static let missing = """
        the browser journeys need Debian's chromium, chromium-driver, fonts-noto-cjk and python3-selenium: \
        apt-get install -y chromium chromium-driver fonts-noto-cjk python3-selenium (.ci/run installs them)
        """

    /// The script and where its screenshots go.
    static var root: URL { NginxInstance.repositoryRoot }
    static var script: String { root.appendingPathComponent("Tests/WebDoorTests/Journeys/journey.py").path }
    static var screenshots: String { root.appendingPathComponent(".build/screenshots").path }

    /// Debian's packages the journeys need, by the files they install; the missing ones.
    static var missingTools: [String] {
        [(python, "python3"), (chromium, "chromium"), (driver, "chromium-driver"),
         ("/usr/lib/python3/dist-packages/selenium/__init__.py", "python3-selenium"),
         ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "fonts-noto-cjk")]
            .filter { !FileManager.default.fileExists(atPath: $0.0) }.map(\.1)
    }

    /// Skipped, saying what to install, only where the browser is not installed (.ci/run installs it).
    @Test(.enabled(if: missingTools.isEmpty, "skipped: \(missingTools.joined(separator: ", ")) not installed — \(missing)"))
    func theCountyTheReviewerAndThePublicJourneysPassInChromium() async throws {
        let selenium = try await Self.run(Self.python, ["-c", "import selenium"], timeout: .seconds(60))
        try #require(selenium.status == 0, "python3-selenium does not import: \(Self.missing)\n\(selenium.output)")

        // The database: people with passwords, sample filings reviewed by the coordinator.
        let conninfo = try TestCluster.makePasswordDatabase()
        let superuser = try PostgresConnection(conninfo)
        defer { superuser.close() }
        func person(_ role: RoleSpec, _ hint: String) throws -> Person {
            let person = Person(login: WebFixture.uniqueName(hint), password: "journey-\(UInt32.random(in: 0...UInt32.max))")
            try Logins.add(name: person.login, role: role, password: person.password, on: superuser)
            return person
        }
        let county = try person(.county("469005"), "wenchang")
        let reviewer = try person(.reviewer, "reviewer")
        let admin = try person(.admin, "admin")
        var filings: [String: Int64] = [:]
        for sample in try SampleFilings.all() where Self.samples.contains(sample.file) {
            filings[sample.file] = try TestDoor.file(sample.data, on: superuser, checkingOn: superuser)
        }
        let serve = try await CLIProcess.run(["serve", "--until-idle", "--no-sweeps"], conninfo: conninfo, timeout: .seconds(600))
        try #require(serve.status == 0, "serve --until-idle: \(serve.stderr.suffix(2000))")
        let own = try #require(filings["469005-wenchang-commercial-aerospace.json"])
        let foreign = try #require(filings["460105-xiuying-biomedicine.json"])
        let ownName = try superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", own).decode("cluster_name", as: String.self)
        let foreignName = try superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", foreign).decode("cluster_name", as: String.self)
        try #require(foreignName.contains("药谷") && !ownName.contains("药谷"), "the search term picks one of the two")
        let (recognized, noticed, toDecide) = try Self.noticeAndRecognition(
            superuser: superuser, conninfo: conninfo, reviewer: reviewer, besides: [own, foreign])
        let toDecideName = try superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", toDecide).decode("cluster_name", as: String.self)

        // The door behind nginx.
        let directory = try WebFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/web.sock"
        let web = try CLIProcess(["web", "--listen", "unix:\(socket)"], conninfo: conninfo + " user=cr_web")
        try await WebCommandTests.waitForSocket(socket, process: web)
        let nginx = try await NginxInstance.start(socketPath: socket, directory: directory)
        // A coordinator that stays up: it checks what the county submits in the browser and reviews it.
        let coordinator = try CLIProcess(["serve", "--no-sweeps"], conninfo: conninfo)
        // The file the county uploads: its sample under a new name (a new filing, not one on file).
        let uploadName = "网页申报集群 \(WebFixture.uniqueName("u"))"
        let uploadPath = directory + "/my-filing.json"
        let upload = try JSONValue(parsing: try WebFixture.sample(county: "469005", name: uploadName)).canonicalText(pretty: true)
        try Data(upload.utf8).write(to: URL(fileURLWithPath: uploadPath))

        try FileManager.default.createDirectory(atPath: Self.screenshots, withIntermediateDirectories: true)
        let fixture: [String: Any] = [
            "base": "http://127.0.0.1:\(nginx.port)",
            "county": ["login": county.login, "password": county.password],
            "reviewer": ["login": reviewer.login, "password": reviewer.password],
            "admin": ["login": admin.login, "password": admin.password],
            "own_filing": own, "own_name": ownName, "foreign_filing": foreign, "foreign_name": foreignName,
            "foreign_county": "460105", "search": "药谷",
            "notice_name": noticed, "recognized_name": recognized.name, "certificate": recognized.certificate,
            "screenshots": Self.screenshots, "upload_file": uploadPath, "upload_name": uploadName,
            "decide_filing": toDecide, "decide_name": toDecideName,
        ]
        let fixturePath = directory + "/fixture.json"
        try JSONSerialization.data(withJSONObject: fixture, options: [.sortedKeys]).write(to: URL(fileURLWithPath: fixturePath))
        let journey = try await Self.run(Self.python, [Self.script, fixturePath], timeout: .seconds(300))
        // The notice the reviewer opened in the browser has run its course: the database's owner
        // moves the simulated clock past its last day, and the script closes it.
        var closing: (status: Int32?, output: String) = (nil, "not run: the first journeys failed")
        if journey.status == 0, let notice = try Lifecycle(superuser).notice(filing: toDecide) {
            try DatabaseClock.simulate(notice.endsOn.adding(days: 1), reason: "test: the browser journeys' calendar, after the notice", on: superuser)
            closing = try await Self.run(Self.python, [Self.script, fixturePath, "close"], timeout: .seconds(180))
        }

        coordinator.send(SIGTERM)
        _ = await coordinator.wait(timeout: .seconds(60))
        web.send(SIGTERM)
        let webStatus = await web.wait(timeout: .seconds(60))
        await nginx.stop()
        #expect(journey.status == 0, "the journeys failed:\n\(journey.output)\n--- the door's log:\n\(web.errors.suffix(3000))\n--- nginx:\n\(nginx.errorLog.suffix(2000))")
        #expect(closing.status == 0, "the notice's close failed:\n\(closing.output)\n--- the door's log:\n\(web.errors.suffix(3000))")
        #expect(webStatus == 0)
        #expect(try superuser.queryRow("SELECT status FROM filings WHERE id = $1", toDecide).decode("status", as: String.self) == "recognized")
        for shot in ["01-public-home", "02-sign-in", "03-county-filings", "04-county-report", "06-reviewer-queue", "08-public-notices",
                     "09-recognition-list", "10-county-self-check", "11-county-self-check-errors",
                     "13-county-filed-reviewed", "14-reviewer-confirm-all", "15-reviewer-decide", "16-reviewer-notice-open",
                     "17-reviewer-recognized", "18-reviewer-register", "19-public-recognition-list", "20-admin-logins"] {
            #expect(FileManager.default.fileExists(atPath: Self.screenshots + "/\(shot).png"), "\(shot).png")
        }
        #expect(FileManager.default.fileExists(atPath: Self.screenshots + "/report-printed.pdf"))
    }

    /// The samples filed: county A's own (Wenchang), county B's (Xiuying), and some the machine
    /// finds complete, for the notice and the recognition.
    static let samples: Set<String> = [
        "469005-wenchang-commercial-aerospace.json", "460105-xiuying-biomedicine.json", "460205-yazhou-seed-breeding.json",
        "469001-wuzhishan-tea.json", "469002-qionghai-medical-devices.json", "469021-ding-an-food.json", "460106-longhua-smart-terminals.json",
    ]

    /// Three reviewed filings without a failed finding (besides `besides`): the first recognized
    /// after its notice, the second under notice today — by the reviewer, through the lifecycle
    /// functions, on a simulated calendar the database's owner moves — and the third for the
    /// reviewer to confirm, decide and take through its notice in the browser.
    static func noticeAndRecognition(
        superuser: PostgresConnection, conninfo: String, reviewer: Person, besides: [Int64]
    ) throws -> (recognized: (name: String, certificate: String), noticed: String, toDecide: Int64) {
        let candidates: [Int64] = try superuser.query("""
            SELECT f.id FROM filings f JOIN reviews r ON r.filing_id = f.id AND r.outcome = 'completed'
            WHERE f.kind = 'initial' AND f.status = 'reviewed' AND f.id <> ALL($1::bigint[])
              AND NOT EXISTS (SELECT FROM findings x WHERE x.review_id = r.id AND x.verdict IN ('fail', 'error'))
            ORDER BY f.id LIMIT 3
            """, TextArray(besides.map(String.init))).rows.map { try $0.decode("id") }
        try #require(candidates.count == 3, "three samples the machine finds complete: \(candidates)")
        try Lifecycle(superuser).install(configDirectory: try TestCluster.installation.configDirectory)
        let connection = try PostgresConnection(conninfo, user: reviewer.login, password: reviewer.password)
        defer { connection.close() }
        let lifecycle = Lifecycle(connection)
        func today(_ day: CivilDate) throws { try DatabaseClock.simulate(day, reason: "test: the browser journeys' calendar", on: superuser) }
        func approve(_ filing: Int64, on day: CivilDate) throws -> PublicityNotice {
            try today(day)
            let manual: [String] = try superuser.query("""
                SELECT criterion FROM findings WHERE review_id = (SELECT max(id) FROM reviews WHERE filing_id = $1) AND verdict IN ('manual', 'warn')
                ORDER BY criterion
                """, filing).rows.map { try $0.decode("criterion") }
            for criterion in manual { try lifecycle.confirm(filing: filing, criterion: criterion, accept: true, note: "核实无误") }
            try lifecycle.decide(filing: filing, .approve, note: "符合认定标准")
            return try #require(try lifecycle.notice(filing: filing))
        }
        let first = try approve(candidates[0], on: CivilDate("2026-04-20")!)
        try today(first.endsOn.adding(days: 1))
        let cluster = try #require(try lifecycle.closePublicity(filing: candidates[0]))
        let entry = try #require(try Register.entry(superuser, String(cluster)))
        let second = try approve(candidates[1], on: first.endsOn.adding(days: 1))
        try today(second.startsOn)
        let noticed = try superuser.queryRow("SELECT cluster_name FROM filings WHERE id = $1", candidates[1]).decode("cluster_name", as: String.self)
        return ((entry.name, entry.certificateNo), noticed, candidates[2])
    }

    /// Runs `program` to its end (at most `timeout`, which only a hang reaches); stdout and stderr together.
    static func run(_ program: String, _ arguments: [String], timeout: Duration) async throws -> (status: Int32?, output: String) {
        let output = NSTemporaryDirectory() + "cr-journey-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let child = try ProcessLauncher.launch(LaunchOptions(
            executable: program, arguments: arguments, environment: ProcessInfo.processInfo.environment,
            stdout: .file(output), stderr: .sameAsStdout))
        let deadline = ContinuousClock.now + timeout
        while child.poll() == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        await child.terminate()
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return (child.exitStatus?.shellStatus, text)
    }
}
