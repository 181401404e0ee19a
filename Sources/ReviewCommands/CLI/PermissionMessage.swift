import IndicatorKit
import Postgres

/// The kind words for a statement the database refused with 42501: who may do it and how to act
/// as that person. The server's own message (which names the table or the role needed) follows.
struct PermissionMessage: Sendable {
    var text: LocalizedText

    init(error: PostgresError) {
        var server = "\(error)"
        if case .server(let detail) = error { server = detail.message }
        text = LocalizedText(
            zh: "权限不足：当前登录的角色无权执行此操作（服务器消息：'\(server)'）。请以有权限的用户身份连接：设置 PGUSER=用户名，或在 DATABASE_URL 中写 user=用户名；运行 cluster-review whoami 查看当前身份。",
            en: "permission denied: the role you are connected as may not do this (\(server)). Connect as a person who may: "
                + "PGUSER=NAME, or user=NAME in DATABASE_URL; cluster-review whoami shows who you are.")
    }

    /// A county filing for a county that is not its own.
    static func otherCounty(file: String, county: String) -> LocalizedText {
        LocalizedText(
            zh: "\(file)：你只能为本县提交申报，无权为 \(county) 提交（数据库拒绝：权限不足）。请以该县的用户身份登录，或检查申报中的 applicant.county_code。",
            en: "\(file): you may file only for your own county, not for \(county) (refused by the database: permission denied). "
                + "Log in as a user of that county, or check applicant.county_code in the filing.")
    }
}
