import IndicatorKit
import ClusterStandard

/// How the CLI shows a filing's validation issues, the same in `validate`, `evaluate` and `submit`.
enum IssueLines {
    /// The line heading a file's issues: `✘ FILE: 2 个错误` or `✘ FILE: 2 errors`.
    static func header(_ file: String, count: Int, language: Language) -> String {
        language == .en ? "✘ \(file): \(count) error\(count == 1 ? "" : "s")" : "✘ \(file)：\(count) 个错误"
    }

    /// The lines for `issue`: its path, rule, what is wrong and the fix; for a syntax error also the
    /// offending line of the file with a caret under the column, as a text editor would point.
    static func lines(_ issue: ValidationIssue, language: Language, indent: String = "  ") -> [String] {
        var lines = ["\(indent)\(issue.path) [\(issue.rule)] \(issue.message.text(in: language)) — \(issue.fix.text(in: language))"]
        if let position = issue.position {
            let text = position.text.replacingOccurrences(of: "\t", with: " ")
            let before = String(text.prefix(max(0, position.column - 1)))
            let gutter = "\(position.line) | "
            lines.append(indent + "  " + gutter + text)
            lines.append(indent + "  " + String(repeating: " ", count: gutter.count + TextTable.displayWidth(before)) + "^")
        }
        return lines
    }
}
