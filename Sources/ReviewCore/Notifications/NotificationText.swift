import IndicatorKit

/// A notification's words, rendered from its kind and ids alone (sql/122 stores no text): what
/// happened and what the reader does next, in Chinese and English.
public enum NotificationText {
    /// The words of a notification of `kind` carrying `ids`. `commands`: whether the words name the
    /// `cluster-review` command that shows more (the CLI's inbox), or not (a page links instead).
    public static func text(kind: String, ids: [String: Int64], commands: Bool = true) -> LocalizedText {
        let filing = ids["filing"].map(String.init) ?? "?"
        let cluster = ids["cluster"].map(String.init) ?? "?"
        switch kind {
        case "submission_refused":
            let submission = ids["submission"].map(String.init) ?? "?"
            return LocalizedText(
                zh: "提交 \(submission) 未通过受理检查：请按其所列问题修改后重新提交",
                en: "submission \(submission) was refused at the door: correct the issues it lists and submit again")
        case "reviewed":
            return LocalizedText(
                zh: "申报 \(filing) 已完成机审：可查看评审结果\(commands ? "（cluster-review report \(filing)）" : "")，待评审人员确认并决定",
                en: "filing \(filing) has been reviewed by the modules\(commands ? ": see cluster-review report \(filing);" : ";") a reviewer confirms and decides next")
        case "returned":
            return LocalizedText(
                zh: "申报 \(filing) 被退回补正：请按评审意见修改后提交更正申报\(commands ? "（--supersedes \(filing)）" : "")",
                en: "filing \(filing) was returned for correction: file a corrected filing\(commands ? " with --supersedes \(filing)" : "")")
        case "refused":
            return LocalizedText(zh: "申报 \(filing) 未予认定\(commands ? "（cluster-review status \(filing) 查看理由）" : "")",
                                 en: "filing \(filing) was refused\(commands ? " (cluster-review status \(filing) gives the grounds)" : "")")
        case "recertified":
            return LocalizedText(zh: "申报 \(filing) 复核通过，有效期已延续", en: "filing \(filing) was recertified: the entry's validity is extended")
        case "in_publicity":
            return LocalizedText(zh: "申报 \(filing) 进入公示\(commands ? "（cluster-review publicity show \(filing) 查看公示期）" : "")",
                                 en: "filing \(filing) is in public notice\(commands ? " (cluster-review publicity show \(filing) gives its days)" : "")")
        case "objected":
            let objection = ids["objection"].map(String.init) ?? "?"
            return LocalizedText(zh: "申报 \(filing) 公示期间收到异议 \(objection)，待评审人员处理",
                                 en: "objection \(objection) was filed against filing \(filing) during its public notice; a reviewer resolves it")
        case "recognized":
            return LocalizedText(zh: "申报 \(filing) 已获认定，列入名录（名录编号 \(cluster)）",
                                 en: "filing \(filing) is recognized and on the register (entry \(cluster))")
        case "expiring_90", "expiring_30":
            let days = ids["days"].map(String.init) ?? (kind == "expiring_30" ? "30" : "90")
            return LocalizedText(zh: "名录 \(cluster) 的有效期将在 \(days) 天内届满：请提交复核申请",
                                 en: "register entry \(cluster) expires in \(days) days: file its recertification")
        case "annual_report_due":
            let year = ids["year"].map(String.init) ?? "?"
            return LocalizedText(zh: "名录 \(cluster) 的 \(year) 年度报告须于 3 月 30 日前提交",
                                 en: "register entry \(cluster): its annual report for \(year) is due by 30 March")
        case "annual_report_missing":
            let year = ids["year"].map(String.init) ?? "?"
            return LocalizedText(zh: "名录 \(cluster) 未按期（3 月 30 日前）提交 \(year) 年度报告",
                                 en: "register entry \(cluster): its annual report for \(year) was not filed by 30 March")
        case "revocation_proposed":
            let action = ids["sweep_action"].map(String.init) ?? "?"
            return LocalizedText(zh: "巡检建议撤销名录 \(cluster)（事项 \(action)），待管理员确认",
                                 en: "the sweep proposes revoking register entry \(cluster) (action \(action)); an administrator confirms or dismisses it")
        case "revoked":
            return LocalizedText(zh: "名录 \(cluster) 已被撤销\(commands ? "（cluster-review register show \(cluster) 查看依据）" : "")",
                                 en: "register entry \(cluster) is revoked\(commands ? " (cluster-review register show \(cluster) gives the ground)" : "")")
        case "expert_assigned":
            return LocalizedText(zh: "您已被指派评审申报 \(filing)：请评分并提交\(commands ? "（cluster-review panel show \(filing)）" : "")",
                                 en: "you are on the panel of filing \(filing): score it and submit\(commands ? " (cluster-review panel show \(filing))" : "")")
        default:
            return LocalizedText(zh: "通知：\(kind)", en: "notice: \(kind)")
        }
    }
}
