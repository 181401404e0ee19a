// process-harness: runs a command as a subreaper and reports what the command left behind.
//
//     process-harness PROGRAM [ARGUMENT...]
//
// Becomes a subreaper (so every orphan of the command's descendants is reparented here, not to
// init), starts PROGRAM with this process's environment and stdout/stderr, forwards SIGTERM,
// SIGINT and SIGHUP to it, and waits for it to exit. Then, after a short settling time, it lists
// every process still its child — alive or a zombie: what the command failed to end and reap —
// as one JSON line on stdout, `{"status": N, "left": [{"pid", "state", "command"}]}`, ends and
// reaps them, and exits with the command's status.
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import ChildProcesses

let arguments = Array(CommandLine.arguments.dropFirst())
guard let program = arguments.first else {
    FileHandle.standardError.write(Data("usage: process-harness PROGRAM [ARGUMENT...]\n".utf8))
    exit(64)
}
guard OrphanReaper.becomeSubreaper() else {
    FileHandle.standardError.write(Data("process-harness: cannot become a subreaper\n".utf8))
    exit(71)
}
let child: ChildProcess
do {
    child = try ProcessLauncher.launch(LaunchOptions(
        executable: program, arguments: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
        stdin: .null, stdout: .inherit, stderr: .inherit))
} catch {
    FileHandle.standardError.write(Data("process-harness: \(error)\n".utf8))
    exit(71)
}
/// A handler that passes `number` on to `child` (made outside the main actor: it runs on a
/// dispatch queue).
func forwarding(_ number: Int32, to child: ChildProcess) -> @Sendable () -> Void {
    { child.signal(number) }
}
var sources: [any DispatchSourceSignal] = []
for number in [SIGTERM, SIGINT, SIGHUP] {
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler(handler: forwarding(number, to: child))
    source.resume()
    sources.append(source)
}
let status = child.waitForExit()
usleep(500_000)
var left: [[String: Any]] = []
for pid in OrphanReaper.children() {
    let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")))
        .map { String(decoding: $0.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces) } ?? ""
    left.append(["pid": Int(pid), "state": ProcessTable.state(of: pid).map(String.init) ?? "?", "command": command])
}
let report: [String: Any] = ["status": Int(status.shellStatus), "left": left]
if let data = try? JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]) {
    FileHandle.standardOutput.write(data + Data("\n".utf8))
}
// Clean up after the command, whatever it left.
for pid in OrphanReaper.children() {
    kill(pid, SIGKILL)
    var raw: Int32 = 0
    waitpid(pid, &raw, 0)
}
exit(status.shellStatus)
