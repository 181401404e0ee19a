// cluster-review-bench: measurements of the project's hot paths, one subcommand each.
// Add a subcommand by adding a case below and a file beside this one.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
let usage = """
    usage: cluster-review-bench SUBCOMMAND [OPTIONS]
      workers [--seconds S]   worker pool round trips vs. raw pipe echo and spawn-per-evaluation
      \(PipelineBenchmark.usage)
      sweep [--clusters N]    lifecycle sweep over a generated register (default 100,000 clusters)
    """

switch arguments.first {
case "workers":
    exit(await WorkerBenchmark.run(arguments: Array(arguments.dropFirst())))
case "pipeline":
    exit(await PipelineBenchmark.run(arguments: Array(arguments.dropFirst())))
case "sweep":
    exit(SweepBenchmark.run(arguments: Array(arguments.dropFirst())))
case "-h", "--help", "help":
    print(usage)
default:
    FileHandle.standardError.write(Data((usage + "\n").utf8))
    exit(64)
}
