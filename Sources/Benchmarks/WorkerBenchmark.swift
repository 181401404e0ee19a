#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit
import ReviewCore
import ChildProcesses
import ModuleHost
import JSONCore

/// `cluster-review-bench workers`: round trips per second with a 6 KB request and about 2 KB of
/// findings through `WorkerPool`, beside a raw pipe echo (the floor) and a process spawned per
/// evaluation (the naive design), all in the same run.
enum WorkerBenchmark {
    static func run(arguments: [String]) async -> Int32 {
        guard let parsed = BenchArguments(arguments, values: ["--seconds"]), let seconds = parsed.int("--seconds", default: 3, minimum: 1) else {
            FileHandle.standardError.write(Data("usage: cluster-review-bench workers [--seconds S]\n".utf8))
            return 64
        }
        return await measure(seconds: Double(seconds))
    }

    static func measure(seconds: Double) async -> Int32 {
        let directory = URL(fileURLWithPath: ModuleRegistry.defaultBinDirectory)
        let fixture = directory.appendingPathComponent("fixture-module").path
        guard access(fixture, X_OK) == 0 else {
            FileHandle.standardError.write(Data("fixture-module not found beside this binary (\(fixture)); build it: swift build -c release --product fixture-module\n".utf8))
            return 66
        }
        let filing = makeFiling()
        let input = EvaluationInput(filing: filing, asOf: CivilDate("2025-06-30")!)
        let requestBytes = EvaluateMessage.line(id: "1", filing: filing, context: input.context, parameters: input.parameters, asOf: input.asOf).count
        print("cluster-review-bench workers — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(seconds) s per measurement")
        print("request \(requestBytes) bytes; reply: 8 findings, about 3.2 KB (raw echo: a fixed 2 KB line)")
        print("")

        let echo = rawEcho(fixture: fixture, request: filing, seconds: seconds)
        report("raw pipe echo, 1 child (floor)", echo)

        print("module: fixture-module canned (pre-encoded findings: the transport and the pool alone)")
        let single = await pools(fixture: fixture, mode: "canned", pools: 1, workers: 1, callers: 1, input: input, seconds: seconds)
        report("  WorkerPool, 1 pool × 1 worker, 1 caller", single)
        let two = await pools(fixture: fixture, mode: "canned", pools: 1, workers: 2, callers: 4, input: input, seconds: seconds)
        report("  WorkerPool, 1 pool × 2 workers, 4 callers", two)
        let eight = await pools(fixture: fixture, mode: "canned", pools: 8, workers: 1, callers: 2, input: input, seconds: seconds)
        report("  WorkerPool, 8 pools × 1 worker, 2 callers each", eight)
        let spawn = await spawnPerEvaluation(fixture: fixture, mode: "canned", input: input, seconds: seconds)
        report("  spawn a process per evaluation (naive)", spawn)

        print("module: fixture-module ok (Swift SDK, filing decoded as JSONValue, findings encoded)")
        let sdkSingle = await pools(fixture: fixture, mode: "ok", pools: 1, workers: 1, callers: 1, input: input, seconds: seconds)
        report("  WorkerPool, 1 pool × 1 worker, 1 caller", sdkSingle)
        let sdkEight = await pools(fixture: fixture, mode: "ok", pools: 8, workers: 1, callers: 2, input: input, seconds: seconds)
        report("  WorkerPool, 8 pools × 1 worker, 2 callers each", sdkEight)
        let sdkSpawn = await spawnPerEvaluation(fixture: fixture, mode: "ok", input: input, seconds: seconds)
        report("  spawn a process per evaluation (naive)", sdkSpawn)

        print("")
        print(String(format: "canned: 1 pool vs spawn-per-evaluation: %.1f× (aim ≥ 20×)", single / spawn))
        print(String(format: "canned: raw echo vs 1 pool: %.2f× (aim ≤ 3×)", echo / single))
        print(String(format: "canned: 8 pools vs spawn-per-evaluation: %.1f×", eight / spawn))
        print(String(format: "SDK:    1 pool vs spawn-per-evaluation: %.1f×", sdkSingle / sdkSpawn))
        return 0
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func report(_ name: String, _ rate: Double) {
        print(name.padding(toLength: 52, withPad: " ", startingAt: 0) + String(format: "%10.0f /s", rate))
    }

    /// A 6 KB filing of about forty members, as the coordinator holds it (compact JSON).
    static func makeFiling() -> Data {
        var members: [String: JSONValue] = [
            "name": "文昌椰子特色产业集群", "county": "469005", "kind": "initial", "leading_industry": "椰子食品加工",
        ]
        for index in 0..<30 {
            members["indicator_\(index)"] = ["2022": .number(Decimal(1000 + index)), "2023": .number(Decimal(1100 + index)),
                "2024": .string("12\(index).5"), "unit": "万元", "source": "统计年报"]
        }
        members["enterprises"] = .array((0..<12).map { index in
            ["name": .string("海南椰业有限公司\(index)"), "credit_code": .string("91460000MA5T\(index)XXXX"), "employees": .number(Decimal(50 + index))]
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var data = (try? encoder.encode(JSONValue.object(members))) ?? Data("{}".utf8)
        // Pad to 6 KB exactly with a note member.
        if data.count < 6144 {
            members["note"] = .string(String(repeating: "x", count: 6144 - data.count - 10))
            data = (try? encoder.encode(JSONValue.object(members))) ?? data
        }
        return data
    }

    /// The floor: a child that answers every line with a fixed 2 KB line, driven with raw fds.
    static func rawEcho(fixture: String, request: Data, seconds: Double) -> Double {
        guard let process = try? ProcessLauncher.launch(LaunchOptions(
            executable: fixture, arguments: ["raw-echo"], stdin: .pipe, stdout: .pipe, grouping: .ownGroup)),
            let writeFD = process.stdin, let readFD = process.stdout
        else { return 0 }
        // Blocking writes: the loop writes a whole line, then reads the reply.
        _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) & ~O_NONBLOCK)
        defer {
            close(writeFD)
            close(readFD)
            process.endGroupAndReap(within: .seconds(1))
        }
        var line = request
        line.append(0x0A)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { buffer.deallocate() }
        let deadline = Date().addingTimeInterval(seconds)
        var count = 0
        let start = Date()
        while Date() < deadline {
            for _ in 0..<100 {
                line.withUnsafeBytes { raw in
                    var offset = 0
                    while offset < raw.count {
                        let written = write(writeFD, raw.baseAddress! + offset, raw.count - offset)
                        if written <= 0 { return }
                        offset += written
                    }
                }
                var done = false
                while !done {
                    let n = read(readFD, buffer, 1 << 16)
                    if n <= 0 { return Double(count) / Date().timeIntervalSince(start) }
                    done = memchr(buffer, 0x0A, n) != nil
                }
                count += 1
            }
        }
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// Requests per second through `pools` pools of `workers` workers, `callers` concurrent callers per pool.
    static func pools(fixture: String, mode: String, pools count: Int, workers: Int, callers: Int, input: EvaluationInput, seconds: Double) async -> Double {
        let pools = (0..<count).map { _ in
            WorkerPool(
                configuration: WorkerPoolConfiguration(moduleId: "fixture", executable: fixture, arguments: [mode], workers: workers, recycleAfter: nil),
                logger: .discarding)
        }
        for pool in pools { _ = try? await pool.start() }
        // Warm up.
        for pool in pools { _ = await pool.evaluate(input) }
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        let total = await withTaskGroup(of: Int.self) { group in
            for pool in pools {
                for _ in 0..<callers {
                    group.addTask {
                        var done = 0
                        while ContinuousClock.now < end {
                            if case .findings = await pool.evaluate(input) { done += 1 }
                        }
                        return done
                    }
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = ContinuousClock.now - start
        for pool in pools { await pool.shutdown() }
        return Double(total) / Self.seconds(elapsed)
    }

    /// The naive design: a fresh process (spawn, handshake, one request, shutdown, reap) per evaluation.
    static func spawnPerEvaluation(fixture: String, mode: String, input: EvaluationInput, seconds: Double) async -> Double {
        let start = ContinuousClock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        var done = 0
        while ContinuousClock.now < end {
            let pool = WorkerPool(
                configuration: WorkerPoolConfiguration(moduleId: "fixture", executable: fixture, arguments: [mode], workers: 1, shutdownGrace: .seconds(1)),
                logger: .discarding)
            if case .findings = await pool.evaluate(input) { done += 1 }
            await pool.shutdown()
        }
        let elapsed = ContinuousClock.now - start
        return Double(done) / Self.seconds(elapsed)
    }
}

