#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit
import JSONCore

/// The well-behaved fixture: eight criteria, eight findings (about 2 KB) per request.
struct FixtureModule: IndicatorModule {
    var mode: String
    var marker: String = ""
    /// The coordinator that started this worker (the `gated` mode exits when it is gone).
    var parent: pid_t = 0

    static let criteria: [Criterion] = (1...8).map { index in
        Criterion(id: "FIX-\(index)", title: LocalizedText(zh: "样例指标\(index)", en: "Sample criterion \(index)"),
            kind: index % 3 == 0 ? .evidence : .threshold, citation: "Fixture standard \(index)")
    }

    static let descriptor = ModuleDescriptor(
        id: "fixture", version: "1.0.0", title: LocalizedText(zh: "样例模块", en: "Fixture module"),
        appliesTo: [.initial, .recertification], criteria: criteria, reads: ["enterprises", "output", "value", "cluster"])

    var descriptor: ModuleDescriptor { Self.descriptor }

    func evaluate(_ request: EvaluationRequest<JSONValue, JSONValue>) throws -> [Finding] {
        switch mode {
        case "stray-stdout":
            print("a stray print that must not reach the protocol channel")
            fflush(nil)
        case "slow":
            let milliseconds = Int(request.filing["sleep_ms"]?.decimal.map { NSDecimalNumber(decimal: $0).intValue } ?? 100)
            usleep(UInt32(milliseconds * 1000))
        case "gated":
            // Waits for the gate; a worker whose coordinator was killed meanwhile just exits.
            while access(marker, F_OK) != 0 {
                if getppid() != parent { exit(0) }
                usleep(10_000)
            }
        case "error-reply":
            throw EvaluationRefusal(.evaluationFailed, "this fixture refuses every request")
        case "crash-once":
            if access(marker, F_OK) != 0 {
                _ = creat(marker, 0o644)
                FileHandle.standardError.write(Data("crash-once: crashing on purpose\n".utf8))
                abort()
            }
        case "inspect":
            return [inspection()]
        default:
            break
        }
        return Self.criteria.map { criterion in
            Finding(
                criterion: criterion.id, verdict: .pass, score: 75, observed: request.filing["value"] ?? 12,
                threshold: 10, comparator: ">=", margin: 2,
                message: LocalizedText(
                    zh: "集群主导产业营业收入达到标准要求，观测值高于阈值（\(criterion.id)）。",
                    en: "The cluster's leading-industry revenue meets the standard; the observed value is above the threshold (\(criterion.id))."),
                citation: criterion.citation, parameters: ["min_revenue": 10])
        }
    }

    /// What the process sees of itself: open descriptors, environment, limits.
    func inspection() -> Finding {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let fds = names.map { name in
            "\(name) -> " + ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")) ?? "?")
        }
        let environ = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/self/environ"))) ?? Data()
        let variables = environ.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        var limits: [String: JSONValue] = [:]
        for (name, resource) in [("cpu", RLIMIT_CPU), ("as", RLIMIT_AS), ("nofile", RLIMIT_NOFILE)] {
            var value = rlimit()
            getrlimit(__rlimit_resource_t(resource.rawValue), &value)
            limits[name] = .string(value.rlim_cur == rlim_t.max ? "unlimited" : String(value.rlim_cur))
        }
        return Finding(
            criterion: "FIX-1", verdict: .pass, score: 100,
            observed: ["fds": .array(fds.sorted().map { .string($0) }), "environment": .array(variables.map { .string($0) })],
            message: LocalizedText(zh: "自检", en: "self-inspection"), citation: "none", parameters: limits)
    }
}

/// The misbehaving fixtures, written against raw descriptors so they can break the protocol.
enum RawLoop {
    static let echoReply: Data = {
        var line = Data(#"{"type":"findings","id":"0","findings":["#.utf8)
        line.append(Data(String(repeating: "x", count: 2000).utf8))
        line.append(Data("\"]}\n".utf8))
        return line
    }()

    static func write(_ data: Data, to fd: Int32 = 1) {
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { if errno == EINTR { continue }; exit(0) }
                offset += written
            }
        }
    }

    static func log(_ text: String) { write(Data((text + "\n").utf8), to: 2) }

    static func ready(protocolVersion: Int = 1) -> Data {
        (try? MessageLine.encode(ReadyMessage(descriptor: FixtureModule.descriptor, protocolVersion: protocolVersion))) ?? Data()
    }

    /// Reads request lines and answers each with `reply` (nil: no answer); exits on EOF.
    static func serve(ready sendReady: Bool, reply: (Data) -> Data?) -> Never {
        signal(SIGPIPE, SIG_IGN)
        if sendReady { write(ready()) }
        var framer = LineFramer(maxLineBytes: 256 << 20)
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = read(0, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { exit(0) }
            try? buffer.withUnsafeBytes { raw in
                try framer.feed(UnsafeRawBufferPointer(rebasing: raw[0..<count])) { line in
                    if let answer = reply(line) { write(answer) }
                }
            }
        }
    }

    /// The eight findings of the `ok` mode, encoded once.
    static func cannedFindings() -> Data {
        let request = EvaluationRequest<JSONValue, JSONValue>(id: "0", filing: ["value": 12], context: [:], parameters: [:], asOf: CivilDate("2025-06-30")!)
        let findings = (try? FixtureModule(mode: "ok").evaluate(request)) ?? []
        return (try? JSONEncoder().encode(findings)) ?? Data("[]".utf8)
    }

    static func cannedReply(id: String, findings: Data) -> Data {
        var line = Data(#"{"type":"findings","id":""#.utf8)
        line.append(Data(id.utf8))
        line.append(Data(#"","findings":"#.utf8))
        line.append(findings)
        line.append(Data("}\n".utf8))
        return line
    }

    /// The request id, found by scanning for `"id":"` (the coordinator's ids are plain digits).
    static func scanId(_ line: Data) -> String? {
        let marker = Array(#""id":""#.utf8)
        return line.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> String? in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard bytes.count > marker.count else { return nil }
            for start in 0..<(bytes.count - marker.count) where bytes[start] == marker[0] {
                if (0..<marker.count).allSatisfy({ bytes[start + $0] == marker[$0] }) {
                    var end = start + marker.count
                    while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += 1 }
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[(start + marker.count)..<end]), as: UTF8.self)
                }
            }
            return nil
        }
    }

    static func isShutdownFast(_ line: Data) -> Bool {
        line.count < 64 && String(decoding: line, as: UTF8.self).contains("shutdown")
    }

    static func requestId(_ line: Data) -> String? {
        (try? JSONDecoder().decode(JSONValue.self, from: line))?["id"]?.string
    }

    static func isShutdown(_ line: Data) -> Bool {
        (try? JSONDecoder().decode(JSONValue.self, from: line))?["type"]?.string == "shutdown"
    }

    /// The marker in a cluster's name that makes a selective hostile fixture misbehave on it.
    static let hostileMarker = "[hostile]"

    /// Whether the request targets a hostile behaviour: every request, or with `--selective` only
    /// those whose filing's cluster name holds the marker (the others are answered correctly).
    static func targets(_ line: Data) -> Bool {
        guard CommandLine.arguments.contains("--selective") else { return true }
        let request = try? JSONValue(parsing: line)
        return request?["filing"]?["cluster"]?["name"]?.string?.contains(hostileMarker) ?? false
    }

    /// A findings line for `id` with `findings` (pre-encoded JSON array members).
    static func findingsLine(id: String, _ findings: [String]) -> Data {
        Data(#"{"type":"findings","id":"\#(id)","findings":[\#(findings.joined(separator: ","))]}"#.utf8 + [0x0A])
    }

    /// One finding's JSON for `criterion`, with `message` as the English message.
    static func finding(_ criterion: String, verdict: String = "pass", message: String = "ok", observed: String = "12") -> String {
        #"{"criterion":"\#(criterion)","verdict":"\#(verdict)","score":70,"observed":\#(observed),"message":{"zh":"样例","en":"\#(message)"},"citation":"Fixture standard","parameters":{}}"#
    }

    /// Serves with `hostile` for targeted requests and a correct, complete answer for the others.
    static func serveHostile(_ hostile: @escaping (String) -> Data?) -> Never {
        let canned = cannedFindings()
        serve(ready: true) { line in
            if isShutdownFast(line) { exit(0) }
            let id = scanId(line) ?? "?"
            return targets(line) ? hostile(id) : cannedReply(id: id, findings: canned)
        }
    }

    /// Starts `/bin/sleep` with this process's descriptors — stdout, the protocol pipe, among them —
    /// and its environment, and does not wait for it: a descendant that holds the module's stdout.
    static func spawnHolder() {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sleep"), strdup("3600"), nil]
        defer { argv.forEach { free($0) } }
        _ = posix_spawn(&pid, "/bin/sleep", nil, nil, argv, environ)
    }

    static func run(mode: String) -> Never {
        switch mode {
        case "nul-text":
            // A message holding NUL: PostgreSQL refuses it (22P05) if it ever reached a write.
            serveHostile { id in findingsLine(id: id, FixtureModule.criteria.map { finding($0.id, message: #"nul \u0000 here"#) }) }
        case "duplicate-finding":
            serveHostile { id in
                findingsLine(id: id, [finding("FIX-1")] + FixtureModule.criteria.map { finding($0.id) })
            }
        case "foreign-criterion":
            // A finding for another module's criterion (competitiveness's COMP-6).
            serveHostile { id in findingsLine(id: id, FixtureModule.criteria.map { finding($0.id) } + [finding("COMP-6")]) }
        case "error-verdict":
            serveHostile { id in findingsLine(id: id, FixtureModule.criteria.map { finding($0.id, verdict: "error") }) }
        case "partial":
            // Declares eight criteria, answers one.
            serveHostile { id in findingsLine(id: id, [finding("FIX-1")]) }
        case "huge-answer":
            // An answer just under the coordinator's default line limit (1 MiB), a field far over
            // the answer limits: refused before it is parsed.
            let filler = String(repeating: "x", count: (1 << 20) - 4096)
            serveHostile { id in findingsLine(id: id, [finding("FIX-1", observed: "\"\(filler)\"")]) }
        case "crash-always":
            serveHostile { _ in
                log("crash-always: crashing on this request")
                abort()
            }
        case "duplicate-criterion":
            // A ready line declaring FIX-1 twice.
            var descriptor = FixtureModule.descriptor
            descriptor.criteria.append(descriptor.criteria[0])
            write((try? MessageLine.encode(ReadyMessage(descriptor: descriptor))) ?? Data())
            serve(ready: false) { line in
                if isShutdownFast(line) { exit(0) }
                return cannedReply(id: scanId(line) ?? "?", findings: cannedFindings())
            }
        case "grandchild":
            // At start, a descendant that keeps stdout open for an hour; otherwise a correct module.
            spawnHolder()
            serveHostile { id in cannedReply(id: id, findings: cannedFindings()) }
        case "grandchild-per-request":
            // One more such descendant on every request.
            let canned = cannedFindings()
            serve(ready: true) { line in
                if isShutdownFast(line) { exit(0) }
                spawnHolder()
                return cannedReply(id: scanId(line) ?? "?", findings: canned)
            }
        case "silent-exit":
            // Started by hand it exits 3 without a word; started by the coordinator it behaves.
            if getenv(ModuleProtocol.environmentVariable) == nil { exit(3) }
            ModuleRunner.run(FixtureModule(mode: "ok"))
        case "exit-at-once":
            exit(0)
        case "hang":
            // Ready, then reads requests and never answers; exits on EOF or shutdown. The stderr
            // line comes before the ready line, so it is in every failure report's stderr tail.
            log("hang: ready, and no request will be answered")
            serve(ready: true) { line in if isShutdown(line) { exit(0) }; return nil }
        case "ignore-shutdown":
            // Ignores shutdown and SIGTERM; only SIGKILL ends it.
            signal(SIGTERM, SIG_IGN)
            write(ready())
            while true { pause() }
        case "crash-mid-request":
            serve(ready: true) { line in
                if isShutdown(line) { exit(0) }
                log("crash-mid-request: received a request, crashing")
                write(Data(#"{"type":"findings","id""#.utf8))
                abort()
            }
        case "garbage":
            serve(ready: true) { _ in Data("this is not JSON at all\n".utf8) }
        case "huge-line":
            serve(ready: true) { line in
                if isShutdown(line) { exit(0) }
                let chunk = Data(repeating: 0x61, count: 1 << 20)
                for _ in 0..<100 { write(chunk) }
                return Data("\n".utf8)
            }
        case "wrong-id":
            serve(ready: true) { line in
                let id = requestId(line) ?? "?"
                return Data(#"{"type":"findings","id":"not-\#(id)","findings":[]}"#.utf8 + [0x0A])
            }
        case "unexpected-message":
            serve(ready: true) { _ in ready() }
        case "bad-criterion":
            serve(ready: true) { line in
                let id = requestId(line) ?? "?"
                let finding = #"{"criterion":"NOPE-1","verdict":"pass","score":70,"message":{"zh":"z","en":"e"},"citation":"c","parameters":{}}"#
                return Data(#"{"type":"findings","id":"\#(id)","findings":[\#(finding)]}"#.utf8 + [0x0A])
            }
        case "bad-score":
            serve(ready: true) { line in
                let id = requestId(line) ?? "?"
                let finding = #"{"criterion":"FIX-1","verdict":"pass","score":170,"message":{"zh":"z","en":"e"},"citation":"c","parameters":{}}"#
                return Data(#"{"type":"findings","id":"\#(id)","findings":[\#(finding)]}"#.utf8 + [0x0A])
            }
        case "protocol-v2":
            write(ready(protocolVersion: 2))
            serve(ready: false) { _ in nil }
        case "exit-after-ready":
            write(ready())
            exit(0)
        case "never-ready":
            serve(ready: false) { _ in nil }
        case "memory-hog":
            serve(ready: true) { line in
                if isShutdown(line) { exit(0) }
                log("memory-hog: allocating until the address-space limit stops it")
                var blocks: [UnsafeMutableRawPointer] = []
                while true {
                    guard let block = malloc(64 << 20) else {
                        log("memory-hog: malloc failed after \(blocks.count * 64) MiB")
                        abort()
                    }
                    memset(block, 1, 64 << 20)
                    blocks.append(block)
                }
            }
        case "cpu-hog":
            serve(ready: true) { line in
                if isShutdown(line) { exit(0) }
                var x: UInt64 = 1
                while true { x = x &* 6364136223846793005 &+ 1442695040888963407; if x == 0 { break } }
                return nil
            }
        case "stderr-flood":
            // Far more lines than the coordinator logs a second, however slowly they are read.
            serve(ready: true) { line in
                log(String(repeating: "e", count: 100_000))
                for index in 0..<20_000 { log("flood line \(index)") }
                let id = requestId(line) ?? "?"
                return Data(#"{"type":"findings","id":"\#(id)","findings":[]}"#.utf8 + [0x0A])
            }
        default:
            log("fixture-module: unknown mode \(mode)")
            exit(2)
        }
    }
}
