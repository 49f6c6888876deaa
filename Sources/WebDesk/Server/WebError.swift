import Hummingbird

/// A refusal or failure shown to the person at the desk as a page: an HTTP status, a
/// Chinese title, and what to do about it.
public struct WebError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var title: String
    public var message: String

    public init(_ status: HTTPResponse.Status, _ title: String, _ message: String = "") {
        self.status = status
        self.title = title
        self.message = message
    }

    public static let notFound = WebError(.notFound, "页面不存在", "地址可能有误，或记录已被删除。")
    public static let badForm = WebError(.forbidden, "表单已失效", "请返回上一页，刷新后重新提交。（表单缺少有效的安全令牌）")
    public static let crossSite = WebError(.forbidden, "请求被拒绝", "只接受本系统页面提交的表单。")
    public static let tooLarge = WebError(.contentTooLarge, "提交的内容过大", "")
    public static let metricsRefused = WebError(.forbidden, "无权读取监控指标", "只接受本机请求，或带 --metrics-token 令牌的请求。")
}
