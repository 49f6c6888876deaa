import CZeroMQ

/// The socket patterns this wrapper supports; raw values are libzmq's `ZMQ_*` constants.
public enum ZMQSocketType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    case pair = 0  // ZMQ_PAIR
    case pub = 1  // ZMQ_PUB
    case sub = 2  // ZMQ_SUB
    case req = 3  // ZMQ_REQ
    case rep = 4  // ZMQ_REP
    case dealer = 5  // ZMQ_DEALER
    case router = 6  // ZMQ_ROUTER
    case pull = 7  // ZMQ_PULL
    case push = 8  // ZMQ_PUSH

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
