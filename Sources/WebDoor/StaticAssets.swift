import Foundation
import Reports
import ReviewCore

/// The door's static files, compiled in: its stylesheet and the reports' (the pages allow no
/// inline style, so both are files). Served under /static/ with a long cache lifetime; a name that
/// is not here is a 404 (it never reaches the file system).
enum StaticAssets {
    static let sitePath = "/static/site.css"
    static let reportPath = "/static/report.css"

    /// The file called `name` (the one path segment after /static/), with its content type.
    static func file(_ name: String) -> (type: String, body: Data)? {
        switch name {
        case "site.css": return ("text/css; charset=utf-8", Data(site.utf8))
        case "report.css": return ("text/css; charset=utf-8", Data(HTMLReport.stylesheet.utf8))
        default: return nil
        }
    }

    static let site = """
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; padding: 0; max-width: none; color: #1d1d1f; background: #ffffff; line-height: 1.55; font-size: 15px;
               font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; }
        a { color: #1f4f96; }
        .skip { position: absolute; left: -10000px; }
        .skip:focus { left: 0.5rem; top: 0.5rem; background: #fff; padding: 0.3rem; }
        header.site { background: #123a6b; color: #fff; padding: 0.6rem 1.2rem; display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 1.2rem; }
        header.site a { color: #fff; text-decoration: none; }
        header.site .brand { font-weight: bold; font-size: 1.05rem; margin-right: auto; }
        header.site nav ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.9rem; }
        header.site nav a[aria-current="page"] { border-bottom: 2px solid #ffd166; }
        header.site .who { display: flex; align-items: center; gap: 0.8rem; font-size: 0.9rem; }
        header.site .person { opacity: 0.9; }
        form.sign-out { display: inline; margin: 0; }
        form.sign-out button { font: inherit; font-size: 0.85rem; padding: 0.15rem 0.6rem; cursor: pointer; }
        main { max-width: 68rem; margin: 0 auto; padding: 1.2rem 1.2rem 2rem; }
        h1 { font-size: 1.5rem; margin: 0.4rem 0 0.8rem; }
        h2 { font-size: 1.15rem; margin: 1.4rem 0 0.5rem; border-bottom: 1px solid #d0d7e2; padding-bottom: 0.2rem; }
        p.lead { color: #333; max-width: 48rem; }
        .message { padding: 0.6rem 0.9rem; border-radius: 4px; margin: 0.8rem 0; max-width: 48rem; }
        .message.error { background: #fbeceb; border: 1px solid #b3261e; color: #7a1a14; }
        .message.info { background: #eef3fb; border: 1px solid #2458a6; }
        table.list { border-collapse: collapse; width: 100%; margin: 0.6rem 0 1rem; }
        table.list th, table.list td { text-align: left; padding: 0.35rem 0.55rem; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
        table.list th { background: #f3f5f8; font-weight: 600; white-space: nowrap; }
        table.list tbody tr:nth-child(even) { background: #fafbfc; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        .muted { color: #666; }
        .rec-recommended { color: #1b7f3b; }
        .rec-needs_review { color: #2458a6; }
        .rec-not_recommended { color: #a15c00; }
        .rec-rejected_by_veto { color: #b3261e; }
        form.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1rem; align-items: flex-end; background: #f3f5f8; padding: 0.7rem 0.9rem; border-radius: 4px; }
        form.filters label, form.stacked label { display: flex; flex-direction: column; font-size: 0.85rem; color: #333; gap: 0.15rem; }
        input, select, textarea, button { font: inherit; }
        input[type="text"], input[type="password"], select, textarea { padding: 0.3rem 0.45rem; border: 1px solid #9aa5b5; border-radius: 3px; }
        button { padding: 0.35rem 0.9rem; border: 1px solid #123a6b; background: #123a6b; color: #fff; border-radius: 3px; cursor: pointer; }
        a.button { display: inline-block; padding: 0.35rem 0.9rem; border: 1px solid #9aa5b5; border-radius: 3px; text-decoration: none; color: #1d1d1f; }
        form.stacked { display: flex; flex-direction: column; gap: 0.7rem; max-width: 22rem; }
        .cards { display: flex; flex-wrap: wrap; gap: 0.8rem; margin: 0.8rem 0; padding: 0; list-style: none; }
        .cards li a { display: block; padding: 0.7rem 1rem; border: 1px solid #d0d7e2; border-radius: 4px; min-width: 11rem; text-decoration: none; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
        dl.facts dt { color: #555; }
        dl.facts dd { margin: 0; }
        section.confirm-forms form { border: 1px solid #d0d7e2; border-radius: 4px; padding: 0.6rem 0.9rem; margin: 0.6rem 0; max-width: 48rem; }
        section.confirm-forms fieldset { border: none; padding: 0; margin: 0.3rem 0; }
        section.confirm-forms textarea { width: 100%; min-height: 3.5rem; }
        section.confirm-forms fieldset.finding-confirmation { border: 1px solid #d0d7e2; border-radius: 4px; padding: 0.6rem 0.9rem; margin: 0.6rem 0; max-width: 48rem; }
        section.confirm-forms fieldset.refused { border-color: #b3261e; }
        fieldset .choices, fieldset.choices { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; border: none; padding: 0; margin: 0.3rem 0; }
        p.panel-result { font-size: 0.9rem; color: #2458a6; margin: 0.2rem 0; }
        p.panel-result.flagged { color: #a15c00; }
        form.stacked.wide { max-width: 48rem; }
        form.stacked.wide textarea { width: 100%; }
        form.stacked.wide button { align-self: flex-start; }
        section.review-step div.objection, div.proposal { border: 1px solid #d0d7e2; border-radius: 4px; padding: 0.5rem 0.9rem; margin: 0.6rem 0; max-width: 48rem; }
        section#check form.stacked { max-width: none; }
        textarea.json { width: 100%; min-height: 16rem; font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 0.85rem; }
        table.issues code { font-size: 0.85rem; }
        ol.listing { font-family: "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; font-size: 0.8rem; background: #f7f9fc;
                     border: 1px solid #d0d7e2; padding: 0.5rem 0.5rem 0.5rem 3.5rem; max-height: 32rem; overflow: auto; }
        ol.listing li { white-space: pre-wrap; word-break: break-all; }
        ol.listing li.flagged { background: #fdecea; }
        ol.listing li:target { outline: 2px solid #b3261e; }
        section#submit form button, #check-filing { font-size: 1rem; padding: 0.35rem 1.2rem; cursor: pointer; }
        footer.site { max-width: 68rem; margin: 0 auto; padding: 0.8rem 1.2rem 1.5rem; color: #666; font-size: 0.8rem; border-top: 1px solid #d0d7e2; }
        .report-page header.report-head { margin-top: 0.4rem; }
        @page { size: A4; margin: 15mm 14mm; }
        @media print {
          header.site nav, header.site .who, .skip, form, .no-print { display: none !important; }
          header.site { background: none; color: #000; padding: 0 0 0.4rem; border-bottom: 1px solid #000; }
          header.site a { color: #000; }
          main { max-width: none; padding: 0.4rem 0 0; }
          body { font-size: 10.5pt; }
          a { color: inherit; text-decoration: none; }
          table.list tr { break-inside: avoid; page-break-inside: avoid; }
          thead { display: table-header-group; }
        }
        """
}
