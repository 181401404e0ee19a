import Foundation
import IndicatorKit
import Postgres
import ReviewCore

/// `submit FILE|DIR...`: validates each filing and files it with its review queued, one transaction each.
enum SubmitCommand {
    static let command = Command(
        words: ["submit"],
        summary: "Validate and file filings, queueing their review · 校验并提交申报材料",
        synopsis: "FILE|DIR...",
        details: """
            Each file is validated exactly as `validate` does; a valid filing is stored and its review
            queued in one transaction. Submitting the same content again files nothing and names the
            filing already on file. A bad file is reported with its errors and does not stop the others.
            A folder contributes every *.json file in it (not recursively). Prints each filing's id.
            A county's login files only for its own county: a filing for another county is refused by
            the database and reported as such (nothing is written).
            Exit code 0 when every file was filed (or already on file), 1 when any was invalid or
            refused, 77 when every file was refused for permission.
            """,
        examples: [
            "cluster-review submit config/samples/469005-wenchang-commercial-aerospace.json",
            "cluster-review submit config/samples --json",
        ],
        options: [.flag("--json", "One JSON object per file on stdout · 每个文件输出一行 JSON")],
        positionals: 1...Int.max,
        run: run)

    struct Outcome: Encodable {
        var file: String
        var filing: Int64?
        var status: String
        var issues: [ValidationIssue]?
    }

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let files = try expand(invocation.positionals)
        let connection = try invocation.connect()
        defer { connection.close() }
        let started = ContinuousClock.now
        var filed = 0, duplicates = 0, invalid = 0, refused = 0
        let language = invocation.language
        for (index, file) in files.enumerated() {
            let outcome: Outcome
            do {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                switch FilingValidator.decode(data) {
                case .failure(let failure):
                    invalid += 1
                    outcome = Outcome(file: file, filing: nil, status: "invalid", issues: failure.issues)
                    if !invocation.flag("--json") {
                        console.error("✘ \(file): \(failure.issues.count) 个错误 error(s)")
                        for issue in failure.issues {
                            console.error("    \(issue.path) [\(issue.rule)] \(issue.message.text(in: language)) — \(issue.fix.text(in: language))")
                        }
                    }
                case .success(let filing):
                    guard let submission = FilingSubmission(filing: filing, payload: data) else {
                        throw CommandFailure(zh: "\(file)：缺少种类、县、日期或名称", en: "\(file): kind, county, date or name missing")
                    }
                    let result: SubmittedFiling
                    do {
                        result = try FilingStore.submit(submission, on: connection)
                    } catch let error as PostgresError where error.sqlState == "42501" {
                        // Row-level security: this login's county is not the filing's county.
                        refused += 1
                        let message = PermissionMessage.otherCounty(file: file, county: submission.countyCode)
                        if invocation.flag("--json") {
                            console.print(String(decoding: try JSONEncoder.sorted.encode(
                                Outcome(file: file, filing: nil, status: "permission_denied", issues: nil)), as: UTF8.self))
                        } else {
                            console.error("✘ " + message.zh)
                            console.error("  " + message.en)
                        }
                        continue
                    } catch let error as PostgresError where error.sqlState?.hasPrefix("23") == true || error.sqlState?.hasPrefix("22") == true {
                        // A constraint at the database's door (size, nesting, control characters, a
                        // superseded filing not found): nothing was written.
                        invalid += 1
                        if invocation.flag("--json") {
                            console.print(String(decoding: try JSONEncoder.sorted.encode(
                                Outcome(file: file, filing: nil, status: "refused", issues: nil)), as: UTF8.self))
                        } else {
                            console.error("✘ \(file): 数据库拒绝 refused by the database, nothing filed: \(UsersCommands.serverMessage(error))")
                        }
                        continue
                    }
                    if result.created { filed += 1 } else { duplicates += 1 }
                    outcome = Outcome(file: file, filing: result.id, status: result.created ? "filed" : "already_on_file", issues: nil)
                    if !invocation.flag("--json") {
                        console.print(result.created
                            ? "✔ \(file): 已提交 filed as \(result.id)"
                            : "= \(file): 已存在 already on file as \(result.id) (same content)")
                    }
                }
            } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileReadUnknown {
                invalid += 1
                outcome = Outcome(file: file, filing: nil, status: "unreadable", issues: nil)
                if !invocation.flag("--json") { console.error("✘ \(file): 无法读取 cannot read the file") }
            }
            if invocation.flag("--json") {
                console.print(String(decoding: try JSONEncoder.sorted.encode(outcome), as: UTF8.self))
            }
            if files.count > 1 {
                let seconds = max(0.001, Double((ContinuousClock.now - started).components.attoseconds) / 1e18
                    + Double((ContinuousClock.now - started).components.seconds))
                console.progress(
                    "进度 progress \(index + 1)/\(files.count) · filed \(filed), already on file \(duplicates), invalid \(invalid) · "
                        + String(format: "%.0f/s", Double(index + 1) / seconds),
                    final: index + 1 == files.count)
            }
        }
        if !invocation.flag("--json") {
            console.print("合计 summary: \(filed) filed, \(duplicates) already on file, \(invalid) invalid, "
                + (refused > 0 ? "\(refused) refused (permission), " : "") + "of \(files.count)")
        }
        if refused > 0 && filed + duplicates + invalid == 0 { return ExitCode.permissionDenied }
        return invalid + refused > 0 ? ExitCode.failure : ExitCode.success
    }

    /// Files as given; folders replaced by their *.json files, sorted.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure(zh: "找不到文件：\(path)", en: "no such file or folder: \(path)", exitCode: ExitCode.dataError)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".json") }.sorted()
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        return files
    }
}
