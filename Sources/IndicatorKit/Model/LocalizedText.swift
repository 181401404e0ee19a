/// A message a person reads, in Chinese (the users' language) and English.
public struct LocalizedText: Sendable, Hashable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The text in `language` (`"en"` for English, Chinese otherwise).
    public func text(in language: String) -> String {
        language == "en" ? en : zh
    }
}
