// cluster-review-bench: measurements of the project's hot paths, one subcommand each.
// Add a subcommand by adding a case below and a file beside this one; measurement helpers shared by
// several benchmarks live in ProcessCPU.swift (CPU and memory from /proc), BenchChild.swift (child
// processes reaped by the bench), BenchDatabase.swift (the private PostgreSQL and the filings),
// ServeProcess.swift (a `cluster-review serve` child) and RunFigures.swift (medians and spreads).
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
/// A subcommand's usage, every line indented under the overview's.
func indented(_ text: String) -> String { text.split(separator: "\n").joined(separator: "\n  ") }
let usage = """
    usage: cluster-review-bench SUBCOMMAND [OPTIONS]
      \(indented(PipelineBenchmark.usage))
      \(indented(SubmitBenchmark.usage))
      \(indented(EvaluateBenchmark.usage))
      \(indented(WebBenchmark.usage))
      workers [--seconds S]
        worker pool round trips vs. raw pipe echo and spawn-per-evaluation
      sweep [--clusters N] [--keep]
        lifecycle sweep over a generated register (default 100,000 clusters)
      \(indented(StatsBenchmark.usage))
      \(indented(SimulateBenchmark.usage))
    """

// `SUBCOMMAND --help` answers for every subcommand, before any of them starts a server.
if arguments.dropFirst().contains(where: { $0 == "--help" || $0 == "-h" }) {
    print(usage)
    exit(0)
}

switch arguments.first {
case "pipeline":
    exit(PipelineBenchmark.run(arguments: Array(arguments.dropFirst())))
case "submit":
    exit(SubmitBenchmark.run(arguments: Array(arguments.dropFirst())))
case "evaluate":
    exit(await EvaluateBenchmark.run(arguments: Array(arguments.dropFirst())))
case "workers":
    exit(await WorkerBenchmark.run(arguments: Array(arguments.dropFirst())))
case "web":
    exit(WebBenchmark.run(arguments: Array(arguments.dropFirst())))
case "sweep":
    exit(SweepBenchmark.run(arguments: Array(arguments.dropFirst())))
case "stats":
    exit(StatsBenchmark.run(arguments: Array(arguments.dropFirst())))
case "simulate":
    exit(SimulateBenchmark.run(arguments: Array(arguments.dropFirst())))
case "-h", "--help", "help":
    print(usage)
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(64)
}
