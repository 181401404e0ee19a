/// The structure of the recognition standard itself (认定标准), as opposed to the modules that
/// judge it: the standard has eight indicators (八项指标), each judged by the module of the same id.
/// Reports draw them as the radar's eight axes; a module that judges something else (eligibility,
/// plan completion, any module added later) appears in the findings and the indicator table.
public enum RecognitionStandard {
    /// The eight indicators of the standard, in its order (Standard 1–8).
    public static let indicators = [
        "competitiveness", "tiering", "supply-chain", "innovation", "digital", "green", "openness", "governance",
    ]
}
