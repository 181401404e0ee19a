import ClusterStandard
import Foundation
import IndicatorKit

/// One file of a publication: its name inside the output folder and its bytes.
public struct PublishedFile: Sendable, Hashable {
    public var name: String
    public var data: Data

    public init(name: String, data: Data) {
        self.name = name
        self.data = data
    }
}

/// The files `cluster-review publish` writes, rendered from a `PublishedList` alone (so nothing
/// unpublished can reach them): self-contained XHTML-compatible pages (inline CSS, no script, no
/// network, A4 print CSS; the province's heading and the issue date at the top) and CSV (UTF-8 with
/// a BOM, CRLF line ends, RFC 4180 quoting, a text a spreadsheet would run as a formula prefixed
/// with an apostrophe). One language per file, Chinese unless English is asked for.
public enum PublicationFiles {
    /// `notice.html` and `notice.csv` (the 公示名单), or `list.html` and `list.csv` (the 认定名单).
    public static func list(_ list: PublishedList, language: Language = .zh) -> [PublishedFile] {
        let stem = list.kind == .notice ? "notice" : "list"
        return [
            PublishedFile(name: stem + ".html", data: Data(PublicationPages.list(list, language: language).utf8)),
            PublishedFile(name: stem + ".csv", data: PublicationCSV.render(list, language: language)),
        ]
    }

    /// `certificates.html` (the index) and one `certificate-NUMBER.html` per recognized cluster.
    public static func certificates(_ list: PublishedList, language: Language = .zh) -> [PublishedFile] {
        var files = [PublishedFile(name: "certificates.html", data: Data(PublicationPages.certificateIndex(list, language: language).utf8))]
        for row in list.rows {
            files.append(PublishedFile(name: certificateFileName(row), data: Data(PublicationPages.certificate(row, roundName: list.roundName, language: language).utf8)))
        }
        return files
    }

    /// `certificate-HN-ZXJQ-2026-0001.html`: the certificate number with anything but ASCII letters,
    /// digits and `-` replaced by `_` (a number can never name a path outside the folder).
    public static func certificateFileName(_ row: PublishedList.Row) -> String {
        let number = (row.certificateNo ?? "").unicodeScalars.map { scalar -> String in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-") ? String(scalar) : "_"
        }.joined()
        return "certificate-\(number).html"
    }
}

/// The published pages.
public enum PublicationPages {
    typealias L = PublicationLabels

    /// The list's title: `2026年第一批海南省中小企业特色产业集群认定名单`.
    public static func title(_ list: PublishedList, language: Language) -> String {
        let what = list.kind == .notice ? L.noticeTitle : L.recognitionTitle
        return language == .en
            ? "\(L.clusters.en), round \(list.roundName): \(what.en)"
            : "\(list.roundName)\(L.clusters.zh)\(what.zh)"
    }

    /// The public-notice list or the recognition list as one printable page.
    public static func list(_ list: PublishedList, language lang: Language) -> String {
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        let title = title(list, language: lang)
        var html = Markup.document(title: title, language: lang) { $0.wrap("style") { $0.raw(listStylesheet) } }
        heading(title: title, issuedOn: list.issuedOn, lang, &html)
        let notice = list.kind == .notice
        html.element("p", ["class": "note"], t(notice ? L.noticeNote : L.recognitionNote))
        if notice, let period = commonNoticePeriod(list) {
            // Say whether the notice still runs on the day of issue or has ended.
            let state = list.issuedOn <= period.1 ? L.noticeRunning : L.noticeEnded
            html.element("p", ["class": "period", "id": "period", "data-state": list.issuedOn <= period.1 ? "running" : "ended"],
                         "\(t(L.notice))\(lang == .en ? ": " : "：")\(L.span(period.0, period.1, lang))\(lang == .en ? " " : "")\(t(state))")
        }
        if list.rows.isEmpty {
            html.element("p", ["class": "empty", "id": "empty"], t(notice ? L.noneInNotice : L.noneRecognized))
        } else {
            html.wrap("table", ["id": notice ? "notice" : "recognition"]) { table in
                table.wrap("thead") { head in
                    head.wrap("tr") { tr in
                        for label in columns(list.kind) { tr.element("th", [:], t(label)) }
                    }
                }
                table.wrap("tbody") { body in
                    for (n, row) in list.rows.enumerated() {
                        let attributes: KeyValuePairs<String, String> = ["data-county": row.countyCode, "data-certificate": row.certificateNo ?? ""]
                        body.wrap("tr", attributes) { tr in
                            for cell in cells(row, number: n + 1, kind: list.kind, lang) { tr.element("td", [:], cell) }
                        }
                    }
                }
            }
        }
        html.element("p", ["class": "signature"], t(L.department))
        html.element("p", ["class": "signature"], Readable.date(list.issuedOn, lang))
        html.raw("</body></html>\n")
        return html.output
    }

    /// The index of a round's certificates: a line per certificate, linking its page.
    public static func certificateIndex(_ list: PublishedList, language lang: Language) -> String {
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        let title = lang == .en
            ? "\(L.clusters.en), round \(list.roundName): \(L.certificatesTitle.en)"
            : "\(list.roundName)\(L.clusters.zh)\(L.certificatesTitle.zh)"
        var html = Markup.document(title: title, language: lang) { $0.wrap("style") { $0.raw(listStylesheet) } }
        heading(title: title, issuedOn: list.issuedOn, lang, &html)
        if list.rows.isEmpty {
            html.element("p", ["class": "empty", "id": "empty"], t(L.noneRecognized))
        } else {
            html.wrap("ol", ["id": "certificates"]) { ol in
                for row in list.rows {
                    ol.wrap("li", ["data-certificate": row.certificateNo ?? ""]) { li in
                        li.element("a", ["href": PublicationFiles.certificateFileName(row)], row.certificateNo ?? "")
                        li.text(" " + row.clusterName + (lang == .en ? " · " : "　") + L.county(row.countyCode))
                    }
                }
            }
        }
        html.raw("</body></html>\n")
        return html.output
    }

    /// One recognized cluster's certificate: one A4 page.
    public static func certificate(_ row: PublishedList.Row, roundName: String, language lang: Language) -> String {
        func t(_ text: LocalizedText) -> String { text.text(in: lang) }
        let number = row.certificateNo ?? ""
        var html = Markup.document(title: "\(t(L.certificateTitle)) \(number)", language: lang) {
            $0.wrap("style") { $0.raw(certificateStylesheet) }
        }
        html.wrap("div", ["class": "certificate", "data-certificate": number]) { page in
            page.element("p", ["class": "number", "id": "number"], "\(t(L.certificate))\(lang == .en ? ": " : "：")\(number)")
            page.element("h1", [:], t(L.certificateTitle))
            page.element("p", ["class": "cluster", "id": "cluster"], row.clusterName)
            page.element("p", ["class": "text"], t(L.certificateText))
            page.wrap("table", ["class": "facts"]) { table in
                func fact(_ label: LocalizedText, _ value: String, _ id: String) {
                    table.wrap("tr", ["id": id]) { tr in
                        tr.element("th", [:], t(label))
                        tr.element("td", [:], value)
                    }
                }
                fact(L.county, L.county(row.countyCode), "county")
                fact(L.industry, row.leadingIndustry, "industry")
                fact(L.body, row.managementBody, "body")
                fact(L.term, L.span(row.termStartsOn, row.termEndsOn, lang), "term")
                fact(L.round, roundName, "round")
            }
            page.element("p", ["class": "issuer", "id": "issuer"], t(L.department))
            page.element("p", ["class": "date", "id": "date"], row.recognizedOn.map { Readable.date($0, lang) } ?? "")
        }
        html.raw("</body></html>\n")
        return html.output
    }

    /// The department, the title and the issue date: the head of every list.
    static func heading(title: String, issuedOn: CivilDate, _ lang: Language, _ html: inout Markup) {
        html.element("p", ["class": "department", "id": "department"], L.department.text(in: lang))
        html.element("h1", [:], title)
        html.element("p", ["class": "issued", "id": "issued"],
                     "\(L.issued.text(in: lang))\(lang == .en ? ": " : "：")\(Readable.date(issuedOn, lang))")
    }

    /// The columns of each list.
    static func columns(_ kind: PublishedList.Kind) -> [LocalizedText] {
        kind == .notice
            ? [L.number, L.county, L.cluster, L.industry, L.body, L.notice]
            : [L.number, L.county, L.cluster, L.industry, L.body, L.certificate, L.term]
    }

    /// A row's cells, in the order of `columns`.
    static func cells(_ row: PublishedList.Row, number: Int, kind: PublishedList.Kind, _ lang: Language) -> [String] {
        let common = [String(number), L.county(row.countyCode), row.clusterName, row.leadingIndustry, row.managementBody]
        return kind == .notice
            ? common + [L.span(row.noticeStartsOn, row.noticeEndsOn, lang)]
            : common + [row.certificateNo ?? "", L.span(row.termStartsOn, row.termEndsOn, lang)]
    }

    /// The notice period every row shares, if they all share one.
    static func commonNoticePeriod(_ list: PublishedList) -> (CivilDate, CivilDate)? {
        let periods = Set(list.rows.compactMap { row in row.noticeStartsOn.flatMap { s in row.noticeEndsOn.map { "\(s) \($0)" } } })
        guard periods.count == 1, let first = list.rows.first, let s = first.noticeStartsOn, let e = first.noticeEndsOn else { return nil }
        return (s, e)
    }

    static let listStylesheet = """
        body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun","Noto Sans CJK SC",serif;margin:2em auto;color:#000;max-width:60em}
        .department{text-align:center;font-size:1.1em;letter-spacing:.2em;margin:0}
        h1{text-align:center;font-size:1.5em;margin:.6em 0}.issued{text-align:center;color:#333;margin:0 0 1.2em}
        .note,.period,.empty{text-indent:2em;line-height:1.7}
        table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border:1px solid #000;padding:.3em .4em;text-align:left;vertical-align:top}
        th{background:#eee}.signature{text-align:right;margin:.2em 0}.signature:first-of-type{margin-top:2em}
        @media print{body{margin:0;max-width:none}thead{display:table-header-group}tr{break-inside:avoid}@page{size:A4;margin:20mm 15mm}}
        """

    static let certificateStylesheet = """
        body{font-family:"Noto Serif CJK SC","Source Han Serif SC","SimSun",serif;margin:0;color:#000}
        .certificate{box-sizing:border-box;width:210mm;min-height:297mm;margin:0 auto;padding:30mm 25mm;border:6px double #a00;text-align:center}
        .number{text-align:right;font-size:.95em}h1{font-size:2.4em;letter-spacing:.3em;margin:1.2em 0 1em;color:#a00}
        .cluster{font-size:1.6em;font-weight:bold;margin:.5em 0}.text{font-size:1.15em;margin:.5em 0 2em}
        table.facts{margin:0 auto;border-collapse:collapse;font-size:1.05em}table.facts th,table.facts td{padding:.35em .8em;text-align:left}
        .issuer{margin-top:4em;text-align:right;font-size:1.2em}.date{text-align:right}
        @media print{.certificate{border-width:6px;min-height:auto;height:257mm;width:auto;page-break-after:always}@page{size:A4;margin:20mm}}
        """
}

/// A published list as CSV: UTF-8 with a byte-order mark (so spreadsheet programs read the Chinese
/// right), CRLF line ends, RFC 4180 quoting (a field with a comma, a quote or a line break is
/// quoted, its quotes doubled), and a text starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return prefixed with an apostrophe, so a spreadsheet shows a cluster's name and never runs it.
public enum PublicationCSV {
    /// The bytes of the file, the BOM first.
    public static func render(_ list: PublishedList, language lang: Language) -> Data {
        let header = PublicationPages.columns(list.kind).map { $0.text(in: lang) }
        var lines = [header.map(field).joined(separator: ",")]
        for (n, row) in list.rows.enumerated() {
            var cells = PublicationPages.cells(row, number: n + 1, kind: list.kind, lang)
            // The county with its code, so a spreadsheet can sort and join on it.
            let county = PublicationLabels.county(row.countyCode)
            cells[1] = lang == .en ? "\(county) (\(row.countyCode))" : "\(county)（\(row.countyCode)）"
            lines.append(cells.map(field).joined(separator: ","))
        }
        return Data([0xEF, 0xBB, 0xBF]) + Data((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// One field, guarded and quoted as needed.
    public static func field(_ raw: String) -> String {
        let text = raw.unicodeScalars.first.map { "=+-@\t\r".unicodeScalars.contains($0) } == true ? "'" + raw : raw
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
