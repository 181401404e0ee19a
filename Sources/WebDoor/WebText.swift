import ClusterStandard
import IndicatorKit
import Reports
import ReviewCore

/// The words of the door's pages, in Chinese and English. Data never goes in here: a page puts
/// each piece of data through `Markup`, which escapes it.
enum WebText {
    typealias T = LocalizedText

    static let siteName = T(zh: "海南省中小企业特色产业集群认定审核", en: "Hainan SME Characteristic Industrial Clusters — Review")
    static let footer = T(
        zh: "机器预审，人工决定。依据《海南省中小企业特色产业集群认定暂行办法》及认定标准。",
        en: "The machine pre-screens; people decide. Under Hainan's Interim Measures for the Recognition of SME Characteristic Industrial Clusters and their Standard.")
    static let switchLanguage = T(zh: "English", en: "中文")
    static let skipToContent = T(zh: "跳到正文", en: "Skip to the content")

    // MARK: navigation

    static let home = T(zh: "首页", en: "Home")
    static let myFilings = T(zh: "我的申报", en: "My filings")
    static let queue = T(zh: "审查队列", en: "Review queue")
    static let myRegister = T(zh: "我的认定", en: "My recognitions")
    static let register = T(zh: "认定名册", en: "The register")
    static let publicNotices = T(zh: "公示名单", en: "Public notices")
    static let recognitionList = T(zh: "认定名单", en: "Recognition list")
    static let modules = T(zh: "模块状态", en: "Modules")
    static let sweeps = T(zh: "巡查记录", en: "Sweeps")
    static let signIn = T(zh: "登录", en: "Sign in")
    static let signOut = T(zh: "退出登录", en: "Sign out")
    static let navigation = T(zh: "导航", en: "Navigation")

    static func role(_ spec: String) -> T {
        if spec.hasPrefix("county:") {
            let county = ReviewReport.County(code: String(spec.dropFirst("county:".count)))
            return T(zh: "县级主管部门（\(county.name.zh)）", en: "county authority (\(county.name.en))")
        }
        switch spec {
        case "reviewer": return T(zh: "省级评审人", en: "provincial reviewer")
        case "admin": return T(zh: "系统管理员", en: "administrator")
        case "auditor": return T(zh: "审计员", en: "auditor")
        case "expert": return T(zh: "评审专家", en: "panel expert")
        default: return T(zh: spec, en: spec)
        }
    }

    // MARK: home

    static let welcomeTitle = T(zh: "中小企业特色产业集群认定", en: "Recognition of SME characteristic industrial clusters")
    static let welcome = T(
        zh: "各县（市、区）中小企业主管部门在此查看本地申报的审查结果；省级评审人在此查看审查队列和评审报告。公众无需登录即可查看公示名单和认定名单。",
        en: "County SME authorities see the reviews of their filings here; provincial reviewers see the review queue and the reports. Anybody may read the public notices and the recognition list without signing in.")
    static func greeting(_ login: String) -> T { T(zh: "您好，\(login)", en: "Welcome, \(login)") }
    static let byStatus = T(zh: "按状态统计", en: "By status")
    static let count = T(zh: "数量", en: "Count")
    static let nextStep = T(zh: "下一步", en: "What to do next")
    static let nothingYet = T(zh: "暂无申报。", en: "No filings yet.")
    static let forAdministrators = T(zh: "系统管理", en: "Administration")

    // MARK: sign-in

    static let signInTitle = T(zh: "登录", en: "Sign in")
    static let signInHelp = T(
        zh: "请使用您的数据库登录名和密码（由系统管理员通过 cluster-review users add 创建）。",
        en: "Use your database login and password (an administrator creates them with cluster-review users add).")
    static let login = T(zh: "登录名", en: "Login")
    static let password = T(zh: "密码", en: "Password")
    static let wrongPassword = T(zh: "登录名或密码不正确。", en: "The login or the password is wrong.")
    static let notForTheWeb = T(
        zh: "该登录名不能用于网页（只有县级、评审、管理和审计用户可以）。",
        en: "This login cannot be used on the web (only county, reviewer, administrator and auditor logins can).")
    static let formExpired = T(zh: "表单已过期，请重新提交。", en: "The form expired; please send it again.")
    static let signedOut = T(zh: "您已退出登录。", en: "You have signed out.")
    static let signInFirst = T(zh: "请先登录。", en: "Please sign in first.")

    // MARK: filings

    static let filters = T(zh: "筛选", en: "Filter")
    static let any = T(zh: "全部", en: "all")
    static let search = T(zh: "集群名称包含", en: "Cluster name contains")
    static let apply = T(zh: "筛选", en: "Apply")
    static let clear = T(zh: "清除", en: "Clear")
    static let noMatch = T(zh: "没有符合条件的申报。", en: "No filing matches.")
    static func shown(_ count: Int, limit: Int) -> T {
        count >= limit
            ? T(zh: "显示最新的 \(count) 份；请用筛选缩小范围。", en: "The newest \(count) are shown; filter to narrow them down.")
            : T(zh: "共 \(count) 份。", en: "\(count) filings.")
    }
    static let recommendation = T(zh: "机审建议", en: "Recommendation")
    static let report = T(zh: "评审报告", en: "Report")
    static let notReviewedYet = T(zh: "尚无完成的审查。", en: "No finished review yet.")
    static let queueState = T(zh: "队列状态", en: "Queue")
    static let lastError = T(zh: "最近错误", en: "Last error")
    static let attempts = T(zh: "尝试次数", en: "Attempts")
    static let backToList = T(zh: "返回列表", en: "Back to the list")
    static let print = T(zh: "打印：使用浏览器的打印功能（已适配 A4）。", en: "To print, use the browser's print command (laid out for A4).")

    /// A filing's status; a superseded one names the filing that corrects it, as the report does.
    static func status(_ status: String, supersededBy: Int64?) -> T {
        if status == "superseded", let id = supersededBy { return ReportLabels.supersededBy(id) }
        return Self.status(status)
    }

    static func status(_ status: String) -> T {
        switch status {
        case "in_review": return T(zh: "审查中", en: "in review")
        case "review_failed": return T(zh: "审查失败", en: "review failed")
        case "recorded": return T(zh: "已记录（监测）", en: "recorded (monitoring)")
        case "superseded": return T(zh: "已被更正申报取代", en: "superseded")
        default: return ReportLabels.status(status)
        }
    }

    static func kind(_ kind: String) -> T {
        FilingKind(rawValue: kind).map(ReportLabels.kind) ?? T(zh: kind, en: kind)
    }

    static func recommendation(_ value: String?) -> T {
        guard let value, let recommendation = ReviewSummary.Recommendation(rawValue: value) else { return ReportLabels.notReviewed }
        return ReportLabels.recommendation(recommendation)
    }

    /// What the county does next with a filing in `status`.
    static func countyNext(_ status: String) -> T {
        switch status {
        case "submitted": return T(zh: "等待机器审查", en: "Wait for the machine review")
        case "in_review": return T(zh: "正在审查，请稍候", en: "Being reviewed")
        case "reviewed": return T(zh: "等待省级评审人确认和决定", en: "Wait for the provincial reviewer's decision")
        case "review_failed": return T(zh: "审查未完成：请联系系统管理员，或重新提交", en: "The review failed: ask the administrator, or file again")
        case "recorded": return T(zh: "已记录，无需操作", en: "Recorded; nothing to do")
        case "returned": return T(zh: "按评审意见修改后重新提交更正申报", en: "Correct it as the reviewer asks and file the correction")
        case "approved": return T(zh: "评审通过", en: "Approved")
        case "in_publicity": return T(zh: "公示中，等待公示期满", en: "Under public notice: wait for it to end")
        case "recognized": return T(zh: "已认定：每年 3 月 30 日前提交年度信息报告", en: "Recognized: file the annual report by 30 March every year")
        case "refused": return T(zh: "不予认定：见评审意见", en: "Refused: see the reviewer's grounds")
        case "superseded": return T(zh: "已由更正申报取代，无需操作", en: "Replaced by the corrected filing; nothing to do")
        default: return T(zh: "—", en: "—")
        }
    }

    /// What provincial staff do next with a filing in `status`.
    static func staffNext(_ status: String) -> T {
        switch status {
        case "submitted", "in_review": return T(zh: "等待机器审查", en: "Wait for the machine review")
        case "reviewed": return T(zh: "确认人工判断项和提示项并作出决定", en: "Confirm the manual findings, acknowledge the warned ones, and decide")
        case "review_failed": return T(zh: "查看原因；请县里重新提交", en: "See why; the county files again")
        case "returned": return T(zh: "等待县里提交更正申报", en: "Wait for the county's correction")
        case "in_publicity": return T(zh: "公示期满后关闭公示", en: "Close the notice once it has ended")
        default: return T(zh: "—", en: "—")
        }
    }

    // MARK: confirmations

    static let confirmOnTheWeb = T(zh: "确认人工判断项和提示项", en: "Confirm manual findings, acknowledge warned ones")
    static let accept = T(zh: "认可（符合）", en: "Accept (met)")
    static let reject = T(zh: "不认可（不符合）", en: "Reject (not met)")
    static let note = T(zh: "理由", en: "Reason")
    static let confirm = T(zh: "提交确认", en: "Confirm")
    static let confirmRefused = T(zh: "未能确认：", en: "Not confirmed: ")

    // MARK: register

    static let certificate = T(zh: "证书编号", en: "Certificate")
    static let recognizedOn = T(zh: "认定日期", en: "Recognized on")
    static let validUntil = T(zh: "有效期至", en: "Valid until")
    static let noEntries = T(zh: "暂无认定记录。", en: "No register entries.")
    static func registerStatus(_ status: String) -> T {
        switch status {
        case "active": return T(zh: "有效", en: "active")
        case "expired": return T(zh: "已到期", en: "expired")
        case "revoked": return T(zh: "已撤销", en: "revoked")
        default: return T(zh: status, en: status)
        }
    }

    // MARK: public

    static let noticesIntro = T(
        zh: "以下集群经省级评审拟予认定，现予公示。公示期内，任何单位或个人对公示对象有异议的，可在公示期满前以书面形式向海南省工业和信息化厅中小企业主管处室提出，写明集群名称、异议理由和联系方式，并附相关证据。以单位名义提出的须加盖公章，以个人名义提出的须署真实姓名。",
        en: "The clusters below are proposed for recognition and are under public notice. Anyone who objects to one may send the objection in writing to the SME division of the Hainan Provincial Department of Industry and Information Technology before the notice ends, naming the cluster, the reasons and a way to reach them, with any evidence. An organisation's objection bears its seal; a person's bears their real name.")
    static let howToObject = T(zh: "如何提出异议", en: "How to object")
    static let noticeFrom = T(zh: "公示开始", en: "Notice from")
    static let noticeUntil = T(zh: "异议截止", en: "Objections until")
    static let noNotices = T(zh: "目前没有正在公示的集群。", en: "No cluster is under public notice today.")
    static let registerIntro = T(
        zh: "经认定、目前在有效期内的中小企业特色产业集群（有效期三年）。",
        en: "The SME characteristic industrial clusters recognized and valid today (recognition lasts three years).")
    static let noRecognitions = T(zh: "目前名单为空。", en: "The list is empty.")

    // MARK: administration

    static let coordinators = T(zh: "审核协调服务", en: "Coordinators")
    static let coordinator = T(zh: "名称", en: "Name")
    static let heartbeat = T(zh: "心跳（秒前）", en: "Heartbeat (s ago)")
    static let inFlight = T(zh: "进行中", en: "In flight")
    static let completed = T(zh: "已完成", en: "Completed")
    static let module = T(zh: "模块", en: "Module")
    static let version = T(zh: "版本", en: "Version")
    static let state = T(zh: "状态", en: "State")
    static let workers = T(zh: "工作进程", en: "Workers")
    static let restarts = T(zh: "重启", en: "Restarts")
    static let served = T(zh: "已处理", en: "Served")
    static let failed = T(zh: "失败", en: "Failed")
    static let circuit = T(zh: "熔断", en: "Circuit")
    static let reason = T(zh: "原因", en: "Reason")
    static let circuitOpen = T(zh: "断开", en: "open")
    static let circuitClosed = T(zh: "正常", en: "closed")
    static let noCoordinators = T(
        zh: "最近两分钟没有审核协调服务报告心跳：检查 cluster-review serve 是否在运行（systemctl status cluster-review）。",
        en: "No coordinator has reported in the last two minutes: is cluster-review serve running (systemctl status cluster-review)?")
    static let slot = T(zh: "时段", en: "Slot")
    static let asOf = T(zh: "判断日", en: "As of")
    static let runs = T(zh: "运行次数", en: "Runs")
    static let lastRun = T(zh: "最近运行（协调世界时）", en: "Last run (UTC)")
    static let by = T(zh: "执行者", en: "By")
    static let actions = T(zh: "处理事项", en: "Actions")
    static let noSweeps = T(zh: "还没有运行过巡查。", en: "No sweep has run yet.")
    static func proposed(_ count: Int) -> T {
        T(zh: "\(count) 项撤销建议等待管理员确认（cluster-review sweep actions --state proposed）。",
          en: "\(count) proposed revocations await an administrator (cluster-review sweep actions --state proposed).")
    }

    // MARK: errors

    static let notFound = T(zh: "页面不存在", en: "Not found")
    static let notFoundText = T(zh: "没有这个页面，或您无权查看。", en: "There is no such page, or it is not yours to see.")
    static let forbidden = T(zh: "无权访问", en: "Forbidden")
    static let forbiddenText = T(zh: "您的角色不能使用此页面。", en: "Your role cannot use this page.")
    static let formRefused = T(
        zh: "请求被拒绝：表单已过期或不是从本站页面提交的，未作任何更改。请返回页面重试。",
        en: "Refused: the form has expired or did not come from this site's page; nothing was changed. Go back to the page and try again.")
    static let notAllowed = T(zh: "不支持此请求方法", en: "Method not allowed")
    static let tooMany = T(zh: "尝试次数过多", en: "Too many attempts")
    static func tooManyText(minutes: Int) -> T {
        T(zh: "登录尝试次数过多，请在 \(minutes) 分钟后再试。", en: "Too many sign-in attempts; try again in \(minutes) minutes.")
    }
    static let unavailable = T(zh: "暂时无法服务", en: "Service unavailable")
    static let unavailableText = T(zh: "数据库暂时不可用，请稍后再试。", en: "The database is unavailable for now; try again later.")
    static let passwordsUnchecked = T(
        zh: "数据库未校验密码，网页入口已停用；请通知系统管理员（见 docs/administrator-guide.md）。",
        en: "The database does not check passwords, so the web door is closed; tell the administrator (docs/administrator-guide.md).")
    static let internalError = T(zh: "内部错误", en: "Internal error")
    static let internalErrorText = T(zh: "出错了，已记录。请稍后再试。", en: "Something went wrong; it has been logged. Try again later.")
    static let unsupportedForm = T(zh: "不支持的表单格式", en: "Unsupported form encoding")
}
