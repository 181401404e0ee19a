/// A NOTIFY received on a channel this connection LISTENs to.
public struct Notification: Sendable, Hashable {
    public var channel: String
    public var payload: String
    /// The backend process that sent it.
    public var senderPID: Int32
}
