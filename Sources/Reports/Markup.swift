import Foundation
import IndicatorKit

/// Builds XHTML-compatible markup: every element closed, every attribute quoted, every text and
/// attribute value escaped. The only way text enters a report or a page of the web door, so
/// nothing a filing or a request holds is ever written unescaped: data goes in through `text`,
/// `element` and attribute values only; `raw` takes markup the program itself wrote.
public struct Markup: Sendable {
    /// The markup built so far.
    public private(set) var output = ""

    /// An empty builder.
    public init() {}

    /// `text` with `& < > " '` escaped and characters XML forbids (C0 controls other than tab,
    /// newline and carriage return; lone surrogates cannot occur in a Swift string) replaced by U+FFFD.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n", "\r": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    escaped += "\u{FFFD}"
                } else {
                    escaped.unicodeScalars.append(scalar)
                }
            }
        }
        return escaped
    }

    /// Appends markup written by this module (never data).
    public mutating func raw(_ markup: String) { output += markup }

    /// Appends `text`, escaped.
    public mutating func text(_ text: String) { output += Markup.escape(text) }

    /// Opens `tag` with `attributes` (values escaped).
    public mutating func open(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<" + tag + Markup.attributes(attributes) + ">"
    }

    /// Closes `tag`.
    public mutating func close(_ tag: String) { output += "</" + tag + ">" }

    /// `<tag …>text</tag>`, the text escaped.
    public mutating func element(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], _ text: String) {
        open(tag, attributes)
        self.text(text)
        close(tag)
    }

    /// `<tag …/>`, for void HTML elements and SVG shapes.
    public mutating func empty(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<" + tag + Markup.attributes(attributes) + "/>"
    }

    /// Opens `tag`, runs `body`, closes `tag`.
    public mutating func wrap(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], _ body: (inout Markup) -> Void) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        attributes.map { " \($0.key)=\"\(escape($0.value))\"" }.joined()
    }
}

/// A coordinate or length for SVG, with one decimal and a dot whatever the locale.
func svgNumber(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    let tenths = (value * 10).rounded()
    let whole = Int(tenths) / 10, fraction = abs(Int(tenths) % 10)
    let sign = tenths < 0 && whole == 0 ? "-" : ""
    return fraction == 0 ? "\(sign)\(whole)" : "\(sign)\(whole).\(fraction)"
}

extension Markup {
    /// A page up to its open `<body>`: the doctype, `<html lang>`, and a head with the charset, the
    /// viewport, `title` (escaped) and whatever `head` adds (stylesheets, a refresh). Every page of
    /// the reports and of the web door starts here, so they agree on the document's frame.
    public static func document(title: String, language: Language, head extra: (inout Markup) -> Void = { _ in }) -> Markup {
        var html = Markup()
        html.raw("<!DOCTYPE html>\n")
        html.open("html", ["lang": language == .en ? "en" : "zh-CN"])
        html.wrap("head") { head in
            head.empty("meta", ["charset": "utf-8"])
            head.empty("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
            head.element("title", [:], title)
            extra(&head)
        }
        html.open("body")
        return html
    }

    /// A generated page up to its first section: `document` with `stylesheet` inline, the heading
    /// (`heading`, else the title) as `h1`, and the stamp line saying when it was generated. The
    /// stylesheet is written raw: it must hold no `<` or `&`.
    public static func stampedDocument(title: String, heading: String? = nil, stylesheet: String, language: Language,
                                       generatedAt: Date) -> Markup {
        var html = document(title: title, language: language) { head in head.wrap("style") { $0.raw(stylesheet) } }
        html.element("h1", [:], heading ?? title)
        html.element("p", ["class": "stamp", "id": "stamp"], ReportStamp(generatedAt: generatedAt).line(in: language))
        return html
    }
}
