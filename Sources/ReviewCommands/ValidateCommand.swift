import Foundation
import IndicatorKit

/// Exit statuses of the commands in this file (sysexits.h, as the argument-parser convention uses).
public enum CommandExit {
    /// Everything was fine.
    public static let ok: Int32 = 0
    /// The command line was wrong (an unknown kind, no file named).
    public static let usage: Int32 = 64
    /// A filing or a rulebook file is invalid, or a rulebook does not cover the date.
    public static let dataError: Int32 = 65
    /// A named file could not be read.
    public static let noInput: Int32 = 66
}

/// `cluster-review validate FILE... [--json]`: checks each filing and prints every issue with its
/// JSON path, rule and fix, in `language` (`zh` default, `en`).
///
/// Returns 0 when every file is valid, 65 when any is invalid, 66 when any cannot be read (and
/// none is invalid), 64 when no file is named. With `json`, prints one JSON array of
/// `{file, valid, issues: [{path, rule, message: {zh, en}, fix: {zh, en}}]}`.
public func runValidate(paths: [String], language: String, json: Bool = false, output: (String) -> Void) -> Int32 {
    guard !paths.isEmpty else {
        output(language == "en" ? "usage: cluster-review validate FILE... [--json]" : "用法：cluster-review validate 文件... [--json]")
        return CommandExit.usage
    }
    var status = CommandExit.ok
    var reports: [JSONValue] = []
    for path in paths {
        guard let data = FileManager.default.contents(atPath: path) else {
            output(language == "en" ? "\(path): cannot read the file" : "\(path)：无法读取文件")
            if status == CommandExit.ok { status = CommandExit.noInput }
            reports.append(["file": .string(path), "valid": false, "error": "cannot read the file"])
            continue
        }
        let issues = FilingValidator.validate(data)
        if !issues.isEmpty { status = CommandExit.dataError }
        if json {
            reports.append(["file": .string(path), "valid": .bool(issues.isEmpty), "issues": .array(issues.map(\.json))])
            continue
        }
        if issues.isEmpty {
            output(language == "en" ? "\(path): valid" : "\(path)：有效")
        } else {
            output(language == "en" ? "\(path): \(issues.count) issue(s)" : "\(path)：发现 \(issues.count) 个问题")
            for issue in issues {
                output("  \(issue.path) [\(issue.rule)] \(issue.message.text(in: language)) — \(issue.fix.text(in: language))")
            }
        }
    }
    if json { output(JSONValue.array(reports).canonicalText(pretty: true)) }
    return status
}

extension ValidationIssue {
    /// The issue as a JSON object, for `--json` output.
    var json: JSONValue {
        ["path": .string(path), "rule": .string(rule), "message": ["zh": .string(message.zh), "en": .string(message.en)],
         "fix": ["zh": .string(fix.zh), "en": .string(fix.en)]]
    }
}
