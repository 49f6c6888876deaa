import ServiceDesk

/// The desk's actions as the people at the desk name them (the command line names them in
/// English: `ticket dispatch`).
public enum ActionNames {
    public static func chinese(_ action: Action) -> String {
        switch action {
        case .ticketOpen: "登记工单"
        case .ticketDispatch: "派工"
        case .ticketArrive: "登记到场"
        case .ticketComplete: "登记完工"
        case .ticketClose: "关闭工单"
        case .ticketReopen: "重新处理（返工）"
        case .ticketCancel: "取消工单"
        case .ticketEscalate: "升级"
        case .ticketAnswer: "答复顾客"
        case .ticketNote: "添加备注"
        case .ticketUpdate: "修改工单"
        case .ticketService: "登记有偿服务"
        case .reviewOffList: "审核价目表以外的服务"
        case .ticketPay: "收款"
        case .customerEdit: "编辑顾客资料"
        case .callbackAdd: "登记回访"
        case .callbackPlan: "查看回访计划"
        case .parcels: "登记邮件"
        case .custody: "登记寄存物品"
        case .staffManage: "管理员工账号"
        case .calendarEdit: "编辑工作日历"
        case .priceEdit: "编辑价目表"
        case .importData: "导入数据"
        case .conflictResolve: "处理冲突"
        case .nodeConnect: "连接总部"
        case .nodeEnroll: "登记中心节点"
        case .nodeRevoke: "吊销中心节点"
        case .grantApply: "申请数据使用授权"
        case .grantApproveQuality: "品质工程部审批授权"
        case .grantApproveLeadership: "公司领导审批授权"
        case .grantRevoke: "撤销授权"
        case .auditRead: "查看审计记录"
        case .collectFee: "上门代收服务费"
        case .followUp: "登记管家上门跟进"
        case .surveyEdit: "制定满意度调查问卷"
        case .serviceException: "登记服务内容变更"
        case .serviceMoney: "登记赔偿或费用减免"
        case .confirmServiceChange: "经理确认服务内容变更"
        case .correctiveRecord: "登记纠正预防措施"
        case .correctiveDecide: "审批纠正预防措施"
        case .customerView: "查看顾客资料"
        case .ticketView: "查看工单"
        case .conflictList: "查看冲突"
        }
    }
}
