import IndicatorKit
import ClusterStandard

extension FilingCommands {
    /// `cluster-review template KIND`: prints a complete, valid example filing of KIND
    /// (`initial`, `recertification`, `annual_report`, `change_report`), or with KIND `schema` the
    /// JSON Schema of the format (config/filing.schema.json).
    ///
    /// Returns 0, or 64 for an unknown kind (the kinds are listed).
    static func printTemplate(kind: String, language: Language, supersedes: Int64? = nil, output: (String) -> Void) -> Int32 {
        if kind == "schema" {
            output(FilingSchema.jsonSchema().canonicalText(pretty: true))
            return ExitCode.success
        }
        guard let filingKind = FilingKind(rawValue: kind) else {
            let kinds = FilingKind.allCases.map(\.rawValue).joined(separator: ", ") + ", schema"
            output(language == .en ? "unknown kind \"\(kind)\"; one of: \(kinds)" : "未知的申报类型“\(kind)”，可选：\(kinds)")
            return ExitCode.usage
        }
        output(FilingTemplate.text(filingKind, supersedes: supersedes))
        return ExitCode.success
    }
}
