import IndicatorKit

/// The words of the rounds page: the province's application rounds (批次), opened and closed by an
/// administrator.
extension WebText {
    static let rounds = T(zh: "申报批次", en: "Rounds")
    static let roundsIntro = T(
        zh: "每个批次受理的申报类型、起止日期（北京时间）与名额；批次受理某类申报后，该类申报只在有批次开放时受理。",
        en: "Each round's kinds of filing, first and last day (Beijing time) and quotas; once a round has taken a kind, that kind is filed only while a round taking it is open.")
    static let noRounds = T(zh: "尚无批次。", en: "No round yet.")
    static let roundName = T(zh: "批次名称", en: "Round")
    static let roundKinds = T(zh: "受理类型", en: "Kinds")
    static let roundOpens = T(zh: "开始日期", en: "First day")
    static let roundCloses = T(zh: "截止日期", en: "Last day")
    static let roundState = T(zh: "状态", en: "State")
    static let roundFiled = T(zh: "已受理", en: "Filed")
    static let quotaPerCounty = T(zh: "每县名额", en: "Per county")
    static let quotaTotal = T(zh: "总名额", en: "In total")
    static let noQuota = T(zh: "不限", en: "none")
    static let openRound = T(zh: "开启新批次", en: "Open a round")
    static let closeRound = T(zh: "今日截止", en: "Close today")
    static let roundsAdminOnly = T(zh: "只有管理员可以开启或截止批次。", en: "Only an administrator opens or closes a round.")
    static func roundStateWord(_ state: String) -> T {
        switch state {
        case "announced": return T(zh: "未开始", en: "announced")
        case "open": return T(zh: "受理中", en: "open")
        default: return T(zh: "已截止", en: "closed")
        }
    }
}
