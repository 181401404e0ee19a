import Foundation
import IndicatorKit
import ReviewCore
import Postgres
import Reports

/// What the province publishes for a round, on the command line (issue 17, item 4):
/// `publish notice|list|certificates ROUND --out DIR`. Thin calls: `ReviewCore.Publication` reads
/// (as the person: row-level security decides), `Reports.PublicationFiles` renders, and each file is
/// written atomically into DIR (a temporary file, then a rename). Only the named files are written:
/// other files in DIR are left alone, so the notice, the list and the certificates may share a folder.
enum PublishCommands {
    static var all: [Command] { [notice, list, certificates] }

    static let out = OptionSpec.value("--out", "DIR", "The folder to write into, created if missing (required) · 输出文件夹（必填）")
    static let exits = [ExitUse.problems("no such round")] + ExitUse.database + [.cannotCreate]

    static let notice = Command(
        words: ["publish", "notice"],
        summary: "Write a round's public-notice list (公示名单) as HTML and CSV · 生成公示名单",
        synopsis: "ROUND --out DIR",
        details: """
            Writes DIR/notice.html (a printable A4 page: the department's heading, the issue date, a row per
            cluster — county, cluster name, leading industry, management body, notice period) and
            DIR/notice.csv (UTF-8 with a BOM, CRLF). The list holds every filing of the round whose
            public notice opened, running or ended: it is the list as published when the notice opened.
            ROUND is the round's id or name. A round with none yet writes the empty list saying so.
            Chinese unless --lang en. Reviewers, administrators and auditors; a county's login is refused (77).
            """,
        examples: ["cluster-review publish notice 2026年第一批 --out publish", "cluster-review publish notice 3 --out publish --lang en"],
        options: [out],
        positionals: 1...1,
        exits: exits,
        run: { invocation in
            try write(invocation) { key, connection in
                PublicationFiles.list(try Publication.notice(round: key, on: connection), language: invocation.language)
            }
        })

    static let list = Command(
        words: ["publish", "list"],
        summary: "Write a round's recognition list (认定名单) as HTML and CSV · 生成认定名单",
        synopsis: "ROUND --out DIR",
        details: """
            Writes DIR/list.html (a printable A4 page: the department's heading, the issue date, a row per
            recognized cluster — county, cluster name, leading industry, management body, certificate
            number, term) and DIR/list.csv (UTF-8 with a BOM, CRLF). A recognition later revoked is left
            out. A round with none recognized yet writes the empty list saying so. Chinese unless --lang en.
            """,
        examples: ["cluster-review publish list 2026年第一批 --out publish", "cluster-review publish list 3 --out publish --lang en"],
        options: [out],
        positionals: 1...1,
        exits: exits,
        run: { invocation in
            try write(invocation) { key, connection in
                PublicationFiles.list(try Publication.recognition(round: key, on: connection), language: invocation.language)
            }
        })

    static let certificates = Command(
        words: ["publish", "certificates"],
        summary: "Write a certificate per recognized cluster of a round, with an index · 生成认定证书",
        synopsis: "ROUND --out DIR",
        details: """
            Writes DIR/certificate-NUMBER.html per recognized cluster of the round (one printable A4 page:
            certificate number, cluster, county, leading industry, management body, term, the issuing
            department 海南省工业和信息化厅 and the day the recognition was decided) and DIR/certificates.html,
            the index linking them. Chinese unless --lang en.
            """,
        examples: ["cluster-review publish certificates 2026年第一批 --out certificates"],
        options: [out],
        positionals: 1...1,
        exits: exits,
        run: { invocation in
            try write(invocation) { key, connection in
                PublicationFiles.certificates(try Publication.recognition(round: key, on: connection), language: invocation.language)
            }
        })

    /// Reads the publication, then writes its files into --out, one line per file written.
    static func write(_ invocation: Invocation, _ files: (String, PostgresConnection) throws -> [PublishedFile]) throws -> Int32 {
        let directory = try invocation.required("--out")
        let connection = try invocation.connect()
        defer { connection.close() }
        let published: [PublishedFile]
        do {
            published = try files(invocation.positionals[0], connection)
        } catch let error as PublicationError {
            throw CommandFailure(zh: error.message.zh, en: error.message.en, exitCode: ExitCode.failure)
        }
        let folder = try OutputFile.folder(directory)
        for file in published {
            let path = folder.appendingPathComponent(file.name).path
            try OutputFile.write(file.data, to: path)
            invocation.say("已生成 \(path)", "wrote \(path)")
        }
        return ExitCode.success
    }
}
