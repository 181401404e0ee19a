/// A message a person reads, in Chinese (the users' language) and English.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The text in `language`.
    public func text(in language: Language) -> String {
        language == .en ? en : zh
    }
}

/// The language a person reads messages in: Chinese (the users' language) or English.
public enum Language: String, Sendable, Hashable, CaseIterable, Codable {
    case zh
    case en

    /// The language a code names: `en` is English, anything else (or nothing) Chinese.
    public init(code: String?) {
        self = code == "en" ? .en : .zh
    }
}
