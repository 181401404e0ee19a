import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard

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
        options: [.flag("--json", "One JSON array on stdout, an object per file · 输出 JSON")],
        positionals: 1...Int.max,
        exits: [.problems("a file was invalid, unreadable or refused (the others were filed)"), .noInput] + ExitUse.database,
        run: run)

    /// What happened to one file; printed as a line, or as JSON with `--json`.
    struct Outcome: Encodable {
        enum Status: String, Encodable {
            case filed
            case alreadyOnFile = "already_on_file"
            case invalid, unreadable, refused
            case permissionDenied = "permission_denied"
        }

        var file: String
        var filing: Int64?
        var status: Status
        var issues: [ValidationIssue]?
        /// Why it was not filed, for a person (unreadable, refused by the database).
        var reason: LocalizedText?

        enum CodingKeys: String, CodingKey { case file, filing, status, issues, reason }
    }

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let files = try expand(invocation.positionals)
        let connection = try invocation.connect()
        defer { connection.close() }
        let started = ContinuousClock.now
        var counts: [Outcome.Status: Int] = [:]
        var outcomes: [Outcome] = []
        for (index, file) in files.enumerated() {
            let outcome = try submit(file, on: connection)
            counts[outcome.status, default: 0] += 1
            if invocation.flag("--json") { outcomes.append(outcome) } else { report(outcome, invocation: invocation) }
            if files.count > 1 {
                let elapsed = ContinuousClock.now - started
                let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
                console.progress(
                    "进度 progress \(index + 1)/\(files.count) · filed \(counts[.filed] ?? 0), already on file \(counts[.alreadyOnFile] ?? 0), "
                        + "not filed \(index + 1 - (counts[.filed] ?? 0) - (counts[.alreadyOnFile] ?? 0)) · "
                        + String(format: "%.0f/s", Double(index + 1) / seconds),
                    final: index + 1 == files.count)
            }
        }
        let filed = counts[.filed] ?? 0, duplicates = counts[.alreadyOnFile] ?? 0
        let denied = counts[.permissionDenied] ?? 0
        let bad = files.count - filed - duplicates - denied
        if invocation.flag("--json") {
            try console.printJSON(outcomes)
        } else {
            console.print("合计 summary: \(filed) filed, \(duplicates) already on file, \(bad) invalid or refused, "
                + (denied > 0 ? "\(denied) refused (permission), " : "") + "of \(files.count)")
        }
        if denied > 0 && filed + duplicates + bad == 0 { return ExitCode.permissionDenied }
        return bad + denied > 0 ? ExitCode.failure : ExitCode.success
    }

    /// Validates and files one file; every failure of this file becomes its outcome, so one bad
    /// file never stops the others. Only a lost database stops the run (it throws).
    static func submit(_ file: String, on connection: PostgresConnection) throws -> Outcome {
        let data: Data
        do {
            data = try InputFile.read(file)
        } catch {
            return Outcome(file: file, status: .unreadable, reason: error.message)
        }
        let filing: Filing
        switch FilingValidator.decode(data) {
        case .failure(let failure):
            return Outcome(file: file, status: .invalid, issues: failure.issues)
        case .success(let decoded):
            filing = decoded
        }
        // Validation guarantees these members; a filing without them is invalid all the same.
        guard let submission = FilingSubmission(filing: filing, payload: data) else {
            return Outcome(file: file, status: .invalid,
                           reason: LocalizedText(zh: "缺少种类、县、日期或名称", en: "kind, county, date or name missing"))
        }
        do {
            let result = try FilingStore.submit(submission, on: connection)
            return Outcome(file: file, filing: result.id, status: result.created ? .filed : .alreadyOnFile)
        } catch let error as PostgresError where error.sqlState == "42501" {
            // Row-level security: this login's county is not the filing's county.
            return Outcome(file: file, status: .permissionDenied,
                           reason: PermissionMessage.otherCounty(file: file, county: submission.countyCode))
        } catch let error as PostgresError where error.sqlState?.hasPrefix("CR") == true {
            // A limit of the database's door (too many filings waiting for review): nothing was written.
            let refusal = LifecycleError(error).map { $0.message } ?? LocalizedText(zh: UsersCommands.serverMessage(error), en: UsersCommands.serverMessage(error))
            let hint = LifecycleError(error)?.hint.map { " (\($0))" } ?? ""
            return Outcome(file: file, status: .refused,
                           reason: LocalizedText(zh: "数据库拒绝，未提交：\(refusal.zh)", en: "refused by the database, nothing filed: \(refusal.en)\(hint)"))
        } catch let error as PostgresError where error.sqlState?.hasPrefix("23") == true || error.sqlState?.hasPrefix("22") == true {
            // A constraint at the database's door (size, nesting, control characters, a superseded
            // filing not found): the transaction rolled back, nothing was written.
            let detail = UsersCommands.serverMessage(error)
            return Outcome(file: file, status: .refused,
                           reason: LocalizedText(zh: "数据库拒绝，未提交：\(detail)", en: "refused by the database, nothing filed: \(detail)"))
        }
    }

    static func report(_ outcome: Outcome, invocation: Invocation) {
        let console = invocation.console
        let file = outcome.file
        switch outcome.status {
        case .filed: console.print("✔ \(file): 已提交 filed as \(outcome.filing ?? 0)")
        case .alreadyOnFile: console.print("= \(file): 已存在 already on file as \(outcome.filing ?? 0) (same content)")
        case .invalid where outcome.issues != nil:
            let issues = outcome.issues ?? []
            console.error("✘ \(file): \(issues.count) 个错误 error(s)")
            for issue in issues { IssueLines.lines(issue, language: invocation.language, indent: "    ").forEach(console.error) }
        case .permissionDenied:
            console.error("✘ " + (outcome.reason?.zh ?? ""))
            console.error("  " + (outcome.reason?.en ?? ""))
        case .invalid, .unreadable, .refused:
            console.error("✘ \(file): \(outcome.reason?.zh ?? "") · \(outcome.reason?.en ?? "")")
        }
    }

    /// Files as given; folders replaced by their *.json files, sorted.
    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CommandFailure(zh: "找不到文件：\(path)", en: "no such file or folder: \(path)", exitCode: ExitCode.noInput)
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
