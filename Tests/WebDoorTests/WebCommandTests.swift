import Foundation
import HTTPTestSupport
import Postgres
import ReviewCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `cluster-review web` as a process: it refuses a server that does not check passwords and a
/// login that is not the authenticator, serves on its socket, logs without secrets, writes its
/// metrics and drains on SIGTERM.
@Suite struct WebCommandTests {
    @Test func itRefusesToStartAgainstAServerThatDoesNotCheckPasswords() async throws {
        // The ordinary test server trusts every login on its socket.
        let conninfo = try TestCluster.makeDatabase()
        let superuser = try PostgresConnection(conninfo)
        try Logins.add(name: WebFixture.uniqueName("trusted"), role: .reviewer, password: "secret", on: superuser)
        superuser.close()
        let directory = try WebFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try await CLIProcess.run(["web", "--listen", "unix:\(directory)/web.sock", "--lang", "en"], conninfo: conninfo + " user=cr_web")
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("wrong password"))
        #expect(run.stderr.contains("pg_hba.conf"))
        #expect(!FileManager.default.fileExists(atPath: directory + "/web.sock"), "nothing listens")
    }

    @Test func itRefusesToStartAsAnotherLoginThanTheAuthenticator() async throws {
        let conninfo = try TestCluster.makePasswordDatabase()
        let run = try await CLIProcess.run(["web", "--listen", "127.0.0.1:0", "--lang", "en"], conninfo: conninfo)
        #expect(run.status == 78, "\(run.stderr)")
        #expect(run.stderr.contains("not as the web door's authenticator cr_web"))
    }

    @Test(arguments: [["web"], ["web", "--listen", "0.0.0.0:8080"], ["web", "--listen", "unix:"], ["web", "--listen", "127.0.0.1:1", "--secure-cookies", "maybe"]])
    func aWrongCommandLineIsAUsageError(_ arguments: [String]) async throws {
        let run = try await CLIProcess.run(arguments, conninfo: nil)
        #expect(run.status == 64, "\(arguments): \(run.stderr)")
    }

    @Test func itServesLogsWithoutSecretsWritesItsMetricsAndDrainsOnSIGTERM() async throws {
        let conninfo = try TestCluster.makePasswordDatabase()
        let superuser = try PostgresConnection(conninfo)
        let person = Person(login: WebFixture.uniqueName("cmd"), password: "a-secret-password")
        try Logins.add(name: person.login, role: .county(WebFixture.countyA), password: person.password, on: superuser)
        superuser.close()
        let directory = try WebFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let socket = directory + "/web.sock", metrics = directory + "/web.prom"
        let process = try CLIProcess(["web", "--listen", "unix:\(socket)", "--metrics-file", metrics], conninfo: conninfo + " user=cr_web")
        try await Self.waitForSocket(socket, process: process)
        let browser = Browser(socketPath: socket, address: "192.0.2.9")
        #expect(try await browser.signIn(Person(login: person.login, password: "wrong")).status == 422)
        #expect(try await browser.signIn(person).status == 303)
        let cookie = try #require(browser.cookies["cr_session"])
        #expect(try await browser.get("/filings?q=secret-search").status == 200)
        process.send(SIGTERM)
        let status = await process.wait(timeout: .seconds(60))
        #expect(status == 0, "\(process.errors)")
        let log = process.errors
        #expect(!log.contains(cookie), "the log holds a session token")
        #expect(!log.contains(person.password) && !log.contains("wrong\""), "the log holds a password")
        #expect(!log.contains("secret-search"), "the log holds a query string")
        let requests = log.split(separator: "\n").filter { $0.contains("\"event\":\"request\"") }
        #expect(requests.count >= 5)
        for line in log.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
        #expect(requests.contains { $0.contains("\"address\":\"192.0.2.9\"") && $0.contains("\"person\":\"\(person.login)\"") })
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("cluster_review_web_sign_ins_total{outcome=\"ok\"} 1"))
        #expect(text.contains("cluster_review_web_sign_ins_total{outcome=\"failed\"} 1"))
        #expect(text.contains("cluster_review_web_request_duration_seconds_count"))
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket is removed on the way out")
    }

    static func waitForSocket(_ path: String, process: CLIProcess) async throws {
        // The socket is tried before the clock is read: a task kept from running past the deadline
        // (the cooperative pool starved by a busy machine) still finds a door that is listening.
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            if (try? TestClient(unixPath: path)) != nil { return }
            if let status = await process.wait(timeout: .zero) {
                throw ClientError(description: "cluster-review web exited \(status):\n\(process.errors)")
            }
            if ContinuousClock.now >= deadline { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClientError(description: "cluster-review web did not listen:\n\(process.errors)")
    }
}
