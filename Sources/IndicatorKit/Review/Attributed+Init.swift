extension ReviewSummary.Attributed {
    /// A finding with the module it came from (e.g. read back from the database).
    public static func of(module: String, finding: Finding) -> ReviewSummary.Attributed {
        ReviewSummary.Attributed(module: module, finding: finding)
    }
}
