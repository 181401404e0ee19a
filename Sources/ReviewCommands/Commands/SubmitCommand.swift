import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import JSONCore

/// `submit FILE|DIR...`: sends each file through the submission door and waits for its verdict.
enum SubmitCommand {
    static let command = Command(
        words: ["submit"],
        summary: "Submit filings through the door and wait for their verdicts · 提交申报并等待检查结果",
        synopsis: "FILE|DIR...",
        details: """
            Sends every file, byte for byte, through the submission door — the `submissions` table that
            psql and every other client use too — in lots of 100, each lot one transaction committed as it
            is sent (a coordinator checks one lot while the next is sent), then waits for a coordinator
            (`serve`) to check them. Each is validated exactly as `validate` does; a valid filing is filed
            with its review queued and its id printed; the same content again files nothing and names the
            filing already on file; an invalid one is refused with every error and its JSON path. A file
            that cannot be read is reported and not sent. A folder contributes every *.json file in it (not
            recursively). A county's login files only for its own county: a filing for another county is
            refused and reported as such. Waits at most --wait seconds (default 60) for the verdicts; a
            submission not checked by then is reported as received ("it will be checked when a coordinator
            runs"), and `--no-wait` prints the submission ids at once. The verdicts stay readable:
            SELECT state, filing_id, issues FROM submissions WHERE id = N.
            If the connection to the database is lost part way, every file is still reported: those in the
            lots committed before as received (with their submission ids, checked when a coordinator runs),
            those of a lot whose commit went unanswered as unconfirmed, the rest as not sent; submitting a
            file again is safe (the same content is never filed twice), and the exit code is 69.
            Exit code 0 when every file was filed (or already on file), 1 when any was invalid, unreadable or
            refused, 75 when some were received but not yet checked, 77 when every file was refused for
            permission, 69 when the database could not be reached or was lost.
            """,
        examples: [
            "cluster-review submit config/samples/469005-wenchang-commercial-aerospace.json",
            "cluster-review submit config/samples --json",
            "cluster-review submit config/samples --no-wait",
        ],
        options: [
            .flag("--json", "One JSON array on stdout, an object per file · 输出 JSON"),
            .value("--wait", "SECONDS", "Wait at most this long for the verdicts (default 60) · 等待检查结果的秒数"),
            .flag("--no-wait", "Print the submission ids and exit without waiting · 不等待检查结果"),
        ],
        positionals: 1...Int.max,
        exits: [
            .problems("a file was invalid, unreadable or refused (the others were filed)"), .notYet("a submission was received but not checked in time: no coordinator answered"),
            .noInput,
        ] + ExitUse.database,
        run: run)

    /// What happened to one file; printed as a line, or as JSON with `--json`.
    struct Outcome: Encodable {
        enum Status: String, Encodable {
            case filed
            case alreadyOnFile = "already_on_file"
            case invalid, unreadable, refused
            case permissionDenied = "permission_denied"
            /// Received, not yet checked when the wait ended.
            case received
            /// Sent in a transaction whose commit the database never confirmed: the connection was
            /// lost; it may or may not have been received.
            case unconfirmed
            /// Not sent: the connection was lost before its turn.
            case notSent = "not_sent"
        }

        var file: String
        var submission: Int64?
        var filing: Int64?
        var status: Status
        var issues: [ValidationIssue]?
        /// Why it was not filed, for a person (unreadable, refused at the door, not yet checked).
        var reason: LocalizedText?

        enum CodingKeys: String, CodingKey { case file, submission, filing, status, issues, reason }
    }

    static func run(_ invocation: Invocation) async throws -> Int32 {
        let console = invocation.console
        let files = try expand(invocation.positionals)
        var wait = Duration.seconds(60)
        if let text = invocation.value("--wait") {
            guard let seconds = Double(text), seconds >= 0, seconds <= 86_400 else {
                throw UsageError(message: "--wait takes seconds (0 to 86400)", zh: "--wait 应为秒数（0 至 86400）")
            }
            wait = .milliseconds(Int(seconds * 1000))
        }
        var outcomes: [Outcome?] = Array(repeating: nil, count: files.count)
        var documents: [SubmissionDoor.Document] = []
        var sent: [Int] = []  // index in `files` of each document sent
        var sentDocuments: [Int: SubmissionDoor.Document] = [:]  // by index in `files`
        for (index, file) in files.enumerated() {
            do {
                let document = SubmissionDoor.Document(try InputFile.read(file), reference: (file as NSString).lastPathComponent)
                sentDocuments[index] = document
                documents.append(document)
                sent.append(index)
            } catch {
                outcomes[index] = Outcome(file: file, status: .unreadable, reason: error.message)
            }
        }
        let connection = try invocation.connect()
        defer { connection.close() }
        var lost: PostgresError?  // the connection's end, when it was lost part way
        let receipts: [SubmissionDoor.Receipt]
        do {
            receipts = try SubmissionDoor.send(documents, on: connection)
        } catch let interrupted as SubmissionDoor.Interrupted {
            receipts = interrupted.receipts
            lost = interrupted.cause
            for position in receipts.count..<sent.count {
                let index = sent[position]
                outcomes[index] = interrupted.unconfirmed.contains(position)
                    ? Outcome(file: files[index], status: .unconfirmed, reason: unconfirmed)
                    : Outcome(file: files[index], status: .notSent, reason: notSent)
            }
        }
        var waiting: [Int64: Int] = [:]  // submission id → index in `files`
        for (receipt, index) in zip(receipts, sent) {
            switch receipt {
            case .received(let id):
                waiting[id] = index
                outcomes[index] = Outcome(file: files[index], submission: id, status: .received, reason: notChecked(id))
            case .refused(let error):
                outcomes[index] = Outcome(file: files[index], status: .refused, reason: refusal(error))
            }
        }
        if !invocation.flag("--no-wait") && !waiting.isEmpty && lost == nil {
            let total = waiting.count
            var checked = 0, filed = 0
            do {
                _ = try SubmissionDoor.wait(for: Array(waiting.keys), timeout: wait, on: connection) { lot in
                    for (id, verdict) in lot {
                        guard let index = waiting[id] else { continue }
                        let outcome = outcome(files[index], submission: id, verdict: verdict, document: sentDocuments[index]!)
                        outcomes[index] = outcome
                        checked += 1
                        if outcome.status == .filed || outcome.status == .alreadyOnFile { filed += 1 }
                    }
                    if total > 1 {
                        console.progress("进度 progress \(checked)/\(total) checked · \(filed) filed or already on file, \(checked - filed) refused",
                                         final: checked == total)
                    }
                }
            } catch let error as PostgresError where error.isConnectionLoss {
                lost = error  // every file was received; those not yet checked say so
            }
        }
        let results = outcomes.compactMap { $0 }
        if invocation.flag("--json") {
            try console.printJSON(results)
        } else {
            for outcome in results { report(outcome, invocation: invocation) }
        }
        var counts: [Outcome.Status: Int] = [:]
        for outcome in results { counts[outcome.status, default: 0] += 1 }
        let filed = counts[.filed] ?? 0, duplicates = counts[.alreadyOnFile] ?? 0
        let denied = counts[.permissionDenied] ?? 0, received = counts[.received] ?? 0
        let unsure = counts[.unconfirmed] ?? 0, unsent = counts[.notSent] ?? 0
        let bad = files.count - filed - duplicates - denied - received - unsure - unsent
        if !invocation.flag("--json") {
            if invocation.language == .en {
                console.print("summary: \(filed) filed, \(duplicates) already on file, \(bad) invalid or refused, "
                    + (denied > 0 ? "\(denied) refused (permission), " : "")
                    + (received > 0 ? "\(received) received, not yet checked, " : "")
                    + (unsure > 0 ? "\(unsure) unconfirmed, " : "") + (unsent > 0 ? "\(unsent) not sent, " : "") + "of \(files.count)")
            } else {
                console.print("合计：共 \(files.count) 份，已提交 \(filed) 份，已存在 \(duplicates) 份，无效或被拒 \(bad) 份"
                    + (denied > 0 ? "，因权限被拒 \(denied) 份" : "")
                    + (received > 0 ? "，已接收尚未检查 \(received) 份" : "")
                    + (unsure > 0 ? "，未获确认 \(unsure) 份" : "") + (unsent > 0 ? "，未发送 \(unsent) 份" : ""))
            }
        }
        if let lost {
            console.error(ClusterReviewCLI.unavailableText(lost, invocation.language))
            return ExitCode.unavailable
        }
        if denied > 0 && filed + duplicates + bad + received == 0 { return ExitCode.permissionDenied }
        if bad + denied > 0 { return ExitCode.failure }
        if received > 0 && !invocation.flag("--no-wait") { return ExitCode.notYet }
        return ExitCode.success
    }

    /// The outcome of a checked submission.
    static func outcome(_ file: String, submission: Int64, verdict: SubmissionVerdict, document: SubmissionDoor.Document) -> Outcome {
        switch verdict {
        case .filed(let filing): return Outcome(file: file, submission: submission, filing: filing, status: .filed)
        case .alreadyOnFile(let filing): return Outcome(file: file, submission: submission, filing: filing, status: .alreadyOnFile)
        case .pending: return Outcome(file: file, submission: submission, status: .received, reason: notChecked(submission))
        case .refused(let issues):
            // Another county's filing is a matter of permission, as it always was.
            if !issues.isEmpty && issues.allSatisfy({ $0.rule == "county_not_yours" }) {
                let county = (try? JSONValue(parsing: JSONParser.withoutByteOrderMark(document.bytes)))?["applicant"]?["county_code"]?.string ?? "?"
                return Outcome(file: file, submission: submission, status: .permissionDenied, issues: issues,
                               reason: PermissionMessage.otherCounty(file: file, county: county))
            }
            return Outcome(file: file, submission: submission, status: .invalid, issues: issues)
        }
    }

    static let unconfirmed = LocalizedText(
        zh: "已发送，但连接中断，数据库未确认是否收到；可再次提交（相同内容不会重复申报）",
        en: "sent, but the connection was lost before the database confirmed it: it may or may not have been received; submit it again (the same content is never filed twice)")

    /// Not received: never sent, or sent in a transaction the lost connection rolled back.
    static let notSent = LocalizedText(
        zh: "未被接收：与数据库的连接在提交前中断；请再次提交",
        en: "not received: the connection to the database was lost before it was committed; submit it again")

    static func notChecked(_ id: Int64) -> LocalizedText {
        LocalizedText(zh: "已收到，提交编号 #\(id)；协调服务运行后即予检查（cluster-review serve）",
                      en: "received as submission #\(id); it will be checked when a coordinator runs (cluster-review serve)")
    }

    /// Why the door refused a document (a limit, the size bound): nothing of it was written.
    static func refusal(_ error: PostgresError) -> LocalizedText {
        if let lifecycle = LifecycleError(error) {
            let hint = lifecycle.hint.map { " (\($0))" } ?? ""
            return LocalizedText(zh: "数据库拒绝，未提交：\(lifecycle.message.zh)", en: "refused by the database, nothing submitted: \(lifecycle.message.en)\(hint)")
        }
        let detail = UsersCommands.serverMessage(error)
        return LocalizedText(zh: "数据库拒绝，未提交：\(detail)", en: "refused by the database, nothing submitted: \(detail)")
    }

    static func report(_ outcome: Outcome, invocation: Invocation) {
        let console = invocation.console
        let language = invocation.language
        let en = language == .en
        let file = outcome.file
        let reason = outcome.reason?.text(in: language) ?? ""
        switch outcome.status {
        case .filed: console.print(en ? "✔ \(file): filed as \(outcome.filing ?? 0)" : "✔ \(file)：已提交，申报编号 \(outcome.filing ?? 0)")
        case .alreadyOnFile:
            console.print(en ? "= \(file): already on file as \(outcome.filing ?? 0) (same content)"
                : "= \(file)：已存在，申报编号 \(outcome.filing ?? 0)（内容相同）")
        case .received: console.print(en ? "… \(file): \(reason)" : "… \(file)：\(reason)")
        case .invalid where outcome.issues != nil:
            let issues = outcome.issues ?? []
            console.error(IssueLines.header(file, count: issues.count, language: language))
            for issue in issues { IssueLines.lines(issue, language: language, indent: "    ").forEach(console.error) }
        case .permissionDenied:
            console.error("✘ " + reason)
        case .invalid, .unreadable, .refused, .unconfirmed, .notSent:
            console.error(en ? "✘ \(file): \(reason)" : "✘ \(file)：\(reason)")
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
