import IndicatorKit
extension ReviewSummary {
    /// The summary as text for a person, in `language` (`en`, otherwise Chinese): one line per
    /// indicator with its verdict and score, the failures, what a reviewer must confirm, and the
    /// recommendation last. `evaluate` prints it; the JSON form is the `Codable` encoding.
    public func scorecard(language: Language) -> String {
        let en = language == .en
        var lines: [String] = [en ? "Indicator            verdict          score" : "指标                 结论             得分"]
        for indicator in indicators {
            let name = indicator.module.padding(toLength: 20, withPad: " ", startingAt: 0)
            let verdict = indicator.verdict.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
            lines.append("\(name) \(verdict) \(indicator.score.map(String.init) ?? "—")")
        }
        if !failures.isEmpty {
            lines.append("")
            lines.append(en ? "Failed:" : "未通过：")
            for item in failures { lines.append("  ✘ \(item.finding.message.text(in: language)) [\(item.finding.citation)]") }
        }
        if !toConfirm.isEmpty {
            lines.append("")
            lines.append(en ? "To confirm by a reviewer:" : "需评审人确认：")
            for item in toConfirm {
                lines.append("  ? \(item.finding.verdict.rawValue): \(item.finding.message.text(in: language)) [\(item.finding.citation)]")
            }
        }
        lines.append("")
        lines.append((en ? "Recommendation: " : "建议：") + recommendation.text(in: language))
        return lines.joined(separator: "\n")
    }
}

extension ReviewSummary.Recommendation {
    /// The recommendation in words, with its stable code.
    public func text(in language: Language) -> String {
        let words: LocalizedText
        switch self {
        case .rejectedByVeto: words = LocalizedText(zh: "一票否决，不予认定", en: "rejected by veto")
        case .notRecommended: words = LocalizedText(zh: "不推荐", en: "not recommended")
        case .needsReview: words = LocalizedText(zh: "待人工评审", en: "needs review")
        case .recommended: words = LocalizedText(zh: "推荐", en: "recommended")
        }
        return "\(words.text(in: language)) (\(rawValue))"
    }
}
