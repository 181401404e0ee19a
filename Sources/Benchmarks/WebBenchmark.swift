#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Postgres
import ReviewCore

/// `cluster-review-bench web`: the web door under N concurrent signed-in sessions (50 by
/// default), county and reviewer pages mixed, against `cluster-review web` on a Unix socket as
/// production runs it behind nginx — the release build, a private PostgreSQL whose `pg_hba.conf`
/// checks persons' passwords (the door refuses one that does not), durable settings.
///
/// Set-up (not measured): N filings (the samples' initial filings and copies of them) reviewed by
/// the real coordinator (`serve --until-idle`); one county login per county with filings and a
/// few reviewers, all with passwords; the door started with `--connections C` (default 8); each
/// session signs in through the form (its own address in X-Real-IP, as nginx passes it).
///
/// Each session is a thread with its own keep-alive connection (as nginx's upstream keepalive
/// holds them) that requests its role's pages in turn, one after another, no think time: a county
/// its home page, its filings, one of its reports, its register entries; a reviewer the home
/// page, the queue, the queue filtered by status and county, a search by name, any report. Each
/// request's latency is from its first byte written to its response's last byte read. A warm-up
/// (not counted), then `--seconds` measured; medians and spreads over `--runs`. Every response
/// must be 200 (a sign-in page or a 404 means the benchmark is broken, and it says so).
enum WebBenchmark {
    static let usage = """
        web [--sessions N] [--seconds S] [--runs N] [--think MS] [--filings N] [--connections C] [--keep]
          the web door: N concurrent signed-in sessions (default 50; county and reviewer pages mixed)
          on its Unix socket for S seconds (default 20) after a 3 s warm-up: p50/p90/p99 latency,
          requests/s, CPU per request (door, PostgreSQL); medians over --runs (default 3); --think a
          session's mean pause between pages, exponential (default 0: back to back, the saturation
          point); --filings reviewed filings (default 300); --connections the door's (default 8)
        """

    static func run(arguments: [String]) -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--sessions", "--seconds", "--runs", "--think", "--filings", "--connections"], flags: ["--keep"]),
            let sessions = parsed.int("--sessions", default: 50, minimum: 1),
            let seconds = parsed.int("--seconds", default: 20, minimum: 1),
            let runs = parsed.int("--runs", default: 3, minimum: 1),
            let filings = parsed.int("--filings", default: 300, minimum: 20),
            let connections = parsed.int("--connections", default: 8, minimum: 1),
            let think = parsed.int("--think", default: 0, minimum: 0)
        else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench \(usage)\n".utf8))
            return 64
        }
        // A write to a connection the door has just closed is an error to handle, not a signal
        // that ends the benchmark silently.
        signal(SIGPIPE, SIG_IGN)
        do {
            try measure(sessions: sessions, seconds: seconds, runs: runs, think: think, filings: filings, connections: connections,
                        keep: parsed.flag("--keep"))
            return 0
        } catch {
            FileHandle.standardError.write(Data("web benchmark failed: \(error)\n".utf8))
            return 1
        }
    }

    /// The private server's `pg_hba.conf`: the superuser and the authenticator trusted on the
    /// socket, every person's password checked (as the tests' password server).
    static let authentication = ["local all postgres trust", "local all cr_web trust", "local all all scram-sha-256"]

    static func measure(sessions: Int, seconds: Int, runs: Int, think: Int, filings: Int, connections: Int, keep: Bool) throws {
        let installation = try Installation.current()
        let cli = installation.executables.appendingPathComponent("cluster-review").path
        guard access(cli, X_OK) == 0 else { throw BenchError("\(cli) not found: build everything first (swift build -c release)") }
        let database = try BenchDatabase.start(label: "web", installation: installation, authentication: authentication)
        defer { database.stop(keep: keep) }
        let build = installation.executables.path.contains("/release") ? "release build" : "NOT a release build: figures not comparable"
        print("cluster-review-bench web — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(build)")
        print("PostgreSQL: \(try database.settingsLine())")

        // The filings, reviewed by the coordinator.
        let seeded = Date()
        try database.seedInitialFilings(filings)
        try database.connection.query("INSERT INTO review_queue (filing_id, county_code) SELECT id, county_code FROM filings ORDER BY id")
        let serve = try BenchChild.spawn(
            cli, ["serve", "--until-idle", "--no-sweeps"], environment: ["DATABASE_URL": database.conninfo],
            outputPath: database.server.directory.appendingPathComponent("serve.log").path)
        let served = serve.waitForExit(timeout: .seconds(1800))
        guard served.status == 0 else { throw BenchError("serve --until-idle exited with \(served.status):\n\(serve.outputTail())") }
        try database.connection.executeScript("VACUUM ANALYZE")
        let reviewed: Int = try database.connection.queryRow(
            "SELECT count(*) AS n FROM filings f WHERE EXISTS (SELECT FROM reviews r WHERE r.filing_id = f.id AND r.outcome = 'completed')"
        ).decode("n")

        // The people: a county login per county, reviewers; passwords checked by the server.
        let counties: [(code: String, filings: [Int64])] = try database.connection.query("""
            SELECT county_code, array_agg(id ORDER BY id)::text AS ids FROM filings GROUP BY county_code ORDER BY county_code
            """).rows.map { row in
                let ids: String = try row.decode("ids")
                return (try row.decode("county_code"), ids.trimmingCharacters(in: CharacterSet(charactersIn: "{}")).split(separator: ",").compactMap { Int64($0) })
            }
        let allFilings = counties.flatMap(\.filings)
        let names: [String] = try database.connection.query("SELECT DISTINCT cluster_name FROM filings WHERE cluster_name NOT LIKE '% #%' ORDER BY 1")
            .rows.map { try $0.decode("cluster_name") }
        var people: [Role] = []
        for county in counties {
            let login = "bench_county_\(county.code)"
            _ = try Logins.add(name: login, role: .county(county.code), password: "bench-\(login)", on: database.connection)
            people.append(.county(login: login, filings: county.filings))
        }
        for number in 1...max(1, min(5, sessions / 10)) {
            let login = "bench_reviewer_\(number)"
            _ = try Logins.add(name: login, role: .reviewer, password: "bench-\(login)", on: database.connection)
            people.append(.reviewer(login: login, filings: allFilings, counties: counties.map(\.code), names: names))
        }
        let setUp = Date().timeIntervalSince(seeded)
        print(String(format: "set-up: %d filings (%d reviewed by the coordinator), %d counties, %d people, %.0f s",
                     allFilings.count, reviewed, counties.count, people.count, setUp))

        // The door.
        let socket = database.server.directory.appendingPathComponent("web.sock").path
        let web = try BenchChild.spawn(
            cli, ["web", "--listen", "unix:\(socket)", "--connections", String(connections)],
            environment: ["DATABASE_URL": database.conninfo + " user=cr_web"],
            outputPath: database.server.directory.appendingPathComponent("web.log").path)
        defer {
            web.signal(SIGTERM)
            _ = web.waitForExit(timeout: .seconds(60))
        }
        let ready = ContinuousClock.now
        while access(socket, F_OK) != 0 {
            guard web.isRunning else { throw BenchError("cluster-review web exited:\n\(web.outputTail())") }
            guard ContinuousClock.now - ready < .seconds(60) else { throw BenchError("cluster-review web did not listen:\n\(web.outputTail())") }
            usleep(20_000)
        }

        // The sessions: half counties, half reviewers (alternating), each signed in.
        let doorPID = web.pid
        let door: ProcessCPU.Counter = { $0.treeTicks(doorPID) }
        let own = getpid()
        let bench: ProcessCPU.Counter = { $0.ownTicks(own) }
        let counters = [("door", door), ("PostgreSQL", try database.postgresCounter()), ("bench", bench)]
        let countyPeople = people.filter { if case .county = $0 { true } else { false } }
        let reviewerPeople = people.filter { if case .reviewer = $0 { true } else { false } }
        var clients: [SessionClient] = []
        for index in 0..<sessions {
            let role = index % 2 == 0 ? countyPeople[(index / 2) % countyPeople.count] : reviewerPeople[(index / 2) % reviewerPeople.count]
            let client = SessionClient(socket: socket, role: role, address: "10.1.\(index / 250).\(index % 250 + 1)", seed: UInt64(index + 1))
            try client.signIn()
            clients.append(client)
        }
        print("\(sessions) sessions signed in (\(countyPeople.count) county logins, \(reviewerPeople.count) reviewers), door with \(connections) database connections, "
              + (think == 0 ? "no pause between pages (saturation)" : "a mean pause of \(think) ms between a session's pages"))

        var figures = RunFigures()
        var pageFigures: [String: [Double]] = [:]
        for run in 1...runs {
            let (samples, usage, wall) = try drive(clients, warmUp: .seconds(3), for: .seconds(seconds), think: think, counters: counters)
            let latencies = samples.map(\.milliseconds).sorted()
            let count = Double(latencies.count)
            let p50 = percentile(latencies, 0.50), p90 = percentile(latencies, 0.90), p99 = percentile(latencies, 0.99)
            print(String(format: "  run %d: %d requests in %.1f s, %.0f requests/s · p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms · CPU per request %.2f core-ms = door %.2f + PostgreSQL %.2f (the bench's clients %.2f, rest of machine %.2f)",
                         run, latencies.count, wall, count / wall, p50, p90, p99, latencies.last ?? 0,
                         (usage["door"] + usage["PostgreSQL"]) / count, usage["door"] / count, usage["PostgreSQL"] / count,
                         usage["bench"] / count, (usage.machine - usage["door"] - usage["PostgreSQL"] - usage["bench"]) / count))
            figures.record("requests/s", count / wall, unit: "/s", decimals: 0)
            figures.record("latency p50", p50, unit: "ms", decimals: 1)
            figures.record("latency p90", p90, unit: "ms", decimals: 1)
            figures.record("latency p99", p99, unit: "ms", decimals: 1)
            figures.record("latency max", latencies.last ?? 0, unit: "ms", decimals: 1)
            figures.record("CPU per request, door", usage["door"] / count, unit: "core-ms", decimals: 2)
            figures.record("CPU per request, PostgreSQL", usage["PostgreSQL"] / count, unit: "core-ms", decimals: 2)
            figures.record("CPU per request, bench clients", usage["bench"] / count, unit: "core-ms", decimals: 2)
            figures.record("machine busy", (usage.machine / 1000) / wall / Double(ProcessInfo.processInfo.activeProcessorCount) * 100, unit: "%", decimals: 0)
            for (page, group) in Dictionary(grouping: samples, by: \.page) {
                pageFigures[page, default: []].append(percentile(group.map(\.milliseconds).sorted(), 0.99))
            }
        }
        print(figures.table())
        print("  p99 by page (median over runs):")
        for (page, values) in pageFigures.sorted(by: { $0.key < $1.key }) {
            print("    " + page.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%7.1f ms", RunFigures.median(values)))
        }
        let p99 = figures.median("latency p99")
        print("target p99 < 100 ms: " + (p99 < 100 ? "met" : "NOT met") + String(format: " (%.1f ms)", p99))
        for client in clients { client.close() }
    }

    /// Runs every session at once, continuously: `warmUp`, then `duration` measured. Only requests
    /// that start in the measured part count, so the moment every session starts together (a burst
    /// no steady state has) stays in the warm-up; with a pause, each session also starts after a
    /// pause of its own. The CPU snapshots are taken when the measured part starts and ends.
    static func drive(
        _ clients: [SessionClient], warmUp: Duration, for duration: Duration, think: Int, counters: [(String, ProcessCPU.Counter)]
    ) throws -> (samples: [Sample], usage: CPUUsage, seconds: Double) {
        let started = ContinuousClock.now
        let measured = started + warmUp, deadline = measured + duration
        let group = DispatchGroup()
        let results = Results()
        for client in clients {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                do {
                    var samples: [Sample] = []
                    if think > 0 { client.pause(meanMilliseconds: think, until: deadline) }
                    while ContinuousClock.now < deadline {
                        let begun = ContinuousClock.now
                        let sample = try client.next()
                        if begun >= measured { samples.append(sample) }
                        if think > 0 { client.pause(meanMilliseconds: think, until: deadline) }
                    }
                    results.add(samples)
                } catch {
                    results.fail("\(client.role.login): \(error)")
                }
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        let wait = measured - ContinuousClock.now
        if wait > .zero { usleep(UInt32(durationSeconds(wait) * 1_000_000)) }
        let before = ProcessCPU.snapshot(counters)
        group.wait()
        let usage = ProcessCPU.snapshot(counters).usage(since: before)
        if let failure = results.failure { throw BenchError(failure) }
        return (results.samples, usage, durationSeconds(ContinuousClock.now - before.instant))
    }

    /// The value below which `fraction` of the sorted `values` lie (nearest rank).
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    /// One request measured.
    struct Sample: Sendable {
        var page: String
        var milliseconds: Double
    }

    /// The threads' samples, gathered.
    final class Results: @unchecked Sendable {
        // @unchecked: `samples` and `failure` are read and written only while `lock` is held.
        private let lock = NSLock()
        private var gathered: [Sample] = []
        private var failed: String?

        func add(_ samples: [Sample]) { lock.withLock { gathered += samples } }
        func fail(_ message: String) { lock.withLock { if failed == nil { failed = message } } }
        var samples: [Sample] { lock.withLock { gathered } }
        var failure: String? { lock.withLock { failed } }
    }

    /// Who a session is and what it may look at.
    enum Role: Sendable {
        case county(login: String, filings: [Int64])
        case reviewer(login: String, filings: [Int64], counties: [String], names: [String])

        var login: String {
            switch self {
            case .county(let login, _), .reviewer(let login, _, _, _): login
            }
        }

        var password: String { "bench-\(login)" }
    }
}

/// One signed-in session: a cookie, an address, a keep-alive connection to the door's socket (a
/// new one when the door closes it), and its role's pages in turn.
final class SessionClient: @unchecked Sendable {
    // @unchecked: used by one thread at a time (signIn, then one `drive` thread per run).
    let socketPath: String
    let role: WebBenchmark.Role
    let address: String
    private var cookies: [String: String] = [:]
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private var step = 0
    private var random: UInt64

    init(socket: String, role: WebBenchmark.Role, address: String, seed: UInt64) {
        self.socketPath = socket
        self.role = role
        self.address = address
        self.random = seed &* 0x9E37_79B9_7F4A_7C15
    }

    /// GET /sign-in (the form's cookie and token), then POST the form; the session cookie is kept.
    func signIn() throws {
        let page = try request("GET", "/sign-in")
        guard let range = page.body.range(of: #"name="csrf" value="([A-Za-z0-9_-]+)""#, options: .regularExpression) else {
            throw BenchError("no form token on the sign-in page (status \(page.status))")
        }
        let token = String(page.body[range].dropFirst(#"name="csrf" value=""#.count).dropLast())
        let form = "csrf=\(token)&login=\(role.login)&password=\(role.password)"
        let reply = try request("POST", "/sign-in", body: Array(form.utf8))
        guard reply.status == 303, cookies["cr_session"] != nil else {
            throw BenchError("\(role.login) could not sign in: \(reply.status)\n\(reply.body.prefix(400))")
        }
    }

    /// The next page of the role's round; its latency. Anything but 200 stops the benchmark.
    func next() throws -> WebBenchmark.Sample {
        defer { step += 1 }
        let (page, target) = nextTarget()
        let started = ContinuousClock.now
        let reply = try request("GET", target)
        let elapsed = ContinuousClock.now - started
        guard reply.status == 200 else { throw BenchError("GET \(target) as \(role.login): \(reply.status)\n\(reply.body.prefix(300))") }
        return WebBenchmark.Sample(page: page, milliseconds: durationSeconds(elapsed) * 1000)
    }

    private func nextTarget() -> (String, String) {
        switch role {
        case .county(_, let filings):
            switch step % 4 {
            case 0: return ("county: home", "/")
            case 1: return ("county: my filings", "/filings")
            case 2: return ("county: a report", "/filings/\(pick(filings))")
            default: return ("county: register entries", "/register")
            }
        case .reviewer(_, let filings, let counties, let names):
            switch step % 5 {
            case 0: return ("reviewer: home", "/")
            case 1: return ("reviewer: queue", "/filings")
            case 2: return ("reviewer: queue filtered", "/filings?status=reviewed&county=\(pick(counties))")
            case 3:
                let name = pick(names)
                let term = String(name.dropFirst(min(3, max(0, name.count - 2))).prefix(2))
                return ("reviewer: search by name", "/filings?q=\(Self.encode(term))")
            default: return ("reviewer: a report", "/filings/\(pick(filings))")
            }
        }
    }

    /// Sleeps an exponentially distributed time of mean `meanMilliseconds` (a person reading the
    /// page), at most until `deadline`.
    func pause(meanMilliseconds: Int, until deadline: ContinuousClock.Instant) {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        let uniform = (Double(random >> 11) + 0.5) / Double(1 << 53)
        let pause = Duration.milliseconds(Int(-log(uniform) * Double(meanMilliseconds)))
        let left = deadline - ContinuousClock.now
        let sleep = min(pause, left)
        guard sleep > .zero else { return }
        usleep(UInt32(durationSeconds(sleep) * 1_000_000))
    }

    private func pick<T>(_ values: [T]) -> T {
        random ^= random << 13
        random ^= random >> 7
        random ^= random << 17
        return values[Int(random % UInt64(values.count))]
    }

    static func encode(_ text: String) -> String {
        text.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                String(UnicodeScalar(byte))
            default: String(format: "%%%02X", byte)
            }
        }.joined()
    }

    func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    // MARK: HTTP/1.1 over the socket

    struct Reply {
        var status: Int
        var bytes: [UInt8]
        /// The body as text (decoded only when looked at: the benchmark's own CPU is the door's machine's).
        var body: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// One request on the kept connection (reconnecting once when the door had closed it).
    private func request(_ method: String, _ target: String, body: [UInt8]? = nil) throws -> Reply {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: review.bench\r\nX-Real-IP: \(address)\r\nX-Forwarded-Proto: http\r\n"
        if !cookies.isEmpty { head += "Cookie: " + cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") + "\r\n" }
        if let body { head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.count)\r\n" }
        head += "\r\n"
        let bytes = Array(head.utf8) + (body ?? [])
        for attempt in 0..<2 {
            if descriptor < 0 { try connect() }
            do {
                try write(bytes)
                return try readReply()
            } catch let error as ConnectionClosed {
                close()
                if attempt == 1 { throw BenchError("the door closed the connection: \(error.reason)") }
            }
        }
        throw BenchError("unreachable")
    }

    struct ConnectionClosed: Error { var reason: String }

    private func connect() throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8CString)
        guard path.count <= MemoryLayout.size(ofValue: address.sun_path) else { throw BenchError("socket path too long") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in path.withUnsafeBytes { raw.copyMemory(from: $0) } }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            _ = Glibc.close(fd)
            throw BenchError("connect \(socketPath): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = fd
        buffer.removeAll(keepingCapacity: true)
    }

    private func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ConnectionClosed(reason: "write: errno \(errno)") }
            offset += written
        }
    }

    /// Reads into `buffer` at least once; false at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw BenchError("read: errno \(errno) (a timeout is 60 s without a byte)") }
        if count == 0 { return false }
        buffer.append(contentsOf: chunk[..<count])
        return true
    }

    private func readReply() throws -> Reply {
        var headEnd: Int?
        var searched = 0
        while true {
            headEnd = buffer.withUnsafeBufferPointer { bytes -> Int? in
                var index = max(0, searched - 3)
                while index + 3 < bytes.count {
                    if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 { return index }
                    index += 1
                }
                return nil
            }
            if headEnd != nil { break }
            searched = buffer.count
            guard try fill() else { throw ConnectionClosed(reason: "closed before a response") }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw BenchError("a malformed status line: \(head.prefix(100))") }
        var length = 0, closing = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased(), value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch name {
            case "content-length": length = Int(value) ?? 0
            case "connection": closing = value.lowercased() == "close"
            case "set-cookie":
                let pair = value.split(separator: ";")[0]
                if let equals = pair.firstIndex(of: "=") {
                    let cookie = String(pair[..<equals])
                    cookies[cookie] = value.contains("Max-Age=0") ? nil : String(pair[pair.index(after: equals)...])
                }
            default: break
            }
        }
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            guard try fill() else { throw BenchError("closed in the middle of a response") }
        }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        if closing { close() }
        return Reply(status: status, bytes: body)
    }
}
