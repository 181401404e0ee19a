import ModuleHost
/// The coordinator's counters in Prometheus text format (node_exporter's textfile-collector convention).
enum Metrics {
    static func render(
        statistics: QueueStatistics?, counters: Coordinator.Counters, pools: [WorkerPoolStatus], inFlight: Int, coordinator: String
    ) -> String {
        let label = "coordinator=\"\(escape(coordinator))\""
        var lines: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int)]) {
            lines.append("# HELP \(name) \(help)")
            lines.append("# TYPE \(name) \(type)")
            for (labels, value) in samples { lines.append("\(name){\(labels)} \(value)") }
        }
        if let statistics {
            metric("cluster_review_queue_depth", "gauge", "Reviews in the queue by state.", [
                ("state=\"queued\"", statistics.queued), ("state=\"running\"", statistics.running),
                ("state=\"waiting_for_retry\"", statistics.waitingForRetry),
            ])
            metric("cluster_review_submissions_pending", "gauge", "Submissions waiting to be checked (all coordinators).",
                   [("", statistics.pendingSubmissions)])
            metric("cluster_review_oldest_queued_seconds", "gauge", "Age of the oldest queued review.",
                   [("", statistics.oldestQueuedSeconds ?? 0)])
            metric("cluster_review_completed_last_minute", "gauge", "Reviews finished in the last minute (all coordinators).",
                   [("", statistics.completedLastMinute)])
            metric("cluster_review_reviews_waiting_for_module", "gauge", "Reviews waiting for an unavailable module, by module.",
                   statistics.deferredByModule.sorted { $0.key < $1.key }.map { ("module=\"\(escape($0.key))\"", $0.value) })
        }
        metric("cluster_review_in_flight", "gauge", "Reviews this coordinator holds.", [(label, inFlight)])
        metric("cluster_review_reviews_total", "counter", "Reviews finished by this coordinator, by outcome.", [
            (label + ",outcome=\"completed\"", counters.completed), (label + ",outcome=\"failed\"", counters.failed),
            (label + ",outcome=\"retried\"", counters.retried), (label + ",outcome=\"deferred\"", counters.deferred),
        ])
        metric("cluster_review_submissions_checked_total", "counter", "Submissions this coordinator checked (filed or refused).",
               [(label, counters.submissionsChecked)])
        metric("cluster_review_module_errors_total", "counter", "Module failures recorded as error findings.",
               [(label, counters.moduleErrors)])
        metric("cluster_review_leases_rescued_total", "counter", "Expired leases this coordinator rescued.",
               [(label, counters.rescued)])
        metric("cluster_review_module_workers", "gauge", "Worker processes per module.",
               pools.map { ("module=\"\(escape($0.moduleId))\",state=\"\($0.state.name)\"", $0.workers) })
        metric("cluster_review_module_restarts_total", "counter", "Worker restarts per module.",
               pools.map { ("module=\"\(escape($0.moduleId))\"", $0.restarts) })
        metric("cluster_review_module_circuit_open", "gauge", "1 while a module's circuit is open (failing or incompatible).",
               pools.map { pool in
                   let open: Int
                   switch pool.state {
                   case .failing, .incompatible: open = 1
                   default: open = 0
                   }
                   return ("module=\"\(escape(pool.moduleId))\"", open)
               })
        return lines.joined(separator: "\n") + "\n"
    }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
