import CZeroMQ

/// Facts about the linked libzmq.
public enum ZeroMQ {
    /// The version of the libzmq loaded at run time (not the headers this was built against).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with CURVE security (`zmq_has("curve")`).
    public static var hasCurve: Bool { zmq_has("curve") != 0 }

    /// Throws unless CURVE is available, so a hub or node fails at start rather than running in clear text.
    public static func requireCurve() throws {
        guard hasCurve else {
            let (major, minor, patch) = version
            throw ZMQError(
                code: ENOTSUP, operation: "ZeroMQ.requireCurve",
                message: "libzmq \(major).\(minor).\(patch) was built without CURVE security "
                    + "(zmq_has(\"curve\") is false); install a libzmq built with libsodium.")
        }
    }
}
