import Foundation
import IndicatorKit
import ChildProcesses

/// The result of one conformance check.
public struct ConformanceCheck: Sendable, Hashable {
    /// What was checked, e.g. "handshake".
    public var name: String
    /// True when the module behaved as the protocol requires.
    public var passed: Bool
    /// What was seen: the module's identity on success, the reason on failure.
    public var detail: String

    /// A check result.
    public init(name: String, passed: Bool, detail: String) {
        self.name = name
        self.passed = passed
        self.detail = detail
    }
}

/// The conformance suite a module author runs (`cluster-review plugins check EXECUTABLE`):
/// real processes over real pipes, started exactly as the coordinator starts them — the same
/// clean environment, resource limits, line limit and process group.
///
/// Checks, in order: started by hand (no protocol variable) it exits non-zero, says why on
/// stderr and writes nothing on stdout; the handshake, its declaration valid
/// (`ModuleDescriptor.validate`: each criterion once, well-formed ids and parameters); a normal
/// request, answered within the line limit with a valid answer (`AnswerValidator`: declared
/// criteria only, each once, scores in range, no `error` verdict, no NUL, sizes within the
/// limits) that leaves no declared criterion out; a request with an invalid `as_of` and one whose
/// filing is not an object, both refused with `invalid_request`; an unknown message type refused
/// with `unknown_message` while the module keeps serving; stdout hygiene (nothing but replies);
/// `shutdown` → exit 0; no process left behind holding the module's output; EOF on stdin → exit 0.
/// Every step has a timeout and ends the module's whole process group when it is over, so the
/// suite always ends, whatever the module or its descendants do.
public enum ModuleConformance {
    /// Settings of a run.
    public struct Options: Sendable {
        /// How long each step may take.
        public var timeout: Duration
        /// The filing sent in the normal request (a JSON object); `{}` when nil.
        public var filing: Data?
        /// The parameters sent in the normal request (a JSON object); `{}` when nil.
        public var parameters: Data?
        /// Extra environment for the module.
        public var environment: [String: String]
        /// The resource limits the module runs under (the coordinator's, from config/modules.json).
        public var limits: ResourceLimits
        /// The longest reply line accepted.
        public var maxLineBytes: Int
        /// The limits of an answer.
        public var answerLimits: AnswerLimits
        /// How long the module may take to start (to write its ready line, or to exit when started
        /// by hand); `timeout` when nil. A test of a module that hangs on requests sets a short
        /// `timeout` and a long start, so that a busy machine's slow start is not taken for a hang.
        var startTimeout: Duration?

        /// Options; a 5-second timeout and the coordinator's default limits.
        public init(
            timeout: Duration = .seconds(5), filing: Data? = nil, parameters: Data? = nil, environment: [String: String] = [:],
            limits: ResourceLimits = WorkerPoolConfiguration.defaultLimits, maxLineBytes: Int = ModuleProtocol.defaultMaxLineBytes,
            answerLimits: AnswerLimits = .standard
        ) {
            self.timeout = timeout
            self.filing = filing
            self.parameters = parameters
            self.environment = environment
            self.limits = limits
            self.maxLineBytes = maxLineBytes
            self.answerLimits = answerLimits
        }

        /// Options taken from a module's configuration: its environment, limits, line and answer limits.
        public init(configuration: WorkerPoolConfiguration, timeout: Duration = .seconds(5), filing: Data? = nil, parameters: Data? = nil) {
            self.init(
                timeout: timeout, filing: filing, parameters: parameters, environment: configuration.environment,
                limits: configuration.limits, maxLineBytes: configuration.maxLineBytes, answerLimits: configuration.answerLimits)
        }
    }

    /// Runs every check against `executable arguments`; `progress` sees each result as it comes.
    public static func run(
        executable: String, arguments: [String] = [], options: Options = Options(),
        progress: @Sendable (ConformanceCheck) -> Void = { _ in }
    ) async -> [ConformanceCheck] {
        var results: [ConformanceCheck] = []
        func record(_ name: String, _ passed: Bool, _ detail: String) {
            let check = ConformanceCheck(name: name, passed: passed, detail: detail)
            results.append(check)
            progress(check)
        }
        let settings = ChannelSettings(
            maxLineBytes: options.maxLineBytes, stderrLineBytes: 2000, stderrTailLines: 5, reapGrace: .milliseconds(500))
        func start(offerProtocol: Bool = true) throws(SpawnError) -> WorkerChannel {
            let process = try ProcessLauncher.launch(Worker.launchOptions(
                executable: executable, arguments: arguments, environment: options.environment, limits: options.limits,
                offerProtocol: offerProtocol))
            return try WorkerChannel(process: process, settings: settings, onStderrLine: { _ in }, onEnd: { _, _ in })
        }
        let startTimeout = options.startTimeout ?? options.timeout
        func tail(_ channel: WorkerChannel) -> String {
            channel.stderrTail.last.map { "; last stderr line: \($0.prefix(300))" } ?? ""
        }

        // 1. Started by hand.
        do {
            let channel = try start(offerProtocol: false)
            switch await channel.exchange(nil, timeout: startTimeout) {
            case .ended(.exited(let status)) where status != 0:
                if let said = channel.stderrTail.first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                    record("started by hand", true, "exits with status \(status) and says why on stderr: \(said.prefix(160))")
                } else {
                    record("started by hand", false,
                           "exits with status \(status) without a word on stderr: say why (the coordinator starts this program; try `cluster-review plugins check`)")
                }
            case .ended(let status):
                record("started by hand", false, "without \(ModuleProtocol.environmentVariable) it must exit non-zero; it \(status)")
            case .line:
                record("started by hand", false, "without \(ModuleProtocol.environmentVariable) it wrote on stdout instead of exiting")
            case .timedOut, .lineTooLong:
                record("started by hand", false, "without \(ModuleProtocol.environmentVariable) it did not exit within \(startTimeout)")
            }
            await stop(channel)
        } catch {
            record("started by hand", false, "cannot start \(executable): \(error)")
            return results
        }

        // 2. The session: handshake and requests.
        let channel: WorkerChannel
        do {
            channel = try start()
        } catch {
            record("handshake", false, "cannot start \(executable): \(error)")
            return results
        }
        let validator: AnswerValidator
        switch await channel.exchange(nil, timeout: startTimeout) {
        case .line(let line):
            let ready: ReadyMessage
            do {
                let message = try JSONDecoder().decode(ModuleMessage.self, from: line)
                guard case .ready(let decoded) = message else {
                    record("handshake", false, "the first line is a \(message.type.rawValue) message, not ready")
                    await stop(channel)
                    return results
                }
                ready = decoded
            } catch {
                record("handshake", false, "the first line is not a ready message: \(WorkerPool.describe(error))")
                await stop(channel)
                return results
            }
            guard ModuleProtocol.supportedVersions.contains(ready.protocolVersion) else {
                record("handshake", false, "declares protocol \(ready.protocolVersion); the coordinator speaks \(ModuleProtocol.supportedVersions)")
                await stop(channel)
                return results
            }
            do {
                try ready.descriptor.validate()
            } catch {
                record("handshake", false, "the declaration is invalid: \(error)")
                await stop(channel)
                return results
            }
            let parameters = ready.criteria.flatMap { $0.parameters ?? [] }.map(\.name)
            record("handshake", true,
                "\(ready.module.id) \(ready.module.version), protocol \(ready.protocolVersion), \(ready.criteria.count) criteria"
                    + (parameters.isEmpty ? "" : ", parameters \(Array(Set(parameters)).sorted())") + ", reads \(ready.reads)")
            validator = AnswerValidator(descriptor: ready.descriptor, limits: options.answerLimits)
        case .timedOut:
            record("handshake", false, "no ready line within \(startTimeout)\(tail(channel))")
            await stop(channel)
            return results
        case .lineTooLong(let limit):
            record("handshake", false, "the first line is longer than \(limit) bytes")
            await stop(channel)
            return results
        case .ended(let status):
            record("handshake", false, "the process \(status) before its ready line\(tail(channel))")
            await stop(channel)
            return results
        }

        let filing = options.filing ?? Data("{}".utf8)
        let parameters = options.parameters ?? Data("{}".utf8)
        let empty = Data("{}".utf8)
        let today = CivilDate.today()

        enum Expect { case findings, error(ErrorCode) }
        func request(_ name: String, id: String, line: Data, expect: Expect) async -> Bool {
            switch await channel.exchange(line, timeout: options.timeout) {
            case .line(let reply):
                let message: ModuleMessage
                switch parse(reply) {
                case .success(let parsed):
                    message = parsed
                case .failure(let error):
                    record(name, false, "the reply is not a protocol message (\(error)): \(String(decoding: reply.prefix(200), as: UTF8.self))")
                    return false
                }
                switch (message, expect) {
                case (.findings(let findings), .findings):
                    guard findings.id == id else { record(name, false, "the reply carries id \(findings.id), not \(id)"); return false }
                    do {
                        try validator.validate(findings.findings)
                    } catch {
                        record(name, false, "the answer is invalid: \(error)")
                        return false
                    }
                    let missing = validator.missing(from: findings.findings)
                    guard missing.isEmpty else {
                        record(name, false,
                               "the answer leaves out \(missing.joined(separator: ", ")): every declared criterion needs one finding (not_applicable where it does not apply)")
                        return false
                    }
                    record(name, true, "\(findings.findings.count) findings")
                    return true
                case (.error(let error), .error(let code)):
                    guard error.id == id else { record(name, false, "the error reply carries id \(error.id ?? "null"), not \(id)"); return false }
                    guard error.code == code.rawValue else {
                        record(name, false, "refused with code \(error.code), expected \(code.rawValue)")
                        return false
                    }
                    record(name, true, "refused: \(error.message.prefix(200))")
                    return true
                case (.error(let error), .findings):
                    record(name, false, "refused (\(error.code)): \(error.message.prefix(300)) — pass a sample filing with --filing")
                    return false
                case (.findings, .error(let code)):
                    record(name, false, "answered with findings; expected an error reply with code \(code.rawValue)")
                    return false
                case (.ready, _):
                    record(name, false, "answered with a second ready message")
                    return false
                }
            case .timedOut:
                record(name, false, "no reply within \(options.timeout)")
            case .lineTooLong(let limit):
                record(name, false, "the reply is longer than \(limit) bytes, the coordinator's line limit")
            case .ended(let status):
                record(name, false, "the process \(status)\(tail(channel))")
            }
            return false
        }

        _ = await request(
            "a normal request", id: "check-1",
            line: EvaluateMessage.line(id: "check-1", filing: filing, context: empty, parameters: parameters, asOf: today),
            expect: .findings)
        if channel.exitStatus == nil {
            let line = Data(#"{"type":"evaluate","id":"check-2","filing":{},"context":{},"parameters":{},"as_of":"2025-02-30"}"#.utf8 + [0x0A])
            _ = await request("a request with an invalid as_of", id: "check-2", line: line, expect: .error(.invalidRequest))
        }
        if channel.exitStatus == nil {
            let line = Data(#"{"type":"evaluate","id":"check-3","filing":42,"context":{},"parameters":{},"as_of":"2025-06-30"}"#.utf8 + [0x0A])
            _ = await request("a filing that is not an object", id: "check-3", line: line, expect: .error(.invalidRequest))
        }
        if channel.exitStatus == nil {
            let line = Data(#"{"type":"frobnicate","id":"check-4"}"#.utf8 + [0x0A])
            _ = await request("an unknown message type", id: "check-4", line: line, expect: .error(.unknownMessage))
        }
        if channel.exitStatus == nil {
            _ = await request(
                "keeps serving after refusals", id: "check-5",
                line: EvaluateMessage.line(id: "check-5", filing: filing, context: empty, parameters: parameters, asOf: today),
                expect: .findings)
        }

        // Stdout hygiene: nothing more may arrive unasked.
        switch await channel.exchange(nil, timeout: .milliseconds(300)) {
        case .timedOut:
            record("stdout hygiene", true, "nothing but replies on stdout")
        case .line(let line):
            record("stdout hygiene", false, "wrote a line no request asked for: \(String(decoding: line.prefix(200), as: UTF8.self))")
        case .lineTooLong:
            record("stdout hygiene", false, "wrote an over-long line no request asked for")
        case .ended(let status):
            record("stdout hygiene", false, "the process \(status) while idle\(tail(channel))")
        }

        // Shutdown.
        if channel.exitStatus == nil {
            switch await channel.exchange(ShutdownMessage.line, timeout: options.timeout) {
            case .ended(.exited(0)):
                record("shutdown", true, "exits with status 0")
            case .ended(let status):
                record("shutdown", false, "after shutdown the process \(status); expected status 0")
            case .line:
                record("shutdown", false, "answered shutdown with a line instead of exiting")
            case .timedOut, .lineTooLong:
                record("shutdown", false, "did not exit within \(options.timeout) of shutdown")
            }
        }
        await stop(channel)
        if channel.descendantsHeldOutput {
            record("leaves no process behind", false,
                   "a process the module started kept its stdout open after the module exited (it was killed with the module's process group): end what you start")
        } else {
            record("leaves no process behind", true, "nothing held the module's output after it exited")
        }

        // EOF.
        do {
            let eof = try start()
            if case .line = await eof.exchange(nil, timeout: startTimeout) {
                eof.closeInput()
                switch await eof.exchange(nil, timeout: options.timeout) {
                case .ended(.exited(0)): record("EOF on stdin", true, "exits with status 0")
                case .ended(let status): record("EOF on stdin", false, "after EOF the process \(status); expected status 0")
                default: record("EOF on stdin", false, "did not exit within \(options.timeout) of EOF on stdin")
                }
            } else {
                record("EOF on stdin", false, "no ready line")
            }
            await stop(eof)
        } catch {
            record("EOF on stdin", false, "cannot start \(executable): \(error)")
        }
        return results
    }

    /// A module's line read as a protocol message.
    static func parse(_ line: Data) -> Result<ModuleMessage, MessageDecodingError> {
        do throws(MessageDecodingError) {
            return .success(try ModuleMessage(parsing: line))
        } catch {
            return .failure(error)
        }
    }

    /// Ends the module's process group and waits until it is reaped (bounded: the channel does
    /// not wait for an EOF a descendant may withhold).
    private static func stop(_ channel: WorkerChannel) async {
        channel.kill()
        _ = await channel.waitForEnd()
    }
}
