import ClusterStandard
import IndicatorKit

/// The words of a county's filing pages: upload or paste, self-check, submit, follow.
extension WebText {
    static let newFiling = T(zh: "提交申报", en: "File a filing")
    static let newFilingIntro = T(
        zh: "选择申报文件（JSON）或将其内容粘贴在下方，先进行离线自查：校验格式，并由与省级审查相同的模块逐项评价。自查不是决定；确认无误后再提交。",
        en: "Choose the filing (a JSON file) or paste it below, and self-check it first: the format is validated and the same modules as the provincial review judge it, indicator by indicator. The self-check is not a decision; submit when it is right.")
    static let chooseFile = T(zh: "申报文件（JSON）", en: "The filing (a JSON file)")
    static let orPaste = T(zh: "或粘贴申报内容", en: "Or paste the filing")
    static let check = T(zh: "自查", en: "Self-check")
    static let templates = T(zh: "下载空白模板", en: "Download a blank template")
    static let templatesIntro = T(zh: "从模板开始填写，与 cluster-review template 命令输出的内容相同。", en: "Start from a template: the same as the command cluster-review template prints.")
    static let nothingSent = T(zh: "未收到申报内容：请选择文件或粘贴内容。", en: "No filing came: choose a file or paste it.")
    static let notUTF8 = T(zh: "申报文件不是 UTF-8 文本。", en: "The filing is not UTF-8 text.")
    static func invalidCount(_ count: Int) -> T {
        T(zh: "申报不符合格式，共 \(count) 处错误。请逐项修改后重新自查。", en: "The filing breaks the format in \(count) place(s). Correct each and self-check again.")
    }
    static let issuesTitle = T(zh: "错误", en: "Errors")
    static let path = T(zh: "位置", en: "Where")
    static let problemText = T(zh: "问题", en: "Problem")
    static let fixText = T(zh: "如何修改", en: "How to fix it")
    static func lineColumn(_ line: Int, _ column: Int) -> T { T(zh: "第 \(line) 行第 \(column) 列", en: "line \(line), column \(column)") }
    static let yourFiling = T(zh: "您的申报内容", en: "Your filing")
    static let checkedTitle = T(zh: "自查结果", en: "The self-check")
    static let submitTitle = T(zh: "提交", en: "Submit")
    static let submitIntro = T(
        zh: "提交后，申报经与其他客户端相同的申报入口进入省级审查；数据库记录提交人、所属县和时间。",
        en: "Submitted, the filing goes through the same door as every other client to the provincial review; the database records who sent it, the county and the time.")
    static let submit = T(zh: "提交申报", en: "Submit the filing")
    static let checkAgain = T(zh: "修改后重新自查", en: "Change it and self-check again")
    static let selfCheckUnavailable = T(zh: "自查暂不可用：审查模块未启动。请联系系统管理员。", en: "The self-check is unavailable: the review modules are not running. Ask the administrator.")
    static let countiesOnly = T(zh: "只有县级主管部门可以提交申报。", en: "Only a county authority files.")
    static func doorRefused(_ detail: String) -> T {
        T(zh: "申报入口拒绝，未提交：\(detail)", en: "The door refused it, nothing was submitted: \(detail)")
    }
    static func rulebookRefused(_ message: T) -> T {
        T(zh: "无法自查：\(message.zh)", en: "Cannot self-check: \(message.en)")
    }

    // MARK: a submission

    static func submission(_ id: Int64) -> T { T(zh: "提交 \(id)", en: "Submission \(id)") }
    static let reference = T(zh: "文件名", en: "File")
    static let received = T(zh: "已收到，等待申报入口校验", en: "Received; waiting for the door's check")
    static let receivedText = T(
        zh: "申报入口（协调程序）正在校验县别、类型、日期和是否重复。本页每隔几秒自动刷新；校验通过后转到申报页面。",
        en: "The door (the coordinator) is checking the county, the kind, the date and whether it is on file already. This page reloads every few seconds and moves to the filing once it is filed.")
    static let refreshNow = T(zh: "立即刷新", en: "Reload now")
    static let submissionRefused = T(zh: "申报入口拒绝了该申报", en: "The door refused this filing")
    static let submissionRefusedText = T(zh: "未生成申报。请按下列原因修改后重新提交。", en: "No filing was made. Correct it for the reasons below and submit it again.")
    static let fileAnother = T(zh: "再提交一份申报", en: "File another")
}
