import CZeroMQ

/// The socket patterns this wrapper supports; raw values are libzmq's `ZMQ_*` constants.
public enum ZMQSocketType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    // Literal raw values because enum raw values cannot refer to the imported C macros;
    // ConstantsTests checks them against libzmq.

    /// Exclusive pair: one peer, both directions (`ZMQ_PAIR`).
    case pair = 0
    /// Publisher: fans messages out to subscribers (`ZMQ_PUB`).
    case pub = 1
    /// Subscriber: receives from publishers (`ZMQ_SUB`).
    case sub = 2
    /// Request: strict send/receive alternation (`ZMQ_REQ`).
    case req = 3
    /// Reply: strict receive/send alternation; what the ZAP handler uses (`ZMQ_REP`).
    case rep = 4
    /// Dealer: asynchronous request side; one per node towards the hub (`ZMQ_DEALER`).
    case dealer = 5
    /// Router: asynchronous server side; prefixes each message with the peer's routing id (`ZMQ_ROUTER`).
    case router = 6
    /// Pull: fair-queued receiving end of a pipeline (`ZMQ_PULL`).
    case pull = 7
    /// Push: load-balanced sending end of a pipeline (`ZMQ_PUSH`).
    case push = 8

    /// The libzmq name, e.g. `ROUTER`.
    public var description: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        }
    }
}
