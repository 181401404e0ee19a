import Foundation
import ReviewCore

/// `install --prefix DIR [--link DIR]`: puts this build on a server (docs/administrator-guide.md).
enum InstallCommand {
    static let command = Command(
        words: ["install"],
        summary: "Install this build under a prefix: bin/, sql/, config/ · 安装到服务器目录",
        details: """
            Copies this program and every module executable named in config/modules.json into
            PREFIX/bin, the migrations into PREFIX/sql and the configuration into PREFIX/config (an
            existing PREFIX/config is kept as it is: it is the administrator's). The installed
            PREFIX/bin/cluster-review finds PREFIX/config and PREFIX/sql by itself, also through a
            symbolic link: --link DIR puts one in DIR (e.g. /usr/local/bin) so that `cluster-review`
            is on the PATH. Build with `swift build -c release --static-swift-stdlib` first for a
            server without the Swift toolchain.
            """,
        examples: [
            "cluster-review install --prefix /opt/cluster-review --link /usr/local/bin",
            "cluster-review install --prefix /tmp/cluster-review-trial",
        ],
        options: [
            .value("--prefix", "DIR", "Where to install (required), e.g. /opt/cluster-review · 安装目录"),
            .value("--link", "DIR", "Also put a symbolic link to cluster-review in DIR · 建立命令链接"),
            .value("--modules", "FILE", "Module registry whose executables to copy (default config/modules.json) · 模块配置"),
        ],
        exits: [.cannotCreate, .configuration],
        run: run)

    static func run(_ invocation: Invocation) throws -> Int32 {
        guard let prefix = invocation.value("--prefix") else {
            throw UsageError(message: "--prefix DIR is required, e.g. --prefix /opt/cluster-review", command: "install", zh: "须用 --prefix DIR 指定安装目录，例如 --prefix /opt/cluster-review")
        }
        let installation = try invocation.installation()
        let registry = try invocation.moduleRegistry()
        let report: InstallReport
        do {
            report = try installation.install(
                into: URL(fileURLWithPath: prefix), moduleExecutables: registry.modules.map(\.pool.executable))
        } catch {
            throw CommandFailure(zh: "安装失败：\(error)", en: "install failed: \(error)", exitCode: ExitCode.cannotCreate)
        }
        let root = report.installation.root.path
        let programs = report.executables.joined(separator: ", ")
        invocation.say("已安装 \(report.executables.count) 个程序到 \(root)/bin：\(programs)",
                       "installed \(report.executables.count) programs in \(root)/bin: \(programs)")
        for file in report.moduleFiles { invocation.say("  模块文件 \(root)/\(file)", "  module file \(root)/\(file)") }
        invocation.say("迁移脚本：\(root)/sql", "migrations in \(root)/sql")
        if report.keptConfiguration {
            invocation.say("配置：保留 \(root)/config 中的现有配置（升级后请与本版本的 config/ 对照）",
                           "kept the existing configuration in \(root)/config (compare with this build's config/ after an upgrade)")
        } else {
            invocation.say("配置：\(root)/config", "configuration in \(root)/config")
        }
        for path in report.external { invocation.say("  外部模块，保留原处：\(path)", "  module left where it is: \(path)") }
        if let link = invocation.value("--link") {
            let target = URL(fileURLWithPath: link).appendingPathComponent("cluster-review").path
            try? FileManager.default.removeItem(atPath: target)
            do {
                try FileManager.default.createSymbolicLink(atPath: target, withDestinationPath: root + "/bin/cluster-review")
            } catch {
                throw CommandFailure(
                    zh: "无法建立链接 \(target)", en: "cannot create the link \(target): \((error as NSError).localizedDescription)",
                    exitCode: ExitCode.cannotCreate)
            }
            invocation.say("已建立链接 \(target) → \(root)/bin/cluster-review", "linked \(target) → \(root)/bin/cluster-review")
        }
        invocation.say("下一步：DATABASE_URL=… cluster-review migrate；参见 docs/administrator-guide.md",
                       "next: DATABASE_URL=… cluster-review migrate; see docs/administrator-guide.md")
        return ExitCode.success
    }
}
