import Foundation
import IndicatorKit
import ClusterStandard
import JSONCore

extension FilingCommands {
    /// `cluster-review validate FILE... [--json]`: checks each filing (`-` reads standard input) and prints every issue with its
    /// JSON path, rule and fix, in `language` (`zh` default, `en`).
    ///
    /// Returns 0 when every file is valid, 1 when any is invalid (the work was done and found
    /// problems), 66 when any file cannot be read (missing, a folder, a device, no permission, over
    /// the size limit: it could not be checked at all), 64 when no file is named. With `json`, prints
    /// one JSON array of `{file, valid, issues: [{path, rule, message: {zh, en}, fix: {zh, en}}]}`
    /// (an unreadable file: `{file, valid: false, error: {zh, en}}`).
    static func validateFiles(_ paths: [String], language: Language, json: Bool, output: (String) -> Void) -> Int32 {
        guard !paths.isEmpty else {
            output(language == .en ? "usage: cluster-review validate FILE... [--json]" : "用法：cluster-review validate 文件... [--json]")
            return ExitCode.usage
        }
        var unreadable = false, invalid = false
        var reports: [JSONValue] = []
        for path in paths {
            let data: Data
            do {
                data = try InputFile.read(path)
            } catch {
                unreadable = true
                if json {
                    reports.append(["file": .string(path), "valid": false,
                                    "error": ["zh": .string(error.message.zh), "en": .string(error.message.en)]])
                } else {
                    output(error.message.text(in: language))
                }
                continue
            }
            let issues = FilingValidator.validate(data)
            if !issues.isEmpty { invalid = true }
            if json {
                reports.append(["file": .string(path), "valid": .bool(issues.isEmpty), "issues": .array(issues.map(\.json))])
                continue
            }
            if issues.isEmpty {
                output(language == .en ? "\(path): valid" : "\(path)：有效")
            } else {
                output(language == .en ? "\(path): \(issues.count) issue(s)" : "\(path)：发现 \(issues.count) 个问题")
                for issue in issues { IssueLines.lines(issue, language: language).forEach(output) }
            }
        }
        if json { output(JSONValue.array(reports).canonicalText(pretty: true)) }
        return unreadable ? ExitCode.noInput : invalid ? ExitCode.failure : ExitCode.success
    }
}

extension ValidationIssue {
    /// The issue as a JSON object, for `--json` output.
    var json: JSONValue {
        ["path": .string(path), "rule": .string(rule), "message": ["zh": .string(message.zh), "en": .string(message.en)],
         "fix": ["zh": .string(fix.zh), "en": .string(fix.en)]]
    }
}
