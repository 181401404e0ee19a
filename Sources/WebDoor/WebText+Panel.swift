import IndicatorKit
import ReviewCore

/// The words of an expert's pages: the filings of the expert's panels and the scoring form.
extension WebText {
    static let myPanels = T(zh: "我的评审", en: "My panels")
    static let myPanelsIntro = T(
        zh: "您所在评审专家组的申报。逐项为需人工判断的指标评分（0–100）、表明是否同意通过并写明理由；全部评完后提交，提交后不能修改。",
        en: "The filings of the panels you sit on. Score each criterion left for a person (0–100), say whether you agree it is passed, and give a reason; submit once every one is scored — submitted scores are final.")
    static let noPanels = T(zh: "目前没有指派给您的申报。", en: "No filing is assigned to you.")
    static let yourScores = T(zh: "您的评分", en: "Your scores")
    static let scoringTitle = T(zh: "专家评分", en: "Scoring")
    static let submittedWord = T(zh: "已提交", en: "submitted")
    static let notSubmittedWord = T(zh: "未提交", en: "not submitted")
    static let panelFor = T(zh: "专家评审", en: "Expert review")
    static let members = T(zh: "专家组成员", en: "Panel members")
    static let submittedScores = T(zh: "您已提交评分，评分不能再修改。", en: "You have submitted your scores; they are final.")
    static let othersHidden = T(zh: "其他专家的评分在您提交之后显示。", en: "The other experts' scores show once you have submitted yours.")
    static let score = T(zh: "评分（0–100）", en: "Score (0–100)")
    static let opinion = T(zh: "意见", en: "Opinion")
    static let agree = T(zh: "同意通过", en: "Agree it is passed")
    static let disagree = T(zh: "不同意", en: "Disagree")
    static let saveScores = T(zh: "保存评分", en: "Save the scores")
    static let submitScores = T(zh: "提交评分（提交后不能修改）", en: "Submit the scores (final)")
    static let othersScores = T(zh: "其他专家的评分", en: "The other experts' scores")
    static let panelSummary = T(zh: "专家组汇总", en: "The panel's summary")
    static let panelSummaryIntro = T(
        zh: "已提交评分的成员的中位数与极差，与省级评审人在评审报告中看到的相同；尚未提交的成员不计入。",
        en: "The median and spread over the members who have submitted, as the provincial reviewer sees them on the report; members yet to submit are not counted.")
    static let summaryAfterSubmitting = T(
        zh: "专家组汇总（中位数与极差）同样在您提交之后显示，以免影响独立评分。",
        en: "The panel's summary (median and spread) shows once you have submitted too, so that each score stays independent.")
    static let expert = T(zh: "专家", en: "Expert")
    static let noCriteria = T(zh: "此申报的最近一次审查没有需人工判断的指标。", en: "The filing's latest review left no criterion for a person to judge.")
    static let scoreInvalid = T(
        zh: "评分须为 0 至 100 的整数，选择同意或不同意，并写明理由。",
        en: "A score is a whole number from 0 to 100, with agree or disagree chosen and a reason written.")
    static let scoresNotSaved = T(zh: "评分未保存：", en: "The scores were not saved: ")
    static let nothingScored = T(zh: "没有填写任何评分。", en: "No score was filled in.")
}

extension WebText {
    static func scoresRefused(_ count: Int) -> T {
        T(zh: "一项也未保存：有 \(count) 项被拒绝，原因见该项下方。", en: "Nothing was saved: \(count) score(s) were refused, each with the reason below it.")
    }
}
