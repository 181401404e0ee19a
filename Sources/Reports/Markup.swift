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
        // Most text needs nothing escaped: one pass over its bytes says so, and the text is kept.
        guard needsEscaping(text) else { return text }
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

    /// True when `text` holds a character `escape` changes: `& < > " '`, a C0 control other than
    /// tab, newline and carriage return, or U+FFFE/U+FFFF (UTF-8 EF BF BE/BF).
    static func needsEscaping(_ text: String) -> Bool {
        var utf8 = text.utf8
        if let found = utf8.withContiguousStorageIfAvailable({ needsEscaping(bytes: $0) }) { return found }
        var copy = text
        copy.makeContiguousUTF8()
        utf8 = copy.utf8
        return utf8.withContiguousStorageIfAvailable { needsEscaping(bytes: $0) } ?? true
    }

    private static func needsEscaping(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"):
                return true
            case 0x09, 0x0A, 0x0D:
                break
            case 0x00..<0x20:
                return true
            case 0xEF:
                if index + 2 < count, bytes[index + 1] == 0xBF, bytes[index + 2] >= 0xBE { return true }
            default:
                break
            }
            index += 1
        }
        return false
    }

    /// Appends markup written by this module (never data).
    public mutating func raw(_ markup: String) { output += markup }

    /// Appends `text`, escaped.
    public mutating func text(_ text: String) { output += Markup.escape(text) }

    /// Opens `tag` with `attributes` (values escaped).
    public mutating func open(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<"
        output += tag
        appendAttributes(attributes)
        output += ">"
    }

    /// Closes `tag`.
    public mutating func close(_ tag: String) {
        output += "</"
        output += tag
        output += ">"
    }

    /// `<tag …>text</tag>`, the text escaped.
    public mutating func element(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], _ text: String) {
        open(tag, attributes)
        self.text(text)
        close(tag)
    }

    /// `<tag …/>`, for void HTML elements and SVG shapes.
    public mutating func empty(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:]) {
        output += "<"
        output += tag
        appendAttributes(attributes)
        output += "/>"
    }

    /// Opens `tag`, runs `body`, closes `tag`.
    public mutating func wrap(_ tag: String, _ attributes: KeyValuePairs<String, String> = [:], _ body: (inout Markup) -> Void) {
        open(tag, attributes)
        body(&self)
        close(tag)
    }

    private mutating func appendAttributes(_ attributes: KeyValuePairs<String, String>) {
        for (key, value) in attributes {
            output += " "
            output += key
            output += "=\""
            output += Markup.escape(value)
            output += "\""
        }
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
