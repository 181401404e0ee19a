import Foundation
import IndicatorKit
import Postgres
import ReviewCore
import ClusterStandard
import JSONCore

/// The sample filings in config/samples and the recommendation each is expected to get.
public enum SampleFilings {
    /// Every sample listed in config/samples/expected.json.
    public static func all() throws -> [SampleFiling] {
        try SampleFiling.all(in: TestCluster.installation)
    }

    /// Files `copies` distinct filings made from initial-application samples (each copy's cluster
    /// name numbered, so its content differs, and followed by `label`) through the submission door,
    /// checked at once on the same connection (the database's owner: see `TestDoor`), spread over
    /// the samples' counties; returns their filing ids. `first` numbers the copies from another
    /// start, so that two calls make different filings.
    public static func submitVariants(_ copies: Int, label: String = "", first: Int = 0, on connection: PostgresConnection) throws -> [Int64] {
        let initial = try all().filter { sample in
            (try? JSONValue(parsing: sample.data))?["kind"]?.string == "initial"
        }
        var documents: [Data] = []
        for index in first..<(first + copies) {
            let sample = initial[index % initial.count]
            guard case .object(var root) = try JSONValue(parsing: sample.data), case .object(var cluster)? = root["cluster"],
                let name = cluster["name"]?.string
            else { continue }
            cluster["name"] = .string("\(name) #\(index)\(label)")
            root["cluster"] = .object(cluster)
            documents.append(try JSONEncoder().encode(JSONValue.object(root)))
        }
        return try TestDoor.file(documents, on: connection, checkingOn: connection)
    }
}
