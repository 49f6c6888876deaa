import Foundation
import Prometheus
import ServiceDesk
import SyncRuntime

/// The status gauges of `/metrics`, set from the data directory's status (the same
/// figures as `gatehouse status` / `gatehouse hub status`) just before each scrape.
struct StatusMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    /// Node: backlog, oldest pending age, last push and pull, conflicts, refusals, the
    /// session state.
    func record(_ s: NodeStatusView) {
        gauge("gatehouse_node_push_pending", "Records changed here that the hub has not acknowledged").set(to: Double(s.push.pending))
        gauge("gatehouse_node_push_oldest_pending_age_seconds", "Age of the oldest change waiting to go out (0 when none)")
            .set(to: s.push.oldestPendingAgeSeconds ?? 0)
        gauge("gatehouse_node_last_push_timestamp_seconds", "When the hub last acknowledged this node's changes (Unix time, 0: never)")
            .set(to: s.push.lastAt?.timeIntervalSince1970 ?? 0)
        gauge("gatehouse_node_last_pull_timestamp_seconds", "When changes from the hub were last applied (Unix time, 0: never)")
            .set(to: s.pull.lastAt?.timeIntervalSince1970 ?? 0)
        gauge("gatehouse_node_pull_behind", "Hub log positions this node was behind at its last contact").set(to: Double(s.pull.behindAtLastContact))
        gauge("gatehouse_node_conflicts_open", "Open conflicts").set(to: Double(s.conflicts.open))
        gauge("gatehouse_node_conflicts_needs_review", "Open conflicts whose rule asks a person to review them").set(to: Double(s.conflicts.needsReview))
        gauge("gatehouse_node_records_refused", "Records the hub refused").set(to: Double(s.refused.count))
        gauge("gatehouse_node_records_quarantined", "Records from the hub this node kept out").set(to: Double(s.quarantined))
        gauge("gatehouse_node_daemon_running", "1 while the sync daemon is alive").set(to: s.daemon.running ? 1 : 0)
        for state in ["connected", "connecting", "offline", "refused", "never"] {
            gauge("gatehouse_node_session_state", "The sync session's state: 1 for the current one", labels: [("state", state)]).set(to: s.connection.state == state ? 1 : 0)
        }
        gauge("gatehouse_node_health", "0 ok, 1 warning, 2 critical (as gatehouse status exits)").set(to: Double(s.health.exitCode))
    }

    /// Hub: sessions connected, per center backlog, pull lag, refusals, health.
    func record(_ s: HubStatusView) {
        gauge("gatehouse_hub_sessions_connected", "Nodes connected now").set(to: Double(s.nodes.filter { $0.state == "connected" }.count))
        gauge("gatehouse_hub_log_head", "The hub's log position").set(to: Double(s.logHead))
        gauge("gatehouse_hub_nodes_lagging", "Nodes at or past a lag warning threshold").set(to: Double(s.summary.lagging))
        // One row per enrolled key; a center's figures are its keys' (a retired key counts nothing).
        for (center, rows) in Dictionary(grouping: s.nodes, by: \.center) {
            let labels = [("center", center)]
            gauge("gatehouse_hub_center_backlog", "Records waiting at the center, as it last reported", labels: labels)
                .set(to: Double(rows.map(\.backlog).reduce(0, +)))
            gauge("gatehouse_hub_center_pull_lag", "Hub changes the center's next pull brings", labels: labels)
                .set(to: Double(rows.map(\.pullLag).max() ?? 0))
            gauge("gatehouse_hub_center_connected", "1 while a node of the center is connected", labels: labels)
                .set(to: rows.contains { $0.state == "connected" } ? 1 : 0)
            gauge("gatehouse_hub_center_refused_records", "Records refused from the center so far", labels: labels)
                .set(to: Double(rows.map(\.refusedRecords).reduce(0, +)))
            gauge("gatehouse_hub_center_last_seen_timestamp_seconds", "The last message from the center (Unix time, 0: never)", labels: labels)
                .set(to: rows.compactMap(\.lastSeen).max()?.timeIntervalSince1970 ?? 0)
        }
    }

    private func gauge(_ name: String, _ help: String, labels: [(String, String)] = []) -> Gauge {
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help), labels: labels)
    }
}
