import ArgumentParser
import Foundation

/// The one executable: the front desk's commands, the node's sync daemon, the hub.
@main
struct Gatehouse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "The service desk of a property-management company that keeps working when the network does not.",
        discussion: """
            Every command takes --data DIR (or GATEHOUSE_DATA). Writes act as the staff member \
            logged in on that directory (`gatehouse login`), and only as far as their role allows.
            """,
        version: GatehouseVersion.description,
        subcommands: [
            NodeCommand.self, HubCommand.self, CustomerCommand.self, TicketCommand.self, CallbackCommand.self,
            ParcelCommand.self, CustodyCommand.self, PriceCommand.self, StaffCommand.self, CalendarCommand.self,
            ImportCommand.self, ConflictsCommand.self, SyncCommand.self, StatusCommand.self, ReportCommand.self,
            LoginCommand.self, LogoutCommand.self, WhoamiCommand.self,
            AuditCommand.self, GrantCommand.self, FollowUpCommand.self, SurveyCommand.self, CorrectiveCommand.self,
            SchemaCommand.self,
            BackupCommand.self, RestoreCommand.self,
        ]
    )
}
