import IndicatorKit

/// The words of the administrator's logins page: people's logins, added and disabled through the
/// same `Logins` functions as `cluster-review users add|list|disable`.
extension WebText {
    static let logins = T(zh: "登录用户", en: "Logins")
    static let loginsIntro = T(
        zh: "每个人以自己的数据库登录名登录。本页与命令行 cluster-review users 使用同一组数据库函数；停用后其记录保留，网页会话即时结束。",
        en: "Each person signs in with a database login of their own; this page uses the same database functions as cluster-review users add, users list and users disable. A disabled login's records stay; its web sessions end at once.")
    static let noLogins = T(zh: "尚无登录用户。", en: "No login yet.")
    static let loginName = T(zh: "登录名", en: "Login")
    static let loginRoles = T(zh: "角色", en: "Roles")
    static let canSignIn = T(zh: "可登录", en: "Can sign in")
    static let yes = T(zh: "是", en: "yes")
    static let no = T(zh: "否（已停用）", en: "no (disabled)")
    static let disableLogin = T(zh: "停用", en: "Disable")
    static let addLogin = T(zh: "添加登录用户", en: "Add a login")
    static let loginNameHelp = T(
        zh: "2 到 63 个小写字母、数字或下划线，以字母开头（例如县名拼音加姓氏）。",
        en: "2 to 63 lower-case letters, digits and underscores, starting with a letter, e.g. wenchang_li.")
    static let roleSpec = T(zh: "角色", en: "Role")
    static let roleSpecHelp = T(
        zh: "某县（市、区）的主管部门、省级评审人、评审专家、系统管理员或审计员，与命令行 cluster-review users add 所用角色相同。",
        en: "A county's authority, a provincial reviewer, a panel expert, an administrator or an auditor: the roles of users add --role (county:CODE, reviewer, expert, admin, auditor).")
    static let expertFields = T(zh: "专家的专业领域（仅专家，以逗号分隔）", en: "The expert's fields (experts only, comma-separated)")
    static let expertCounty = T(zh: "专家所在县（市、区）（仅专家）", en: "The expert's home county (experts only)")
    static let initialPassword = T(zh: "初始密码（可不填）", en: "Initial password (optional)")
    static let passwordHelp = T(
        zh: "填写后此人即可用该密码在网页登录，请当面或经安全渠道告知；不填则与命令行 cluster-review users add 不读取密码时相同：登录无密码，只能在数据库信任的本机连接上使用命令行，无法在网页登录。密码不会显示，也不会写入日志。",
        en: "With one, the person signs in on the web with it: hand it over in person or by a safe channel. Without one, as users add without --password-stdin: the login has no password and works only where the database trusts the connection (peer, on the server), not on the web. The password is never shown or logged.")
    static func loginAdded(_ name: String) -> T { T(zh: "已添加 \(name)。", en: "Added \(name).") }
    static func loginDisabled(_ name: String) -> T { T(zh: "已停用 \(name)。", en: "Disabled \(name).") }
    static func badRoleSpec(_ text: String) -> T {
        T(zh: "无此角色“\(text)”：请从列表中选择某县（市、区）的主管部门、省级评审人、评审专家、系统管理员或审计员。",
          en: "The role is county:CODE (e.g. county:469005), reviewer, expert, admin or auditor, not '\(text)'.")
    }
    static let expertNeedsFields = T(
        zh: "专家须填写专业领域（例如 商业航天，新材料）并选择所在县（市、区）。",
        en: "An expert needs their fields (e.g. aerospace, new materials) and their home county.")
    static let fieldsOnlyForExperts = T(zh: "专业领域和所在县只用于评审专家。", en: "Fields and a home county are for the role expert only.")
    static let passwordTooLong = T(zh: "密码过长（最多 1024 字节）。", en: "The password is too long (at most 1024 bytes).")

    /// A role spec in words, the coordinator's included (a login `users add` may make).
    static func loginRole(_ spec: String) -> T {
        spec == "coordinator" ? T(zh: "审查协调进程", en: "review coordinator") : role(spec)
    }
}
