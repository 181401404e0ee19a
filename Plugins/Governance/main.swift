// The Governance indicator module's executable: filled in by the rules issue.
