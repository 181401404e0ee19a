import IndicatorKit
import Reports
import ReviewCore

/// The words of a reviewer's pages: confirmations several at once, the decision, the public notice
/// and its objections, a correction's differences, the sweep's proposals.
extension WebText {
    // MARK: confirmations, several at once

    static let confirmIntro = T(
        zh: "逐项选择认可或不认可，并各自写明理由；选“暂不确认”的项保持不变。所选各项一并记录：只要有一项被拒绝，就一项也不记录，并在该项下说明原因。",
        en: "Choose accept or reject for each finding, each with its own reason; a finding left at “not now” stays as it is. The chosen findings are recorded together: if one is refused, none is recorded, and the reason is said under it.")
    static let notNow = T(zh: "暂不确认", en: "Not now")
    static let confirmChosen = T(zh: "确认所选各项", en: "Confirm the chosen findings")
    static let noteRequired = T(zh: "请为此项写明理由。", en: "Write a reason for this finding.")
    static let noneChosen = T(zh: "没有选择任何一项：请至少为一项选择认可或不认可。", en: "Nothing was chosen: choose accept or reject for at least one finding.")
    static func batchRefused(_ count: Int) -> T {
        T(zh: "一项也未记录：有 \(count) 项未通过，原因见该项下方。请修改后重新提交。",
          en: "Nothing was recorded: \(count) finding(s) were refused, each with the reason below it. Correct them and confirm again.")
    }
    static func confirmedCount(_ count: Int) -> T {
        T(zh: "已记录 \(count) 项确认。", en: "\(count) confirmation(s) recorded.")
    }
    static func panelLine(_ result: ReviewReport.PanelOutcome) -> T {
        T(zh: "专家组：中位数 \(result.median)，极差 \(result.highest - result.lowest)（\(result.lowest)–\(result.highest)），认可 \(result.agree) / 不认可 \(result.disagree)，已评 \(result.scored)/\(result.members)",
          en: "Panel: median \(result.median), spread \(result.highest - result.lowest) (\(result.lowest)–\(result.highest)), agree \(result.agree) / disagree \(result.disagree), scored \(result.scored)/\(result.members)")
    }
    static let panelToDiscuss = T(zh: "分歧较大，需讨论", en: "spread above the bound: to be discussed")

    // MARK: the decision

    static let decideTitle = T(zh: "作出决定", en: "Decide")
    static let decideIntro = T(
        zh: "认定：首次申报进入公示，复核申报延长有效期；不予认定须写明理由（告知申报县）；退回：县里提交更正申报后重新审查。决定前须确认全部人工判断项和提示项。",
        en: "Approve: an initial filing enters public notice, a recertification extends the term. Refuse: the grounds are required (the county is told them). Return: the county files a correction, which is reviewed anew. Every manual and warned finding must be confirmed before approving.")
    static let approve = T(zh: "认定（进入公示）", en: "Approve (public notice follows)")
    static let refuse = T(zh: "不予认定", en: "Refuse")
    static let returnForCorrection = T(zh: "退回更正", en: "Return for correction")
    static let decisionNote = T(zh: "说明", en: "Note")
    static let grounds = T(zh: "不予认定的理由（不予认定时必填）", en: "The grounds of a refusal (required to refuse)")
    static let submitDecision = T(zh: "提交决定", en: "Submit the decision")
    static let notDecided = T(zh: "未作决定：", en: "Not decided: ")
    static let chooseDecision = T(zh: "请选择认定、不予认定或退回更正。", en: "Choose approve, refuse or return for correction.")
    static let noteMissing = T(zh: "请写明说明。", en: "Write a note.")

    // MARK: the public notice

    static let noticeTitle = T(zh: "公示", en: "Public notice")
    static func noticeDates(_ notice: PublicityNotice) -> T {
        T(zh: "公示期：\(notice.startsOn) 至 \(notice.endsOn)", en: "Notice period: \(notice.startsOn) – \(notice.endsOn)")
    }
    static let todayLabel = T(zh: "今天", en: "Today")
    static let simulatedClock = T(zh: "（模拟时钟）", en: "(simulated clock)")
    static let noticeRunning = T(zh: "公示中：期内可记录异议。", en: "Running: objections may be recorded during the period.")
    static let noticeEnded = T(zh: "公示期已满：异议处理完毕后即可结束公示。", en: "The period has ended: close the notice once every objection is resolved.")
    static let noticeNotStarted = T(zh: "公示期尚未开始。", en: "The period has not started yet.")
    static let objections = T(zh: "异议", en: "Objections")
    static let noObjections = T(zh: "暂无异议。", en: "No objections.")
    static let objector = T(zh: "异议人", en: "Objector")
    static let objectionReason = T(zh: "异议理由", en: "Reason")
    static let evidence = T(zh: "证据（每行一项）", en: "Evidence (one per line)")
    static let filedOnLabel = T(zh: "提出日期", en: "Filed on")
    static let outcome = T(zh: "处理结果", en: "Outcome")
    static let recordObjection = T(zh: "记录异议", en: "Record an objection")
    static let upheld = T(zh: "成立", en: "Upheld")
    static let dismissed = T(zh: "不成立", en: "Dismissed")
    static let resolution = T(zh: "处理意见", en: "Resolution")
    static let resolve = T(zh: "处理异议", en: "Resolve")
    static let closeNotice = T(zh: "结束公示", en: "Close the notice")
    static let closeIntro = T(
        zh: "公示期满、异议均已处理后结束公示：无异议成立即予认定并列入名册；有异议成立则退回评审人。",
        en: "Once the period has ended and every objection is resolved: with no objection upheld the cluster is recognized and enters the register; with one upheld the filing goes back to the reviewer.")
    static let notDone = T(zh: "未执行：", en: "Not done: ")
    static let fillEveryField = T(zh: "请填写每一项。", en: "Fill in every field.")

    // MARK: a correction's differences

    static let seeDiff = T(zh: "查看更正前后的差异", en: "See what the correction changed")

    // MARK: the sweep's proposals

    static let proposals = T(zh: "待确认的撤销建议", en: "Proposed revocations")
    static let noProposals = T(zh: "没有待确认的撤销建议。", en: "No revocation is proposed.")
    static let proposalsIntro = T(
        zh: "巡查依《办法》第十四条提出的撤销建议：确认即撤销认定，驳回则保留；两者都须写明理由，并记入审计日志。",
        en: "Revocations the sweep proposes on an Art. 14 ground: confirming revokes the recognition, dismissing keeps it; either needs a reason, recorded in the audit log.")
    static let action = T(zh: "事项", en: "Action")
    static let clusterEntry = T(zh: "名册条目", en: "Register entry")
    static let ground = T(zh: "依据", en: "Ground")
    static let foundOn = T(zh: "发现日期", en: "Found on")
    /// `14(2)` in words: 第十四条第（二）项 / Art. 14(2).
    static func groundText(_ ground: String) -> T {
        let item = ground.drop { $0 != "(" }.dropFirst().prefix { $0 != ")" }
        let numeral = ["1": "一", "2": "二", "3": "三", "4": "四", "5": "五"][String(item)] ?? String(item)
        return T(zh: "第十四条第（\(numeral)）项", en: "Art. \(ground)")
    }
    static let confirmRevocation = T(zh: "确认撤销", en: "Confirm the revocation")
    static let dismissProposal = T(zh: "驳回建议", en: "Dismiss")
    static let adminOnly = T(zh: "只有系统管理员可以确认或驳回撤销建议。", en: "Only an administrator confirms or dismisses a proposed revocation.")
}
