// The Competitiveness indicator module's executable: filled in by the rules issue.
