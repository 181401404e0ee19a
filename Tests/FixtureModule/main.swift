// fixture-module: one executable whose behaviour is chosen by its first argument, for the
// worker pool's tests and benchmark. Every mode but `raw-echo` speaks protocol 1.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import IndicatorKit

let arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.first ?? "ok"

switch mode {
case "ok", "stray-stdout", "slow", "error-reply", "inspect":
    ModuleRunner.run(FixtureModule(mode: mode))
case "gated":
    // Answers like `ok`, but only once the gate file (the second argument) exists: a test keeps
    // requests in flight for as long as it needs, however busy the machine.
    let gate = arguments.count > 1 ? arguments[1] : "/tmp/fixture-gate"
    ModuleRunner.run(FixtureModule(mode: "gated", marker: gate, parent: getppid()))
case "crash-once":
    // Crashes on its first request ever (a marker file remembers), then behaves.
    let marker = arguments.count > 1 ? arguments[1] : "/tmp/fixture-crash-once"
    ModuleRunner.run(FixtureModule(mode: "crash-once", marker: marker))
case "canned":
    // Protocol-correct but free of JSON work: echoes the request id into a pre-encoded reply of
    // eight findings (about 2.7 KB). Measures the transport and the pool, not the module.
    let reply = RawLoop.cannedFindings()
    RawLoop.serve(ready: true) { line in
        if RawLoop.isShutdownFast(line) { exit(0) }
        return RawLoop.cannedReply(id: RawLoop.scanId(line) ?? "?", findings: reply)
    }
case "raw-echo":
    RawLoop.serve(ready: false) { _ in RawLoop.echoReply }
default:
    RawLoop.run(mode: mode)
}
