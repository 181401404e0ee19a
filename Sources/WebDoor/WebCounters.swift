import Foundation
import HTTPServer

/// What the door counts for its metrics file, beside the HTTP server's own counters.
public final class WebCounters: @unchecked Sendable {
    // @unchecked: every stored `var` is read and written only while `lock` is held.
    /// How a sign-in attempt ended.
    public enum SignIn: String, Sendable, CaseIterable {
        /// A session was opened.
        case ok
        /// The login or the password was wrong.
        case failed
        /// Refused by the rate limit (429).
        case limited
        /// The password was right but the login may not use the web (a coordinator's…).
        case refused
    }

    /// Upper bounds (seconds) of the request-duration histogram's buckets.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]

    private let lock = NSLock()
    private var signIns: [SignIn: Int] = [:]
    private var signOuts = 0
    private var bucketCounts = [Int](repeating: 0, count: WebCounters.buckets.count)
    private var requests = 0
    private var durationSum = 0.0

    public init() {}

    func count(_ outcome: SignIn) { lock.withLock { signIns[outcome, default: 0] += 1 } }

    func countSignOut() { lock.withLock { signOuts += 1 } }

    func observe(seconds: Double) {
        lock.withLock {
            requests += 1
            durationSum += seconds
            for (index, bound) in Self.buckets.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
        }
    }

    /// Sign-ins that ended with `outcome` so far.
    public func signIns(_ outcome: SignIn) -> Int { lock.withLock { signIns[outcome] ?? 0 } }

    /// The metrics in Prometheus text format (node_exporter's textfile collector), with the HTTP
    /// server's counters.
    public func render(server: HTTPServerCounters, connectionWaits: Int) -> String {
        lock.withLock {
            var lines: [String] = []
            func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
                lines.append("# HELP \(name) \(help)")
                lines.append("# TYPE \(name) \(type)")
                for (labels, value) in samples { lines.append(labels.isEmpty ? "\(name) \(value)" : "\(name){\(labels)} \(value)") }
            }
            metric("cluster_review_web_responses_total", "counter", "Responses sent, by status class.", [
                ("class=\"1xx\"", "\(server.informationalResponses)"), ("class=\"2xx\"", "\(server.successfulResponses)"),
                ("class=\"3xx\"", "\(server.redirectionResponses)"), ("class=\"4xx\"", "\(server.clientErrorResponses)"),
                ("class=\"5xx\"", "\(server.serverErrorResponses)"),
            ])
            metric("cluster_review_web_connections", "gauge", "Client connections open now.", [("", "\(server.openConnections)")])
            metric("cluster_review_web_connections_total", "counter", "Client connections accepted, and refused at the cap.", [
                ("outcome=\"accepted\"", "\(server.acceptedConnections)"), ("outcome=\"refused\"", "\(server.refusedConnections)"),
                ("outcome=\"timed_out\"", "\(server.timedOutConnections)"),
            ])
            metric("cluster_review_web_requests_in_flight", "gauge", "Requests being handled now.", [("", "\(server.requestsInFlight)")])
            metric("cluster_review_web_sign_ins_total", "counter", "Sign-in attempts, by outcome.",
                   SignIn.allCases.map { ("outcome=\"\($0.rawValue)\"", "\(signIns[$0] ?? 0)") })
            metric("cluster_review_web_sign_outs_total", "counter", "Sessions ended by signing out.", [("", "\(signOuts)")])
            metric("cluster_review_web_database_waits_total", "counter", "Requests that waited for a free database connection.",
                   [("", "\(connectionWaits)")])
            lines.append("# HELP cluster_review_web_request_duration_seconds Time to answer a request, in the door.")
            lines.append("# TYPE cluster_review_web_request_duration_seconds histogram")
            for (index, bound) in Self.buckets.enumerated() {
                lines.append("cluster_review_web_request_duration_seconds_bucket{le=\"\(bound)\"} \(bucketCounts[index])")
            }
            lines.append("cluster_review_web_request_duration_seconds_bucket{le=\"+Inf\"} \(requests)")
            lines.append("cluster_review_web_request_duration_seconds_sum \(durationSum)")
            lines.append("cluster_review_web_request_duration_seconds_count \(requests)")
            return lines.joined(separator: "\n") + "\n"
        }
    }
}
